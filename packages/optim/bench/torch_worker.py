"""The PyTorch side of bench/vs-torch.ts: one process, driven line by line over stdin so that its
steps interleave with @ssam's on the same pinned core. Each request is 'MODEL OPT'; the reply is
the wall time of one training step in ms. The models are packages/cli/python/ssam_torch.py's (the
same definitions @ssam exports to), with SGD (lr 0.05, momentum 0.9, wd 5e-4) and SAM (rho 0.05,
two passes, the descent at the original weights)."""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cli", "python"))
from ssam_torch import MLP, CifarResNet  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)


def setup(model):
    if model == "mlp":
        net, x = MLP([784, 256, 128, 10]), torch.randn(128, 1, 28, 28)
    elif model == "resnet20":
        net, x = CifarResNet(3, [16, 32, 64], [3, 3, 3], 10, False), torch.randn(32, 3, 32, 32)
    else:
        raise ValueError(model)
    y = torch.arange(x.shape[0]) % 10
    return net.train(), x, y


nets = {}


def step(model, opt):
    if (model, opt) not in nets:
        net, x, y = setup(model)
        nets[(model, opt)] = (net, x, y, torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4))
    net, x, y, sgd = nets[(model, opt)]
    t0 = time.perf_counter()
    sgd.zero_grad()
    F.cross_entropy(net(x), y).backward()
    if opt == "sam":
        ps = [p for p in net.parameters() if p.grad is not None]
        with torch.no_grad():
            norm = torch.norm(torch.stack([p.grad.norm(2) for p in ps]), 2)
            eps = [p.grad * (0.05 / (norm + 1e-12)) for p in ps]
            for p, e in zip(ps, eps):
                p.add_(e)
        sgd.zero_grad()
        F.cross_entropy(net(x), y).backward()
        with torch.no_grad():
            for p, e in zip(ps, eps):
                p.sub_(e)
    sgd.step()
    return (time.perf_counter() - t0) * 1000


def blas_in_use():
    """Which BLAS this process really loaded (after one matmul), and OpenBLAS's kernel if it is that."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({ln.split()[-1] for ln in f if "blas" in ln.rsplit("/", 1)[-1]})
    core = ""
    if any("openblas" in lib for lib in libs):
        import ctypes

        ob = ctypes.CDLL(next(lib for lib in libs if "openblas" in lib.rsplit("/", 1)[-1]))
        ob.openblas_get_corename.restype = ctypes.c_char_p
        ob.openblas_get_config.restype = ctypes.c_char_p
        core = f" [{ob.openblas_get_config().decode().split(' ')[1]} core {ob.openblas_get_corename().decode()}]"
    name = "OpenBLAS" if core else "reference BLAS (netlib)"
    where = sorted({os.path.dirname(lib) for lib in libs})
    return f"{name}{core}: {', '.join(os.path.basename(lib) for lib in libs)} in {', '.join(where)}"


print("ready: torch", torch.__version__, "threads", torch.get_num_threads(), "BLAS", blas_in_use(), flush=True)
for line in sys.stdin:
    model, opt = line.split()
    print(f"{step(model, opt):.3f}", flush=True)

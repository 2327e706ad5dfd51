"""Load a file written by `ssam export --format torch` into PyTorch.

    import ssam_torch
    model, extras = ssam_torch.load("runs/a/model.torch.safetensors")
    model.eval(); logits = model(x)          # x: [N, C, H, W] or [N, features], normalised as in training
    mask = extras["mask"]                    # {state_dict name: 0/1 tensor}, the SSAM mask
    momentum = extras["momentum"]            # {state_dict name: tensor}, SGD's momentum buffer

Needs torch only: the safetensors header is parsed here (8-byte length, JSON, raw little-endian
data), so the `safetensors` package is optional. The models mirror @ssam/models: `mlp`, `cnn`
(smallCnn) and the CIFAR ResNets (`resnet20`, `resnet32`, `resnet56`, `resnet18`), with layer
sizes read from the tensors' shapes. For other models use `read_safetensors` and your own module.
"""
import json
import re
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

FORMAT = "ssam-torch/1"
_DTYPES = {"F32": torch.float32, "I32": torch.int32}


def read_safetensors(path):
    """Returns ({name: tensor}, {metadata}); refuses a header that runs past the file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} runs past the end of the {len(data)}-byte file")
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base, out = 8 + n, {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dtype = _DTYPES[e["dtype"]]
        if end > begin:
            out[name] = torch.frombuffer(bytearray(data[base + begin : base + end]), dtype=dtype).reshape(e["shape"])
        else:
            out[name] = torch.zeros(e["shape"], dtype=dtype)
    return out, meta


class MLP(nn.Module):
    """@ssam/models mlp: flatten, then fc1 … fcK with ReLU between."""

    def __init__(self, sizes):
        super().__init__()
        self.n = len(sizes) - 1
        for i in range(self.n):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x):
        x = x.flatten(1)
        for i in range(self.n):
            x = getattr(self, f"fc{i + 1}")(x)
            if i < self.n - 1:
                x = F.relu(x)
        return x


class SmallCNN(nn.Module):
    """@ssam/models smallCnn: two 3×3 conv + ReLU + 2×2 max-pool stages, one dense layer."""

    def __init__(self, in_channels, fc_in, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(fc_in, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


class BasicBlock(nn.Module):
    """conv-bn-relu-conv-bn plus the shortcut, then ReLU. Option A: subsample and zero-pad channels."""

    def __init__(self, in_planes, planes, stride, projection):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.extra = stride, planes - in_planes
        self.needs = stride != 1 or in_planes != planes
        if self.needs and projection:
            self.shortcut = nn.Sequential(OrderedDict(conv=nn.Conv2d(in_planes, planes, 1, stride, bias=False), bn=nn.BatchNorm2d(planes)))
        self.projection = self.needs and projection

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.projection:
            sc = self.shortcut(x)
        elif self.needs:
            lo = self.extra // 2
            sc = F.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, lo, self.extra - lo))
        else:
            sc = x
        return F.relu(out + sc)


class CifarResNet(nn.Module):
    """@ssam/models resnetCifar / resnet18Cifar: 3×3 stem, stages of basic blocks, global pool, `linear`."""

    def __init__(self, in_channels, widths, blocks, num_classes, projection):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        in_planes = widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            layer = []
            for j in range(n):
                layer.append(BasicBlock(in_planes, w, 2 if j == 0 and i > 0 else 1, projection))
                in_planes = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.stages = len(widths)
        self.linear = nn.Linear(in_planes, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        for i in range(self.stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.linear(x.mean((2, 3)))


def build(model, sd):
    """The torch module for `model` (the CLI's --model name), sized from the state dict."""
    if model == "mlp":
        n = len([k for k in sd if re.fullmatch(r"fc\d+\.weight", k)])
        sizes = [sd["fc1.weight"].shape[1]] + [sd[f"fc{i + 1}.weight"].shape[0] for i in range(n)]
        return MLP(sizes)
    if model == "cnn":
        return SmallCNN(sd["conv1.weight"].shape[1], sd["fc.weight"].shape[1], sd["fc.weight"].shape[0])
    if model in ("resnet20", "resnet32", "resnet56", "resnet18"):
        stages = sorted({int(m.group(1)) for k in sd for m in [re.match(r"layer(\d+)\.", k)] if m})
        blocks = [len({k.split(".")[1] for k in sd if k.startswith(f"layer{s}.")}) for s in stages]
        widths = [sd[f"layer{s}.0.conv1.weight"].shape[0] for s in stages]
        projection = any(".shortcut." in k for k in sd)
        return CifarResNet(sd["conv1.weight"].shape[1], widths, blocks, sd["linear.weight"].shape[0], projection)
    raise ValueError(f"ssam_torch defines mlp, cnn and the CIFAR ResNets; '{model}' needs its own module (read_safetensors gives the state dict)")


def load(path):
    """Returns (model in eval mode with the weights loaded strictly, {mask, momentum, metadata})."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format is {meta.get('format')!r}, expected {FORMAT!r} (write it with ssam export --format torch)")
    sd = {k: v for k, v in tensors.items() if not k.startswith("ssam.")}
    model = build(meta["model"], sd)
    model.load_state_dict(sd, strict=True)
    model.eval()
    pick = lambda p: {k[len(p) :]: v for k, v in tensors.items() if k.startswith(p)}
    return model, {"mask": pick("ssam.mask."), "momentum": pick("ssam.momentum."), "metadata": meta}


if __name__ == "__main__":
    # python3 ssam_torch.py MODEL.safetensors [INPUT.safetensors]: loads the model; with an input
    # file (one tensor `x`), prints the logits as JSON.
    model, extras = load(sys.argv[1])
    if len(sys.argv) > 2:
        x = read_safetensors(sys.argv[2])[0]["x"]
        with torch.no_grad():
            print(json.dumps(model(x).tolist()))
    else:
        print(f"{extras['metadata']['model']}: {sum(p.numel() for p in model.parameters())} parameters, "
              f"{len(extras['mask'])} mask and {len(extras['momentum'])} momentum tensors")

// Memory over many compiled steps: an MLP 784-256-128-10 SGD step (value-and-grad + update in
// one compiled function) run N times (default 10,000), printing RSS and wasm memory as it goes.
// `SSAM_THREADS=1 taskset -c 0 node --conditions=source --import tsx bench/compile-rss.ts`
import { compile, random, tree, withBackend, type Tensor } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { valueAndGrad } from '@ssam/autograd';
import { mlp, softmaxCrossEntropy, type Params } from '../src/index.js';

const backend = createWasmBackend({ threads: Number(process.env.SSAM_THREADS ?? 1) });
const model = mlp([256, 128, 10]);
const shape = [128, 1, 28, 28];
const [, params0, state] = model.init(random.key(0), shape);
const x = random.normal(random.key(1), shape);
const y = random.randint(random.key(2), [128], 0, 10);
const step = compile((p: Params, xb: Tensor, yb: Tensor) => {
  const [[loss], g] = valueAndGrad((q: Params) => {
    const [logits, s] = model.apply(q, state, xb, { train: true });
    return [softmaxCrossEntropy(logits as Tensor, yb), s] as const;
  }, { hasAux: true })(p);
  return [loss, tree.sub(p as tree.Tree, tree.scale(0.01, g as tree.Tree))] as const;
});
const N = Number(process.env.N ?? 10_000);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
withBackend(backend, () => {
  let p = params0 as tree.Tree;
  const t0 = performance.now();
  for (let i = 1; i <= N; i++) {
    const [loss, next] = step(p as Params, x, y);
    p = next;
    if (i === 100 || i === 1000 || i % 2500 === 0)
      console.log(`step ${i}: loss ${loss.item().toFixed(4)}, RSS ${mib(process.memoryUsage().rss)}, wasm memory ${mib(backend.memoryBytes())}, ${((performance.now() - t0) / i).toFixed(1)} ms/step`);
  }
  console.log(step.stats());
});
backend.dispose();

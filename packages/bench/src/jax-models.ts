// The jax-js (@jax-js/jax 0.1.25, wasm device) side of src/vs-jax.ts: the same matmul and MLP
// 784-256-128-10 as ssam-models.ts, written in jax-js's reference-counted style (every function
// takes ownership of its Array arguments; `.ref` keeps one alive), the SGD step under `jit`.
import { jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { randn, type Rng } from './data.js';

type P = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array; w3: np.Array; b3: np.Array };

const arr = (data: Float32Array, shape: number[]) => np.array(data).reshape(shape);

/** `() => A @ B` for 512×512 operands, read back so the kernel really ran. */
export function jaxMatmul(a: Float32Array, b: Float32Array, n: number): () => void {
  const A = arr(a, [n, n]), B = arr(b, [n, n]);
  return () => {
    np.matmul(A.ref, B.ref).dataSync();
  };
}

/**
 * MLP 784-256-128-10 with ReLU, softmax cross-entropy, plain SGD (lr 0.01) as in sgdStepper:
 * value-and-grad and the update are one jitted function; each call returns the new params and
 * reads the loss back (as @ssam's stepper does). The parameters are drawn from `rng` in mlpTask's
 * order (zero biases included, which consume draws too), so both start from the same weights.
 */
export function jaxMlpSgd(rng: Rng, x: Float32Array, labels: Int32Array, batch: number, lr = 0.01): () => number {
  let p: P = {
    w1: arr(randn(rng, [784, 256], Math.sqrt(2 / 784)), [784, 256]), b1: arr(randn(rng, [256], 0), [256]),
    w2: arr(randn(rng, [256, 128], Math.sqrt(2 / 256)), [256, 128]), b2: arr(randn(rng, [128], 0), [128]),
    w3: arr(randn(rng, [128, 10], Math.sqrt(2 / 128)), [128, 10]), b3: arr(randn(rng, [10], 0), [10]),
  };
  const X = arr(x, [batch, 784]);
  const Y = nn.oneHot(np.array(labels, { dtype: np.int32 }), 10);
  const loss = (q: P, xb: np.Array, yb: np.Array): np.Array => {
    const h1 = nn.relu(np.matmul(xb, q.w1).add(q.b1));
    const h2 = nn.relu(np.matmul(h1, q.w2).add(q.b2));
    const logp = nn.logSoftmax(np.matmul(h2, q.w3).add(q.b3), -1);
    return np.mean(np.sum(yb.mul(logp), -1)).mul(-1);
  };
  const step = jit((q: P, xb: np.Array, yb: np.Array): [np.Array, P] => {
    const [l, g] = valueAndGrad(loss)(tree.ref(q), xb, yb);
    const next = {} as P;
    for (const k of Object.keys(q) as (keyof P)[]) next[k] = q[k].sub(g[k].mul(lr));
    return [l, next];
  });
  return () => {
    const [l, next] = step(p, X.ref, Y.ref);
    p = next;
    return l.dataSync()[0]!;
  };
}

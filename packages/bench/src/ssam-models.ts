// The benchmark models on @ssam: plain parameter pytrees and apply functions over @ssam/tensor
// ops, differentiated by @ssam/autograd and stepped by @ssam/optim (SGD, and SAM on top of it).
import { valueAndGrad, grad } from '@ssam/autograd';
import { applyUpdates, sam, sgd, type GradientTransformation, type OptState, type Params } from '@ssam/optim';
import {
  add, conv2d, logSoftmax, matmul, maxPool2d, mean, mul, neg, oneHot, relu, reshape, sum, tensor, type Tensor,
} from '@ssam/tensor';
import { randn, type Rng } from './data.js';

export interface Task {
  params: Params;
  /** Mean softmax cross-entropy of the batch. */
  readonly loss: (p: Params) => Tensor;
}

const param = (rng: Rng, shape: number[], std: number): Tensor => tensor(randn(rng, shape, std), shape);

function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[1]!;
  return neg(mean(sum(mul(oneHot(labels, classes), logSoftmax(logits)), { axes: 1 })));
}

/** MLP 784-256-128-10 with ReLU, batch `x` [B, 784]. */
export function mlpTask(rng: Rng, x: Float32Array, labels: Int32Array, batch: number): Task {
  const params: Params = {
    w1: param(rng, [784, 256], Math.sqrt(2 / 784)), b1: param(rng, [256], 0),
    w2: param(rng, [256, 128], Math.sqrt(2 / 256)), b2: param(rng, [128], 0),
    w3: param(rng, [128, 10], Math.sqrt(2 / 128)), b3: param(rng, [10], 0),
  };
  const X = tensor(x, [batch, 784]);
  const Y = tensor(labels, [batch], { dtype: 'int32' });
  const loss = (p: Params): Tensor => {
    const q = p as Record<string, Tensor>;
    const h1 = relu(add(matmul(X, q.w1!), q.b1!));
    const h2 = relu(add(matmul(h1, q.w2!), q.b2!));
    return crossEntropy(add(matmul(h2, q.w3!), q.b3!), Y);
  };
  return { params, loss };
}

/**
 * The small CNN (NCHW): conv3×3 3→16 + ReLU + maxpool 2; conv3×3 16→32 + ReLU + maxpool 2;
 * dense 2048→10; softmax cross-entropy. Input [B, 3, 32, 32].
 */
export function cnnTask(rng: Rng, x: Float32Array, labels: Int32Array, batch: number): Task {
  const params: Params = {
    c1: param(rng, [16, 3, 3, 3], Math.sqrt(2 / 27)), b1: param(rng, [16], 0),
    c2: param(rng, [32, 16, 3, 3], Math.sqrt(2 / 144)), b2: param(rng, [32], 0),
    w3: param(rng, [2048, 10], Math.sqrt(1 / 2048)), b3: param(rng, [10], 0),
  };
  const X = tensor(x, [batch, 3, 32, 32]);
  const Y = tensor(labels, [batch], { dtype: 'int32' });
  const loss = (p: Params): Tensor => {
    const q = p as Record<string, Tensor>;
    const a1 = maxPool2d(relu(add(conv2d(X, q.c1!, { padding: 1 }), reshape(q.b1!, [1, 16, 1, 1]))), { kernel: 2 });
    const a2 = maxPool2d(relu(add(conv2d(a1, q.c2!, { padding: 1 }), reshape(q.b2!, [1, 32, 1, 1]))), { kernel: 2 });
    const flat = reshape(a2, [batch, 2048]);
    return crossEntropy(add(matmul(flat, q.w3!), q.b3!), Y);
  };
  return { params, loss };
}

export type Stepper = () => number;

/** One SGD step per call (forward, backward, update); returns the loss. */
export function sgdStepper(task: Task, lr = 0.01): Stepper {
  return optimizerStepper(task, sgd({ lr }), false);
}

/** One SAM step per call (ρ = 0.05 around SGD): two forward/backward passes. */
export function samStepper(task: Task, lr = 0.01): Stepper {
  return optimizerStepper(task, sam({ rho: 0.05, base: sgd({ lr }) }), true);
}

function optimizerStepper(task: Task, opt: GradientTransformation<OptState>, twoPass: boolean): Stepper {
  let state = opt.init(task.params);
  const vg = valueAndGrad(task.loss);
  const gradFn = grad(task.loss);
  return () => {
    const [loss, g] = vg(task.params) as [Tensor, Params];
    const [updates, next] = opt.update(g, state, task.params, twoPass ? { gradFn: (w: Params) => gradFn(w) as Params } : {});
    state = next;
    task.params = applyUpdates(task.params, updates);
    return loss.item();
  };
}

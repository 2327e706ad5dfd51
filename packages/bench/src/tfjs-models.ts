// The same models on TensorFlow.js 4.22 (NHWC). The cpu backend runs tf.conv2d; the wasm backend
// has no Conv2DBackpropFilter kernel, so there each 3×3 convolution is written as 9 shifted
// matMuls over a padded input (slices, reshapes and matMuls all have wasm kernels and gradients).
import type * as tfType from '@tensorflow/tfjs';
import { nchwToNhwc, randn, type Rng } from './data.js';

type TF = typeof tfType;
type T = tfType.Tensor;

export interface TfTask {
  readonly vars: tfType.Variable[];
  readonly loss: () => tfType.Scalar;
}

function crossEntropy(tf: TF, logits: T, labels: T): tfType.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)));
}

export function tfMlp(tf: TF, rng: Rng, x: Float32Array, labels: Int32Array, batch: number): TfTask {
  const v = (shape: number[], std: number) => tf.variable(tf.tensor(randn(rng, shape, std), shape));
  const w1 = v([784, 256], Math.sqrt(2 / 784)), b1 = v([256], 0);
  const w2 = v([256, 128], Math.sqrt(2 / 256)), b2 = v([128], 0);
  const w3 = v([128, 10], Math.sqrt(2 / 128)), b3 = v([10], 0);
  const X = tf.tensor2d(x, [batch, 784]);
  const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
  const loss = () => {
    const h1 = tf.relu(tf.add(tf.matMul(X, w1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
    return crossEntropy(tf, tf.add(tf.matMul(h2, w3), b3), Y);
  };
  return { vars: [w1, b1, w2, b2, w3, b3], loss };
}

/** 3×3 'same' convolution as 9 shifted matMuls: x [N, H, W, C], w [3, 3, C, O]. */
function conv3x3ByMatMul(tf: TF, x: T, w: T): T {
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const o = w.shape[3]!;
  const xp = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  let acc: T | null = null;
  for (let ki = 0; ki < 3; ki++)
    for (let kj = 0; kj < 3; kj++) {
      const xs = tf.reshape(tf.slice(xp, [0, ki, kj, 0], [n, h, wd, c]), [n * h * wd, c]);
      const wk = tf.reshape(tf.slice(w, [ki, kj, 0, 0], [1, 1, c, o]), [c, o]);
      const y = tf.matMul(xs, wk);
      acc = acc === null ? y : tf.add(acc, y);
    }
  return tf.reshape(acc!, [n, h, wd, o]);
}

export function tfCnn(tf: TF, rng: Rng, xNchw: Float32Array, labels: Int32Array, batch: number, convByMatMul: boolean): TfTask {
  const v = (shape: number[], std: number) => tf.variable(tf.tensor(randn(rng, shape, std), shape));
  const c1 = v([3, 3, 3, 16], Math.sqrt(2 / 27)), b1 = v([16], 0);
  const c2 = v([3, 3, 16, 32], Math.sqrt(2 / 144)), b2 = v([32], 0);
  const w3 = v([2048, 10], Math.sqrt(1 / 2048)), b3 = v([10], 0);
  const X = tf.tensor4d(nchwToNhwc(xNchw, batch, 3, 32, 32), [batch, 32, 32, 3]);
  const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
  const conv = (x: T, w: T) => (convByMatMul ? conv3x3ByMatMul(tf, x, w) : tf.conv2d(x as tfType.Tensor4D, w as tfType.Tensor4D, 1, 'same'));
  const loss = () => {
    const a1 = tf.maxPool(tf.relu(tf.add(conv(X, c1), b1)) as tfType.Tensor4D, 2, 2, 'valid');
    const a2 = tf.maxPool(tf.relu(tf.add(conv(a1, c2), b2)) as tfType.Tensor4D, 2, 2, 'valid');
    return crossEntropy(tf, tf.add(tf.matMul(tf.reshape(a2, [batch, 2048]), w3), b3), Y);
  };
  return { vars: [c1, b1, c2, b2, w3, b3], loss };
}

/** One SGD step (forward, backward, update) per call; returns the loss. */
export function tfSgdStepper(tf: TF, task: TfTask, lr = 0.01): () => number {
  const opt = tf.train.sgd(lr);
  return () => {
    const cost = opt.minimize(task.loss, true, task.vars)!;
    const v = cost.dataSync()[0]!;
    cost.dispose();
    return v;
  };
}

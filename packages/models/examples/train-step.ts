// A runnable tour of @ssam/models: build a model, count its parameters, take SGD steps with
// BatchNorm state and dropout keys, and split the parameters into groups.
// Run: node --conditions=source --import tsx packages/models/examples/train-step.ts
import { random, tensor, tree, type Tensor } from '@ssam/tensor';
import { valueAndGrad } from '@ssam/autograd';
import * as nn from '@ssam/models';

const model = nn.serial({
  conv: nn.conv2d(8, 3, { padding: 1, bias: false }),
  bn: nn.batchNorm(),
  relu: nn.relu,
  pool: nn.globalAvgPool,
  drop: nn.dropout(0.1),
  fc: nn.dense(3),
});

const [key, initKey] = random.split(random.key(0));
const [outShape, params0, state0] = model.init(initKey!, [-1, 3, 8, 8]);
console.log('output shape', outShape, 'params', nn.countParams(params0)); // [-1, 3], 8·3·9 + 16 + 27 = 259

const x = random.normal(random.key(1), [4, 3, 8, 8]);
const y = tensor([0, 1, 2, 1], [4], { dtype: 'int32' });

let params = params0, state = state0;
for (let step = 0; step < 5; step++) {
  const stepKey = random.foldIn(key!, step);
  const lossFn = (p: nn.Params) => {
    const [logits, newState] = model.apply(p, state, x, { train: true, key: stepKey });
    return [nn.softmaxCrossEntropy(logits as Tensor, y, { labelSmoothing: 0.1 }), newState] as const;
  };
  const [[loss, newState], grads] = valueAndGrad(lossFn, { hasAux: true })(params);
  params = tree.sub(params, tree.scale(0.5, grads));
  state = newState;
  console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}

const [logits] = model.apply(params, state, x, { train: false });
console.log('train accuracy', nn.accuracy(logits as Tensor, y));
console.log('groups', nn.paramGroups(params)); // { bn: { beta: 'bn', gamma: 'bn' }, conv: { w: 'conv' }, fc: { b: 'bias', w: 'dense' } }
console.log('WRN-28-10 has', nn.evalShape(nn.wideResNet({ depth: 28, width: 10 }), [-1, 3, 32, 32]).count, 'parameters'); // 36479194

import { random, tree, slice, pad, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { withShapeOnlyInit } from '../init.js';
import type { Layer } from '../layer.js';
import { countParams, evalShape, namedParams } from '../params.js';
import { padShortcut } from './blocks.js';
import { resnet18, resnet18Cifar, resnet20, resnet32, resnet34, resnet50, resnet56, resnetCifar } from './resnet.js';
import { lenet5, mlp, smallCnn } from './simple.js';
import { vgg, vgg11, vgg16 } from './vgg.js';
import { wideResNet } from './wide-resnet.js';

const key = random.key(0);
const cifar = [-1, 3, 32, 32];

// Independent closed forms of the PyTorch definitions (weights + biases + BN γ, β).
const conv = (i: number, o: number, k: number, bias = false) => i * o * k * k + (bias ? o : 0);
const bn = (c: number) => 2 * c;
const linear = (i: number, o: number) => i * o + o;

function cifarResNetCount(n: number, option: 'A' | 'B', classes = 10): number {
  let total = conv(3, 16, 3) + bn(16);
  let inP = 16;
  for (const [s, p] of [16, 32, 64].entries()) {
    for (let j = 0; j < n; j++) {
      total += conv(inP, p, 3) + bn(p) + conv(p, p, 3) + bn(p);
      if (j === 0 && s > 0 && option === 'B') total += conv(inP, p, 1) + bn(p);
      inP = p;
    }
  }
  return total + linear(64, classes);
}

function wrnCount(depth: number, k: number, classes = 10): number {
  const n = (depth - 4) / 6;
  const ch = [16, 16 * k, 32 * k, 64 * k];
  let total = conv(3, 16, 3);
  for (let s = 0; s < 3; s++)
    for (let j = 0; j < n; j++) {
      const i = j === 0 ? ch[s]! : ch[s + 1]!, o = ch[s + 1]!;
      total += bn(i) + conv(i, o, 3) + bn(o) + conv(o, o, 3) + (i !== o ? conv(i, o, 1) : 0);
    }
  return total + bn(ch[3]!) + linear(ch[3]!, classes);
}

function vggCount(cfg: (number | 'M')[], head: 'mlp' | 'linear', classes = 10): number {
  let total = 0, c = 3;
  for (const v of cfg) if (v !== 'M') (total += conv(c, v, 3, true) + bn(v), (c = v));
  return total + (head === 'linear' ? linear(512, classes) : linear(512, 4096) + linear(4096, 4096) + linear(4096, classes));
}
const VGG11 = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'] as (number | 'M')[];
const VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as (number | 'M')[];

describe('parameter counts (shapes only, no sampling)', () => {
  const cases: [string, Layer, number[], number, number?][] = [
    // [name, model, input, count, published count where one exists]
    ['mlp 784-256-10', mlp([256, 10]), [-1, 1, 28, 28], linear(784, 256) + linear(256, 10)],
    ['LeNet-5 (MNIST, pad 2)', lenet5(), [-1, 1, 28, 28], conv(1, 6, 5, true) + conv(6, 16, 5, true) + linear(400, 120) + linear(120, 84) + linear(84, 10), 61_706],
    ['small CNN', smallCnn(), cifar, conv(3, 16, 3, true) + conv(16, 32, 3, true) + linear(2048, 10), 25_578],
    ['ResNet-20 option A', resnet20(), cifar, cifarResNetCount(3, 'A'), 269_722],
    ['ResNet-20 option B', resnet20({ shortcut: 'B' }), cifar, cifarResNetCount(3, 'B'), 272_474],
    ['ResNet-32 option A', resnet32(), cifar, cifarResNetCount(5, 'A'), 464_154],
    ['ResNet-56 option A', resnet56(), cifar, cifarResNetCount(9, 'A'), 853_018],
    ['ResNet-56 option B, 100 classes', resnet56({ shortcut: 'B', numClasses: 100 }), cifar, cifarResNetCount(9, 'B', 100)],
    ['ResNet-18 (CIFAR, SSAM code)', resnet18Cifar(), cifar, 11_173_962, 11_173_962],
    ['ResNet-18 (CIFAR-100)', resnet18Cifar({ numClasses: 100 }), cifar, 11_173_962 + 90 * 513],
    ['WRN-16-8', wideResNet({ depth: 16, width: 8 }), cifar, wrnCount(16, 8), 10_961_370],
    ['WRN-28-10', wideResNet({ depth: 28, width: 10 }), cifar, wrnCount(28, 10), 36_479_194],
    ['WRN-28-10, 100 classes', wideResNet({ depth: 28, width: 10, numClasses: 100 }), cifar, wrnCount(28, 10, 100), 36_536_884],
    ['VGG-11-BN (SSAM head)', vgg11(), cifar, vggCount(VGG11, 'mlp'), 28_149_514],
    ['VGG-16-BN (SSAM head)', vgg16(), cifar, vggCount(VGG16, 'mlp'), 33_646_666],
    ['VGG-11-BN (linear head)', vgg11({ head: 'linear' }), cifar, vggCount(VGG11, 'linear'), 9_231_114],
    ['VGG-16-BN (linear head)', vgg16({ head: 'linear' }), cifar, vggCount(VGG16, 'linear'), 14_728_266],
    ['ResNet-18 (ImageNet)', resnet18(), [-1, 3, 224, 224], 11_689_512, 11_689_512],
    ['ResNet-34 (ImageNet)', resnet34(), [-1, 3, 224, 224], 21_797_672, 21_797_672],
    ['ResNet-50 (ImageNet)', resnet50(), [-1, 3, 224, 224], 25_557_032, 25_557_032],
  ];
  it.each(cases)('%s', (_name, model, input, count, published) => {
    const r = evalShape(model, input);
    expect(r.count).toBe(count);
    if (published !== undefined) expect(r.count).toBe(published);
    const classes = /100 classes|CIFAR-100/.test(_name) ? 100 : /ImageNet/.test(_name) ? 1000 : 10;
    expect(r.outShape).toEqual([-1, classes]);
  });

  it('counts with real sampling agree with evalShape', () => {
    for (const m of [resnet20(), smallCnn()]) expect(countParams(m.init(key, cifar)[1])).toBe(evalShape(m, cifar).count);
  });
});

describe('forward passes: apply gives the shape init predicts', () => {
  const run = (model: Layer, input: number[], train: boolean, zeroParams = false) => {
    const [out, p, s] = zeroParams ? withShapeOnlyInit(() => model.init(key, input)) : model.init(key, input);
    const x = random.normal(random.key(1), input);
    const [y, s1] = model.apply(p, s, x, { train, key: random.key(2) });
    expect((y as Tensor).shape).toEqual(out);
    expect((y as Tensor).toArray().every(Number.isFinite)).toBe(true);
    expect(tree.structureEqual(s1 as never, s as never)).toBe(true);
    return { y: y as Tensor, p, s, s1 };
  };
  it('mlp, LeNet-5, small CNN', () => {
    run(mlp([32, 10]), [3, 1, 28, 28], true);
    run(lenet5(), [3, 1, 28, 28], true);
    run(lenet5({ padding: 0, numClasses: 7 }), [2, 3, 32, 32], false);
    run(smallCnn(), [2, 3, 32, 32], true);
  });
  it('ResNet-20 in train and eval, option A and B', () => {
    const { s, s1 } = run(resnet20(), [2, 3, 32, 32], true);
    expect((tree.leaves(s1) as Tensor[])[0]!.toList()).not.toEqual((tree.leaves(s) as Tensor[])[0]!.toList());
    run(resnetCifar({ depth: 8, shortcut: 'B', widths: [4, 8, 16] }), [2, 3, 16, 16], false);
  });
  it('ResNet-18 (CIFAR), a small WRN with dropout, VGG-11 (zero params: shapes only)', () => {
    run(resnet18Cifar(), [1, 3, 32, 32], false, true);
    run(wideResNet({ depth: 10, width: 2, dropRate: 0.3 }), [2, 3, 32, 32], true);
    run(vgg11(), [2, 3, 32, 32], true, true);
    expect(() => vgg11().apply(...withShapeOnlyInit(() => vgg11().init(key, [2, 3, 32, 32])).slice(1) as [never, never], random.normal(key, [2, 3, 32, 32]), { train: true })).toThrow(/needs a PRNG key/);
  });
});

describe('initialisation', () => {
  it('the same key gives the same params; another key different ones', () => {
    const a = resnet20().init(random.key(5), cifar)[1];
    const b = resnet20().init(random.key(5), cifar)[1];
    const c = resnet20().init(random.key(6), cifar)[1];
    const list = (t: unknown) => (tree.leaves(t as never) as Tensor[]).map((x) => Array.from(x.toArray()));
    expect(list(a)).toEqual(list(b));
    expect(list(a)[2]).not.toEqual(list(c)[2]);
  });

  it('parameter paths are readable and follow the reference code', () => {
    const names = namedParams(resnet20().init(key, cifar)[1]).map(([n]) => n);
    expect(names.slice(0, 3)).toEqual(['bn1.beta', 'bn1.gamma', 'conv1.w']);
    expect(names).toContain('layer1.0.main.conv1.w');
    expect(names).toContain('layer3.2.main.bn2.gamma');
    expect(names).toContain('linear.w');
    const r18 = Object.keys(resnet18Cifar().init(key, [-1, 3, 8, 8])[1] as object);
    expect(r18).toEqual(['conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4', 'linear']);
    const shortcut = (evalShape(resnet18Cifar(), cifar).params as any).layer2[0].shortcut;
    expect(shortcut).toEqual({ conv: { w: [128, 64, 1, 1] }, bn: { gamma: [128], beta: [128] } });
    const wrn = wideResNet({ depth: 16, width: 2 }).init(key, cifar)[1] as any;
    expect(Object.keys(wrn)).toEqual(['conv1', 'block1', 'block2', 'block3', 'bn', 'fc']);
    expect(Object.keys(wrn.block2[0])).toEqual(['bn1', 'conv1', 'bn2', 'conv2', 'shortcut']);
    expect(Object.keys(wrn.block2[1])).toEqual(['bn1', 'conv1', 'bn2', 'conv2']);
  });

  it('uses the reference initialisers: fan_out He normal (WRN), fan_in He normal (CIFAR ResNet), zero WRN fc bias', () => {
    const std = (t: Tensor) => Math.sqrt(t.toArray().reduce((a, v) => a + v * v, 0) / t.size);
    const wrn = wideResNet({ depth: 16, width: 4 }).init(key, cifar)[1] as any;
    const w = wrn.block3[1].conv2.w as Tensor; // [256, 256, 3, 3]: fan_out = 2304
    expect(Math.abs(std(w) / Math.sqrt(2 / 2304) - 1)).toBeLessThan(0.02);
    expect((wrn.fc.b as Tensor).toArray().every((v) => v === 0)).toBe(true);
    const r = resnet56().init(key, cifar)[1] as any;
    const c = r.layer3[4].main.conv1.w as Tensor; // [64, 64, 3, 3]: fan_in = 576
    expect(Math.abs(std(c) / Math.sqrt(2 / 576) - 1)).toBeLessThan(0.03);
  });
});

describe('option A shortcut', () => {
  it('subsamples by 2 and zero-pads channels half before, half after', () => {
    const x = random.normal(key, [2, 4, 6, 6]);
    const [y] = padShortcut(8, 2).apply({}, {}, x, { train: false });
    const expected = pad(slice(x, [undefined, undefined, { step: 2 }, { step: 2 }]), [[0, 0], [2, 2]]);
    expect((y as Tensor).toList()).toEqual(expected.toList());
    expect(padShortcut(8, 2).init(key, [-1, 4, 7, 7])[0]).toEqual([-1, 8, 4, 4]);
    expect(() => padShortcut(2, 1).init(key, [-1, 4, 4, 4])).toThrow(/cannot shrink/);
  });
  it('rejects depths that are not 6n + 2 (ResNet) or 6n + 4 (WRN)', () => {
    expect(() => resnetCifar({ depth: 21 })).toThrow(/6n \+ 2/);
    expect(() => wideResNet({ depth: 27, width: 10 })).toThrow(/6n \+ 4/);
    expect(() => vgg({ depth: 12 as never })).toThrow(/11, 13, 16 or 19/);
  });
});

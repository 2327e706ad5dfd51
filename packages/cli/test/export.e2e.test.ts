import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { random, tree, type Tensor } from '@ssam/tensor';
import { decodeSafetensors, encodeSafetensors } from '@ssam/tensor/io';
import { saveCheckpoint } from '../src/checkpoint.js';
import { exportCommand } from '../src/commands/export.js';
import { MODELS } from '../src/setup/models.js';
import { PKG_DIR, ssam, tmpDir, TINY } from './helpers.js';

// The PyTorch half runs where /usr/bin/python3 has torch (Debian's python3-torch); CI does not
// install it (minutes), so there the test is skipped and its name says why.
const PY = '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import torch'], { encoding: 'utf8' });
const noTorch = probe.status === 0 ? '' : `${PY} cannot import torch (${probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? 'no output')})`;
const LOADER = path.join(PKG_DIR, 'python', 'ssam_torch.py');

const read = (file: string) => decodeSafetensors(new Uint8Array(readFileSync(file)), file);
const sink = () => {
  let text = '';
  return { io: { stdout: { write: (s: string) => ((text += s), true) }, stderr: { write: () => true } } as never, text: () => text };
};

/** Our eval-mode logits and torch's, on the same batch, through python/ssam_torch.py. */
function compareLogits(model: string, file: string, params: unknown, state: unknown, input: readonly number[], numClasses = 10) {
  const layer = MODELS[model]!.build({ shape: input.slice(1), numClasses }, [16]);
  const x = random.normal(random.key(5), [...input]);
  const [ours] = layer.apply(params as never, state as never, x, { train: false });
  const xFile = `${file}.input.safetensors`;
  writeFileSync(xFile, encodeSafetensors({ x }));
  const r = spawnSync(PY, [LOADER, file, xFile], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const theirs = JSON.parse(r.stdout) as number[][];
  const flat = (ours as Tensor).toArray();
  expect(theirs.flat().length).toBe(flat.length);
  const scale = Math.max(...Array.from(flat, Math.abs));
  theirs.flat().forEach((v, i) => expect(Math.abs(v - flat[i]!)).toBeLessThan(1e-4 * Math.max(1, scale)));
}

/** A run folder for a model without training it: init, BatchNorm statistics moved off 0/1, a momentum buffer. */
function fakeRun(model: string, input: readonly number[]) {
  const dir = tmpDir(`export-${model}`);
  const layer = MODELS[model]!.build({ shape: input.slice(1), numClasses: 10 }, [16]);
  const [, params, state0] = layer.init(random.key(1), [-1, ...input.slice(1)]);
  let i = 0;
  const state = tree.map((t: Tensor) => (i++ % 2 ? random.uniform(random.key(i), t.shape, { min: 0.5, max: 1.5 }) : random.normal(random.key(i), t.shape, { std: 0.2 })), state0 as never);
  const trace = tree.map((t: Tensor) => random.normal(random.key(9), t.shape), params as never);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ format: 'ssam-run/1', config: { model, optimizer: 'sgd' } }));
  saveCheckpoint(path.join(dir, 'checkpoint'), { train: { params, modelState: state, optState: { base: [{}, { trace }] } } }, { step: 3 });
  return { dir, params, state };
}

describe('ssam export --format torch', () => {
  it('writes a trained run under state_dict names, with the mask and momentum prefixed', () => {
    const dir = path.join(tmpDir('export'), 'a');
    expect(ssam(['train', ...TINY, '--epochs', '1', '--optimizer', 'ssam-f', '--fisher-samples', '16', '--out', dir]).status).toBe(0);
    const r = ssam(['export', '--format', 'torch', '--run', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ model: 'mlp', step: 8, mask: 4, momentum: 4 });
    const { tensors, metadata } = read(report.file);
    expect(Object.keys(tensors).filter((n) => !n.startsWith('ssam.')).sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    expect(metadata).toMatchObject({ format: 'ssam-torch/1', model: 'mlp', step: '8' });
    const model = read(path.join(dir, 'model.safetensors')).tensors;
    expect(tensors['fc1.weight']!.toArray()).toEqual(model['params.fc1.w']!.toArray());
    expect(new Set(tensors['ssam.mask.fc1.weight']!.toArray())).toEqual(new Set([0, 1]));
    expect(ssam(['export', '--format', 'onnx', '--run', dir]).stderr).toMatch(/--format must be torch; got 'onnx'|--format must be torch \(the only format so far\); got 'onnx'/);
    expect(ssam(['export', '--format', 'torch', '--run', path.dirname(dir)]).stderr).toMatch(/no config\.json there/);
  });

  it('names ResNet-20 as torch does: no residual "main", BatchNorm running stats and num_batches_tracked', () => {
    const { dir } = fakeRun('resnet20', [2, 3, 32, 32]);
    const out = sink();
    expect(exportCommand({ format: 'torch', run: dir }, out.io)).toBe(0);
    const { tensors } = read(path.join(dir, 'model.torch.safetensors'));
    const names = Object.keys(tensors);
    expect(names.filter((n) => n.includes('main') || /\.(w|b|gamma|beta)$/.test(n))).toEqual([]);
    for (const n of ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'layer3.2.conv2.weight', 'layer2.0.bn1.num_batches_tracked', 'linear.weight', 'linear.bias', 'ssam.momentum.layer1.0.conv1.weight'])
      expect(names).toContain(n);
    expect(tensors['layer2.0.bn1.num_batches_tracked']!.toList()).toBe(3);
    expect(tensors['layer1.0.conv1.weight']!.shape).toEqual([16, 16, 3, 3]); // OIHW, as torch
    expect(out.text()).toMatch(/resnet20 at step 3/);
  });

  for (const [model, input] of [['mlp', [4, 1, 28, 28]], ['cnn', [2, 3, 32, 32]], ['resnet20', [2, 3, 32, 32]]] as const)
    // Skipped where /usr/bin/python3 has no torch (CI: installing it takes minutes); the name says so.
    it.skipIf(noTorch !== '')(`torch loads the ${model} with python/ssam_torch.py and gives our logits${noTorch ? ` (skipped: ${noTorch})` : ''}`, () => {
      const { dir, params, state } = fakeRun(model, input);
      expect(exportCommand({ format: 'torch', run: dir }, sink().io)).toBe(0);
      compareLogits(model, path.join(dir, 'model.torch.safetensors'), params, state, input);
    });
});

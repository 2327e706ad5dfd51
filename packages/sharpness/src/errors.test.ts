import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, random, zeros } from '@ssam/tensor';
import { denseMatrix, hessianOperator, hutchinsonTrace, matrixOperator, paramSpace, slqDensity, smoothDensity, topEigenvalues } from './index.js';
import { tinyMlp } from './nets.test-util.js';

const op = matrixOperator(Float64Array.from([2, 0, 0, 1]), 2);
const key = random.key(0);

describe('bad input is an @ssam error that names the call, the argument and the value', () => {
  it('estimator options', () => {
    expect(() => topEigenvalues(op, { key, k: 3 })).toThrow(ArgumentError);
    expect(() => topEigenvalues(op, { key, k: 3 })).toThrow(/topEigenvalues: k must be an integer in \[1, 2\], got 3/);
    expect(() => topEigenvalues(op, { key, maxIter: 0 })).toThrow(/topEigenvalues: maxIter must be an integer in \[1, ∞\], got 0/);
    expect(() => topEigenvalues(op, { key, tol: -1 })).toThrow(/topEigenvalues: tol must be a finite number ≥ 0, got -1/);
    expect(() => hutchinsonTrace(op, { key, maxSamples: 1 })).toThrow(/hutchinsonTrace: maxSamples must be an integer in \[2, ∞\], got 1/);
    expect(() => hutchinsonTrace(op, { key, maxSamples: 5, minSamples: 9 })).toThrow(/minSamples must be an integer in \[2, 5\], got 9/);
    expect(() => slqDensity(op, { key, reorthogonalize: 'partial' as never })).toThrow(/slqDensity: reorthogonalize must be 'full' or 'none', got "partial"/);
    expect(() => smoothDensity({ runs: [] })).toThrow(/smoothDensity: the density has no runs/);
  });

  it('sources, problems and vectors', () => {
    expect(() => topEigenvalues({} as never, { key })).toThrow(/topEigenvalues: expects a Problem .* or a LinearOperator/);
    expect(() => hessianOperator({ ...tinyMlp(0), batches: [] })).toThrow(/hessianOperator: problem.batches must hold at least one/);
    const p = tinyMlp(0);
    expect(() => hessianOperator({ ...p, batches: [{ x: zeros([3, 6]), y: p.batches[0]!.y }] })).toThrow(/problem.batches\[0\]: x has 3 examples but y has 16/);
    expect(() => paramSpace({ w: zeros([2], 'int32') })).toThrow(ShapeError);
    expect(() => paramSpace({ w: zeros([2]) }).toTree(new Float64Array(3))).toThrow(/paramSpace.toTree: vector has 3 entries, the params have 2/);
    expect(() => denseMatrix({ dim: 5000, apply: (v) => v })).toThrow(/denseMatrix: the operator has dimension 5000/);
  });
});

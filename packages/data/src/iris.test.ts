import { describe, expect, it } from 'vitest';
import { loadIris } from './iris.js';

describe('Iris', () => {
  it('has 150 float examples of 4 features, 50 per class, in file order', () => {
    const iris = loadIris();
    expect([iris.length, iris.numClasses]).toEqual([150, 3]);
    expect(iris.shape).toEqual([4]);
    expect(iris.images).toBeInstanceOf(Float32Array);
    expect(Array.from(iris.labels.subarray(0, 50)).every((l) => l === 0)).toBe(true);
    const b = iris.batch([0, 50, 100]);
    expect(b.y.toList()).toEqual([0, 1, 2]);
    // Float storage is never scaled: the first flower's sepal is 5.1 × 3.5 cm.
    expect(Array.from(b.x.toArray().subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });
});

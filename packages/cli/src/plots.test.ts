import { describe, expect, it } from 'vitest';
import { curveSpec, renderSvg, yDomain, type CurvePoint } from './plots.js';

const curve = (optimizer: string, seed: number, values: readonly number[], outcome?: CurvePoint['outcome']): CurvePoint[] =>
  values.map((value, i) => ({ optimizer, seed, epoch: i + 1, value, ...(outcome ? { outcome } : {}) }));

describe('yDomain', () => {
  it('pads the data, spans at least minSpan, and stays inside the range', () => {
    // 95.0–95.3 padded to a span of 10 is 90.15–100.15, shifted down to stay under 100.
    const [a, b] = yDomain([95.0, 95.3], { range: [0, 100], minSpan: 10 })!;
    expect(a).toBeCloseTo(90, 12);
    expect(b).toBe(100);
    expect(yDomain([1, 2], { range: [0, 100], minSpan: 10 })).toEqual([0, 10]);
    const [lo, hi] = yDomain([10, 90], { range: [0, 100] })!;
    expect(lo).toBeCloseTo(6, 12);
    expect(hi).toBeCloseTo(94, 12);
    expect(yDomain([0.1, 2, -1], { log: true })).toEqual([0.1 / 1.15, 2 * 1.15]);
  });
});

describe('curveSpec', () => {
  const pts = [...curve('sgd', 0, [70, 85]), ...curve('sgd', 1, [10, 10], 'collapsed'), ...curve('sam', 0, [72, 86]), ...curve('sam', 1, [71, 85])];
  const layers = (spec: unknown) => (spec as { layer: { mark: { type: string; strokeWidth?: number }; encoding: Record<string, { legend?: unknown }> }[] }).layer;

  it('draws each seed thin, the mean thick, and names the collapsed run; legend swatches are opaque line strokes', async () => {
    const spec = curveSpec(pts, { title: 't', yTitle: 'y', order: ['sgd', 'sam'], range: [0, 100] });
    const ls = layers(spec);
    expect(ls.map((l) => `${l.mark.type}:${l.mark.strokeWidth ?? ''}`)).toEqual(['line:1', 'line:2.5', 'text:']);
    for (const l of ls) expect(l.encoding.color!.legend).toEqual({ symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 });
    const svg = await renderSvg(spec);
    expect(svg).toContain('sgd s1 collapsed');
    expect(svg).toContain('2 seeds per optimizer');
  });

  it('puts a t band cut to the range around the mean with more than five seeds', () => {
    const many = Array.from({ length: 6 }, (_, s) => curve('sam', s, [s === 0 ? 10 : 99.9, 99.9])).flat();
    const ls = layers(curveSpec(many, { title: 't', yTitle: 'y', order: ['sam'], range: [0, 100] }));
    expect(ls[0]!.mark.type).toBe('area');
    const band = (ls[0] as unknown as { data: { values: { lo: number; hi: number }[] } }).data.values;
    expect(Math.max(...band.map((b) => b.hi))).toBeLessThanOrEqual(100);
    expect(Math.min(...band.map((b) => b.lo))).toBeGreaterThanOrEqual(0);
  });

  it('draws the loss on a log scale', () => {
    const ls = layers(curveSpec(curve('sgd', 0, [9, 0.2]), { title: 't', yTitle: 'y', order: ['sgd'], log: true }));
    expect((ls.at(-1)!.encoding as unknown as { y: { scale: unknown } }).y.scale).toEqual({ type: 'log', nice: false, domain: [0.2 / 1.15, 9 * 1.15] });
  });
});

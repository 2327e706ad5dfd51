import { describe, expect, it } from 'vitest';
import { contourSpec, sideBySide } from './plots.js';

describe('sharpness plots', () => {
  it('sideBySide lays the SVGs out in one row, each at its own x offset', () => {
    const a = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect/></svg>';
    const b = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="80"><circle/></svg>';
    const s = sideBySide([a, b], 10);
    expect(s).toMatch(/^<svg [^>]*width="140" height="80"/);
    expect(s).toContain('<svg x="0" y="0" xmlns="http://www.w3.org/2000/svg" width="100"');
    expect(s).toContain('<svg x="110" y="0" xmlns="http://www.w3.org/2000/svg" width="30"');
  });

  it('contourSpec puts the largest y in the top row of the grid and honours a shared colour domain', () => {
    const xs = [-1, 0, 1], ys = [-1, 0, 1];
    const loss = ys.map((y) => xs.map((x) => 1 + x + 10 * (y + 1)));
    const spec = contourSpec(xs, ys, loss, 't', { domain: [0.5, 100] }) as unknown as {
      data: { name: string; values?: { values: number[] }[]; transform?: { thresholds: number[] }[] }[];
      scales: { name: string; domain: number[] }[];
    };
    const grid = spec.data.find((d) => d.name === 'grid')!.values![0]!.values;
    expect(grid.slice(0, 3)).toEqual([20, 21, 22]); // y = 1 first
    expect(spec.scales.find((s) => s.name === 'color')!.domain).toEqual([0.5, 100]);
    expect(spec.data.find((d) => d.name === 'contours')!.transform![0]!.thresholds[0]).toBe(0.5);
  });
});

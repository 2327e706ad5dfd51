import { describe, expect, it } from 'vitest';
import { stacked } from './sharpness-figures.js';

const box = (w: number, h: number, id: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><g id="${id}"/></svg>`;

describe('stacked', () => {
  it('places each SVG below the previous one with the gap, as wide as the widest', () => {
    const svg = stacked([box(100, 50, 'a'), box(80, 30, 'b')], 10);
    expect(svg).toMatch(/^<svg[^>]* width="100" height="90" viewBox="0 0 100 90"/);
    expect(svg).toContain('<svg x="0" y="0" xmlns="http://www.w3.org/2000/svg" width="100" height="50"><g id="a"/>');
    expect(svg).toContain('<svg x="0" y="60" xmlns="http://www.w3.org/2000/svg" width="80" height="30"><g id="b"/>');
  });
});

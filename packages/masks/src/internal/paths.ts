import type { Tree } from '@ssam/tensor';

/**
 * The key path of every leaf, in the canonical order of `tree.flatten` (object keys sorted, arrays
 * by index), joined with '.': `{ conv: { w, b }, fc: [w] }` → `conv.b`, `conv.w`, `fc.0`.
 * A bare leaf has the path ''.
 */
export function leafPaths(t: Tree<unknown>): string[] {
  const out: string[] = [];
  const walk = (x: unknown, prefix: string): void => {
    if (x === null || x === undefined) return;
    if (Array.isArray(x)) {
      x.forEach((c, i) => walk(c, prefix ? `${prefix}.${i}` : String(i)));
      return;
    }
    if (typeof x === 'object') {
      const proto = Object.getPrototypeOf(x);
      if (proto === Object.prototype || proto === null) {
        const o = x as Record<string, unknown>;
        for (const k of Object.keys(o).sort()) walk(o[k], prefix ? `${prefix}.${k}` : k);
        return;
      }
    }
    out.push(prefix);
  };
  walk(t, '');
  return out;
}

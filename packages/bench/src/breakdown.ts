// Where the time of a training step goes: wraps a backend's kernels with timers and groups the
// primitives; what is left of the step is autograd, the optimizer and JavaScript glue.
import { PRIMITIVES, withBackend, type Backend, type Kernels, type PrimName } from '@ssam/tensor';

const GROUPS: Record<string, readonly PrimName[]> = {
  'matmul': ['matmul'],
  'conv2d (forward)': ['conv2d'],
  'conv2d gradients': ['conv2dBackInput', 'conv2dBackFilter'],
  'pooling': ['maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward'],
  'elementwise': ['neg', 'abs', 'exp', 'log', 'sqrt', 'sign', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'compare', 'where', 'addcmul'],
  'reductions': ['sum', 'max'],
  'movement (reference kernels)': ['reshape', 'broadcastTo', 'transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd', 'cast'],
};

// A primitive in no group would be counted as 'autograd, optimizer, JS': refuse that at load.
const ungrouped = PRIMITIVES.filter((p) => !Object.values(GROUPS).some((g) => g.includes(p)));
if (ungrouped.length > 0) throw new Error(`bench breakdown: primitives in no group: ${ungrouped.join(', ')}; add them to GROUPS`);

/** Milliseconds per step by primitive group, plus 'autograd, optimizer, JS' and 'step'. */
export function breakdown(base: Backend, makeStep: () => () => unknown, steps = 10): [string, number][] {
  const time = new Map<PrimName, number>();
  const kernels = Object.fromEntries(
    PRIMITIVES.map((p) => [p, (inputs: never, attrs: never) => {
      const t0 = performance.now();
      const out = (base.kernels[p] as (i: never, a: never) => unknown)(inputs, attrs);
      time.set(p, (time.get(p) ?? 0) + performance.now() - t0);
      return out;
    }]),
  ) as unknown as Kernels;
  const timed: Backend = { ...base, kernels };
  const step = withBackend(timed, makeStep);
  for (let i = 0; i < 3; i++) withBackend(timed, step);
  time.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) withBackend(timed, step);
  const total = (performance.now() - t0) / steps;
  const rows: [string, number][] = Object.entries(GROUPS).map(([g, ps]) => [g, ps.reduce((a, p) => a + (time.get(p) ?? 0), 0) / steps]);
  const kernelsMs = rows.reduce((a, [, v]) => a + v, 0);
  return [...rows.filter(([, v]) => v > 0.005), ['autograd, optimizer, JS', total - kernelsMs], ['step', total]];
}

import { describe, it } from 'vitest';
import { probeGpuJs } from './mode.js';

/** The headless-gl probe, shared by the GPU test files. */
export const glProbe = probeGpuJs('headlessgl');

/**
 * `describe` for suites that need a GL context. Without one (no X server, or the native gl package
 * not built) the suite becomes ONE skipped test whose name says why, so the skip is visible in the
 * test report instead of silent.
 */
export function describeGl(name: string, body: () => void): void {
  if (glProbe.isGl) describe(name, body);
  else {
    const why = `SKIPPED (no GL context for gpu.js headlessgl): ${glProbe.reason}`;
    console.warn(`@ssam/tensor-gpu: "${name}" ${why}`);
    describe(name, () => it.skip(why, () => {}));
  }
}

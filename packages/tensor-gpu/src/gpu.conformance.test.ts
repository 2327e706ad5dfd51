import { describe, it } from 'vitest';
import { runConformance } from '@ssam/tensor/testing';
import { gpuBackend, probeGpuJs } from './index.js';

// The shared backend conformance suite, every primitive against the reference backend, with the
// CPU threshold off so that every float32 case runs as a GLSL kernel (headless-gl under Xvfb).
const probe = probeGpuJs('headlessgl');
if (probe.isGl) runConformance(gpuBackend({ mode: 'headlessgl', cpuThreshold: 0 }), { rtol: 1e-4 });
else describe('gpu backend conformance', () => it.skip(`SKIPPED: no GL context for gpu.js headlessgl — ${probe.reason}`, () => {}));

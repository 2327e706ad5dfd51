import { runConformance } from '@ssam/tensor/testing';
import { gpuBackend } from './index.js';
import { describeGl, glProbe } from './gl.test-util.js';

// The shared backend conformance suite, every primitive against the reference backend, with the
// CPU threshold off so that every float32 case runs as a GLSL kernel (headless-gl under Xvfb).
// int32 cases and empty inputs run on the reference backend by design (README: deviations).
if (glProbe.isGl) runConformance(gpuBackend({ mode: 'headlessgl', cpuThreshold: 0 }), { rtol: 1e-4 });
else describeGl('conformance of the gpu backend against reference', () => {});

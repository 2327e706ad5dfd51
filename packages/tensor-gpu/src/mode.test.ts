import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gpuBackend, probeGpuJs } from './index.js';

// These run on any machine: they need neither X nor the native gl package.
describe('gpu.js mode reporting', () => {
  it('reports the kernel class that really ran and never calls WebAssembly a GPU', () => {
    const p = probeGpuJs('webasm');
    expect(p.kernel).toBe('WebAssemblyKernel');
    expect(p.isGl).toBe(false);
    expect(p.reason).toMatch(/ran WebAssemblyKernel, not a GL kernel/);
  });

  it("refuses to build a 'gpu' backend on a non-GL gpu.js kernel", () => {
    expect(() => gpuBackend({ mode: 'cpu' })).toThrow(/refusing to run as a GPU backend: gpu.js mode 'cpu' ran CPUKernel/);
  });

  it("sees mode 'gpu' silently fall back to WebAssembly without a display", () => {
    // A child process without DISPLAY: gpu.js's 'gpu' mode cannot open headless-gl and runs
    // WebAssembly while still calling itself 'gpu'; the probe and the backend say so.
    const code = `
      import { probeGpuJs, gpuBackend } from '@ssam/tensor-gpu';
      const p = probeGpuJs('gpu');
      let refused = '';
      try { gpuBackend({ mode: 'gpu' }); } catch (e) { refused = e.message; }
      console.log(JSON.stringify({ kernel: p.kernel, isGl: p.isGl, refused }));`;
    const env = { ...process.env };
    delete env.DISPLAY;
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
      env, cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kernel: string; isGl: boolean; refused: string };
    expect(out.kernel).toBe('WebAssemblyKernel');
    expect(out.isGl).toBe(false);
    expect(out.refused).toMatch(/refusing to run as a GPU backend: gpu.js mode 'gpu' ran WebAssemblyKernel.*xvfb-run -a/);
  });
});

// One AssemblyScript build for every package with WebAssembly kernels (@ssam/tensor, @ssam/sparse):
// assembly/index.ts → dist/<name>.wasm. A package's scripts/build-wasm.mjs names its output and
// passes its own `import('assemblyscript/asc')` (the compiler resolves from the package).
//   node scripts/build-wasm.mjs            always rebuild
//   node scripts/build-wasm.mjs --if-stale only when a source (or a build script) is newer than the .wasm
// The vitest globalSetups call `buildWasm({ ifStale: true })`, so tests need no prior `pnpm build`.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiler flags. SIMD for the kernels; threads + an imported shared memory so the main thread
 * and the worker threads run one module over one WebAssembly.Memory; the stub runtime because the
 * kernels never allocate (the JavaScript side owns the memory layout); no abort import.
 */
export const ASC_FLAGS = [
  '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=',
  '--enable', 'simd', '--enable', 'threads', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', '65536',
];

/**
 * `scriptUrl`: the package's scripts/build-wasm.mjs (import.meta.url); `outName`: the file under
 * dist/; `loadAsc`: `() => import('assemblyscript/asc')` from that script.
 */
export function wasmBuilder(scriptUrl, outName, loadAsc) {
  const script = fileURLToPath(scriptUrl);
  const pkgDir = path.resolve(path.dirname(script), '..');
  const srcDir = path.join(pkgDir, 'assembly');
  const wasmPath = path.join(pkgDir, 'dist', outName);
  const newestSource = () => {
    let t = Math.max(statSync(script).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
    for (const f of readdirSync(srcDir)) if (f.endsWith('.ts')) t = Math.max(t, statSync(path.join(srcDir, f)).mtimeMs);
    return t;
  };
  async function buildWasm({ ifStale = false, quiet = false } = {}) {
    if (ifStale && existsSync(wasmPath) && statSync(wasmPath).mtimeMs >= newestSource()) return wasmPath;
    mkdirSync(path.dirname(wasmPath), { recursive: true });
    const { default: asc } = await loadAsc();
    let stderr = '';
    const t0 = performance.now();
    const { error } = await asc.main([path.join(srcDir, 'index.ts'), ...ASC_FLAGS, '--outFile', wasmPath], {
      stdout: { write: () => true },
      stderr: { write: (s) => ((stderr += String(s)), true) },
    });
    if (error) throw new Error(`asc failed: ${error.message}\n${stderr}`);
    if (stderr.trim() && !quiet) process.stderr.write(stderr);
    if (!quiet) console.log(`built ${path.relative(pkgDir, wasmPath)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return wasmPath;
  }
  const isMain = scriptUrl === pathToFileURL(process.argv[1] ?? '').href;
  return { wasmPath, buildWasm, run: () => (isMain ? buildWasm({ ifStale: process.argv.includes('--if-stale') }) : undefined) };
}

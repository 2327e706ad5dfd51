import { nodeBuiltins } from './node.js';
import { webAssembly, type WasmModule } from './wasm-api.js';

/**
 * Locates and compiles dist/ssam-kernels.wasm synchronously. The file sits next to the compiled
 * package (dist/backends/wasm/module.js → dist/ssam-kernels.wasm); when running from the
 * TypeScript sources (tests, tsx) it is src/backends/wasm/module.ts → dist/ssam-kernels.wasm.
 * `SSAM_WASM_PATH` overrides the location.
 */
export function loadKernelModule(): WasmModule {
  const node = nodeBuiltins();
  if (!node) throw new Error('the wasm backend needs Node.js >= 20.16 (process.getBuiltinModule)');
  const override = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SSAM_WASM_PATH;
  const candidates = override
    ? [override]
    : [new URL('../../ssam-kernels.wasm', import.meta.url), new URL('../../../dist/ssam-kernels.wasm', import.meta.url)].map((u) =>
        node.url.fileURLToPath(u),
      );
  for (const file of candidates) {
    if (!node.fs.existsSync(file)) continue;
    return new (webAssembly().Module)(node.fs.readFileSync(file));
  }
  throw new Error(
    `ssam-kernels.wasm not found (looked in ${candidates.join(', ')}); build it with ` +
      '`pnpm --filter @ssam/tensor build` (or `node packages/tensor/scripts/build-wasm.mjs`)',
  );
}

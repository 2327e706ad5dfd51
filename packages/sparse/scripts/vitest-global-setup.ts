// Builds dist/ssam-sparse.wasm before the tests when it is missing or older than assembly/.
export default async function setup(): Promise<void> {
  // @ts-expect-error plain ESM build script without type declarations
  const { buildWasm } = await import('./build-wasm.mjs');
  await buildWasm({ ifStale: true, quiet: true });
}

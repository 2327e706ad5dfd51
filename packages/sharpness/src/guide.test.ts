import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The TypeScript of docs/guide/sharpness.md (all its ```ts blocks, in order, as one module) and of
// this package's README run as written, so neither can drift from the API.
const here = path.dirname(fileURLToPath(import.meta.url));
const blocks = (file: string) => [...readFileSync(file, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

async function runAsModule(code: string, tag: string): Promise<string[]> {
  // Imported through vitest, so @ssam/* resolve to their sources like in every test here.
  const file = path.join(here, `.${tag}-${process.pid}.ts`);
  const logs: string[] = [];
  const log = console.log;
  writeFileSync(file, code);
  console.log = (...a: unknown[]) => void logs.push(a.join(' '));
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    console.log = log;
    rmSync(file, { force: true });
  }
  return logs;
}

describe('docs/guide/sharpness.md', () => {
  it('its code runs as written, in order, and prints every measure', async () => {
    const code = blocks(path.join(here, '../../../docs/guide/sharpness.md'));
    expect(code.length).toBeGreaterThanOrEqual(5);
    const logs = await runAsModule(code.join('\n'), 'guide-sharpness');
    const text = logs.join('\n');
    expect(text).toMatch(/λ top-3: -?\d+\.\d{4}, -?\d+\.\d{4}, -?\d+\.\d{4}/);
    expect(text).toMatch(/trace -?\d+\.\d{3} ± \d+\.\d{3} from \d+ probes/);
    expect(text).toMatch(/\d+ nodes in \[/);
    expect(text).toMatch(/m-sharpness \(m = 32, ρ = 0\.05\): \d/);
    const at = /loss at w (\d+\.\d+)/.exec(text);
    expect(Number(at?.[1])).toBeGreaterThan(0);
  });
});

describe('packages/sharpness/README.md', () => {
  it('its example runs as written', async () => {
    const [code] = blocks(path.join(here, '../README.md'));
    const logs = await runAsModule(code!, 'readme-sharpness');
    expect(logs.join('\n')).toMatch(/λ top-3 .*; trace -?\d+\.\d+ ± \d+\.\d+/);
  });
});

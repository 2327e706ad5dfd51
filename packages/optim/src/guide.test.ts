import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docModule } from '../../../tools/check-md-snippets.js';

// docs/guide/custom-optimizer.md shows code that guide.custom-optimizer.test.ts runs; this keeps
// every line of the guide's code in that file, in the same order (indentation aside), so the
// guide cannot drift from the API.
const here = path.dirname(fileURLToPath(import.meta.url));
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

describe('docs/guide/custom-optimizer.md', () => {
  it('every line of its code is in guide.custom-optimizer.test.ts, in order', () => {
    const guide = readFileSync(path.join(here, '../../../docs/guide/custom-optimizer.md'), 'utf8');
    const code = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].flatMap((m) => lines(m[1]!));
    expect(code.length).toBeGreaterThan(20);
    const test = lines(readFileSync(path.join(here, 'guide.custom-optimizer.test.ts'), 'utf8'));
    let j = 0;
    for (const line of code) {
      while (j < test.length && test[j] !== line) j++;
      expect(j < test.length, `guide line not found in order: ${line}`).toBe(true);
      j++;
    }
  });
});

describe('docs/guide/train-with-ssam.md', () => {
  it('its training loop runs as written and learns, and its checkpoint restores', async () => {
    // All of the guide's blocks, joined as tools/check-md-snippets.ts type-checks them.
    const { code } = docModule('docs/guide/train-with-ssam.md');
    expect(code).toBeTruthy();
    // Imported through vitest, so @ssam/* resolve to their sources like in every test here.
    const file = path.join(here, `.guide-train-${process.pid}.ts`);
    const logs: string[] = [];
    const log = console.log;
    writeFileSync(file, code!);
    console.log = (...a: unknown[]) => void logs.push(a.join(' '));
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      console.log = log;
      rmSync(file, { force: true });
    }
    const acc = Number(/test accuracy ([\d.]+)/.exec(logs.join('\n'))?.[1]);
    expect(acc).toBeGreaterThan(0.85);
    expect(logs.join('\n')).toContain('mask density 0.50, passes 2');
    expect(logs).toContain('restored logits equal: true');
  });
});

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docModule } from '../../../tools/check-md-snippets.js';

// The docs' code also RUNS: each Markdown file's ```ts blocks, joined into one module exactly as
// tools/check-md-snippets.ts type-checks them, imported here (so @ssam/* resolve to their sources
// like in every test). A document that is not here is run elsewhere or needs what CI lacks:
//   README.md → cli readme.test.ts; packages/optim, packages/sparse README → their readme.test.ts;
//   docs/guide/train-with-ssam.md and custom-optimizer.md → guide*.test.ts;
//   docs/guide/data.md, packages/data/README.md → the CIFAR-10 files; gpu.md, tensor-gpu README →
//   an OpenGL context; backend-conformance.md → defines vitest suites (tensor's conformance tests
//   run the same calls); packages/cli/README.md → a training run (the cli tests run `main`).
const here = path.dirname(fileURLToPath(import.meta.url));
const RUN = [
  'packages/tensor/README.md',
  'packages/autograd/README.md',
  'packages/masks/README.md',
  'packages/models/README.md',
  'docs/guide/autograd.md',
  'docs/guide/masks.md',
  'docs/guide/models.md',
  'docs/guide/random-and-testing.md',
  'docs/guide/wasm-backend.md',
  'docs/guide/implicit-ssam.md',
  'docs/guide/sam-variants.md',
];

describe('docs snippets run', () => {
  for (const file of RUN) {
    it(`${file}: its code runs as written`, async () => {
      const { code } = docModule(file);
      expect(code).toBeTruthy();
      const tmp = path.join(here, `.doc-run-${process.pid}-${path.basename(path.dirname(file))}-${path.basename(file, '.md')}.ts`);
      const logs: string[] = [];
      const log = console.log;
      writeFileSync(tmp, code!);
      console.log = (...a: unknown[]) => void logs.push(a.map(String).join(' '));
      try {
        await import(/* @vite-ignore */ tmp);
      } finally {
        console.log = log;
        rmSync(tmp, { force: true });
      }
      // a comment like `// true` after a console.log line must hold: those lines print "true"
      const claimsTrue = code!.split('\n').filter((l) => /console\.log\(.*\);\s*\/\/ true\b/.test(l)).length;
      expect(logs.filter((l) => l === 'true').length).toBe(claimsTrue);
    });
  }
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPackage, installAll, packAll, publishedPackages } from './pack-check.js';

// Each published package, installed alone from its tarball into a fresh folder (the npm registry
// for everything that is not @ssam), imported, and its README example run. It needs the registry
// and about a minute and a half, so it runs in CI (CI=true) or with SSAM_PACK_TEST=1.
const enabled = process.env.CI === 'true' || process.env.SSAM_PACK_TEST === '1';

const title = enabled ? 'published tarballs, each installed alone' : 'SKIPPED (needs CI=true or SSAM_PACK_TEST=1: the npm registry and ~90 s): published tarballs';
describe.skipIf(!enabled)(title, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ssam-pack-'));
  const tarballs = enabled ? packAll(work) : new Map<string, string>();
  beforeAll(() => installAll(publishedPackages(), tarballs, work));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs every published package', () => {
    expect([...tarballs.keys()].sort()).toEqual(publishedPackages().map((d) => `@ssam/${d}`).sort());
  });
  for (const dir of publishedPackages())
    it(`@ssam/${dir}: installs alone, imports, runs its README example`, () => {
      const r = checkPackage(dir, tarballs, work, { installed: true });
      expect(r.pkg).toBe(`@ssam/${dir}`);
    });
});

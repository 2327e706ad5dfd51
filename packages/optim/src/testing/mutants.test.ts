import { beforeAll, describe, expect, it } from 'vitest';
import { BUGS, handSsam, type Bug } from './mutants.test-util.js';
import { failingSamLaws, samLaws, type SamLawConfig, type SamLawOptions } from './samLaws.js';

// The kit's laws have teeth: every wrong variant in mutants.test-util.ts fails at least one law
// with the kit's DEFAULT numRuns, steps and seed; every law catches at least one mutant (a law
// that catches none would be decoration); and the correct hand-written variant (float32 norm and
// all) passes every law. The built-in optimizers pass the same laws in sam/laws.prop.test.ts.

const topK: SamLawOptions = { sparse: { refresh: (t) => t % 2 === 0 }, every: true };
const nm: SamLawOptions = { sparse: { pattern: { n: 2, m: 4 }, refresh: (t) => t % 2 === 0 }, problems: { dimMultiple: 4, maxDim: 2, nonConvexity: [0, 3] } };
const variants = (bug?: Bug) => {
  const isNm = bug === 'nm-wrong-axis';
  return { make: (c: SamLawConfig) => handSsam(c, bug, { nm: isNm }), opts: isNm ? nm : topK };
};
// As a dense variant (s = 0: the laws of plain SAM only), for the mistakes that need no mask.
const dense = (bug?: Bug) => (c: SamLawConfig) => handSsam({ ...c, sparsity: 0 }, bug);
const needsMask: readonly Bug[] = ['masked-norm', 'mask-on-descent', 'stale-mask', 'mask-of-twos', 'refresh-off-schedule', 'nm-wrong-axis'];

/** bug → the ids of the laws it fails (every law run, counterexamples not shrunk). */
const caught = new Map<Bug, string[]>();
const lawIds = new Set<string>();

describe('SAM laws: the mutant suite', () => {
  beforeAll(() => {
    for (const bug of BUGS) {
      const { make, opts } = variants(bug);
      const laws = samLaws(make, opts, { shrink: false });
      laws.forEach((l) => lawIds.add(l.id));
      caught.set(bug, laws.flatMap((l) => {
        try {
          l.check();
          return [];
        } catch {
          return [l.id];
        }
      }));
    }
  }, 60_000);

  it('the correct hand-written SSAM passes every law: top-k and 2:4 masks, and as a dense variant', () => {
    for (const v of [variants(), { make: (c: SamLawConfig) => handSsam(c, undefined, { nm: true }), opts: nm }]) expect(failingSamLaws(v.make, v.opts)).toEqual([]);
    expect(failingSamLaws(dense(), { every: true })).toEqual([]);
  });

  it(`has at least 10 mutants (${BUGS.length})`, () => expect(BUGS.length).toBeGreaterThanOrEqual(10));

  for (const bug of BUGS)
    it(`catches '${bug}'`, () => {
      expect(caught.get(bug)!.length, `no law caught '${bug}'`).toBeGreaterThan(0);
      if (needsMask.includes(bug)) return;
      const failed = failingSamLaws(dense(bug), { every: true }, { firstOnly: true });
      expect(failed.length, `as a dense variant, no law caught '${bug}'`).toBeGreaterThan(0);
      // the failure names the law and a readable counterexample, with the seed to replay it
      expect(failed[0]!.error).toMatch(/seed: 1717/);
    });

  it('every law catches at least one mutant', () => {
    const used = new Set([...caught.values()].flat());
    expect(lawIds.size).toBe(11);
    expect([...lawIds].filter((n) => !used.has(n))).toEqual([]);
  });
});

// Interleaved timing: every round runs each contender once, in turn, so slow drifts of a shared
// machine (other processes, frequency) hit all contenders alike; medians over the rounds.

export interface Contender {
  readonly name: string;
  /** Runs before each timed call, untimed (e.g. switching the TensorFlow.js backend). */
  readonly before?: () => Promise<void> | void;
  readonly run: () => unknown;
  /** Cap on timed rounds for a slow contender (it sits out the later rounds). */
  readonly maxRounds?: number;
}

export interface Samples {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Samples {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, samples };
}

export async function timeInterleaved(contenders: readonly Contender[], rounds: number, warmup = 2): Promise<Map<string, Samples>> {
  const raw = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < warmup + rounds; r++)
    for (const c of contenders) {
      // a capped contender warms up once and is timed in the first `maxRounds` rounds only
      const ownWarmup = c.maxRounds === undefined ? warmup : Math.min(warmup, 1);
      if (r < warmup ? r >= ownWarmup : r - warmup >= (c.maxRounds ?? rounds)) continue;
      await c.before?.();
      const t0 = performance.now();
      c.run();
      const dt = performance.now() - t0;
      if (r >= warmup) raw.get(c.name)!.push(dt);
    }
  return new Map([...raw].map(([k, v]) => [k, summarize(v)]));
}

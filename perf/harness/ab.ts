/**
 * A/B(/C) measurement: contenders run alternately, round after round, the order rotating each
 * round so none is always first (warm caches, GC debt). Keeps every sample, the median and the
 * best. Bounded by rounds and time.
 */
import { boundedLoop } from './bounded';
import { median } from './stats';

/** What one contender measured over the rounds. */
export interface ContenderStats {
  samples: number[];
  median: number;
  /** The best sample: the largest when `better` is `higher`, else the smallest. */
  best: number;
  /** The error of the first failed round, if any (the contender is skipped after it). */
  error?: Error;
}

/**
 * The order of `count` contenders in round `round`: a shuffle, the same for the same round in
 * every run (a fixed-seed generator). Over many rounds each contender comes first, and runs
 * right after each other one, about as often: none always follows the same one and pays for its
 * leftover work (the official SDK's fetch, for one, leaves stream cleanup to the turn after a
 * call), as a fixed rotation made the SDK pay for the peer's.
 */
export function roundOrder(round: number, count: number): number[] {
  // mulberry32, seeded by the round: small, fast and well spread for a shuffle.
  let seed = (round + 1) * 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  // Nearby seeds start alike: the first draws are thrown away.
  for (let i = 0; i < 4; i++) random();
  const order = Array.from({ length: count }, (_, k) => k);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Runs each contender once per round (each returns one measure, e.g. MB/s or ms), for at most
 * `rounds` rounds and `maxMs`. A contender that throws is reported with its error and dropped.
 */
export async function alternate<K extends string>(
  contenders: Record<K, () => Promise<number>>,
  opts: { rounds: number; maxMs: number; better: 'higher' | 'lower' },
): Promise<Record<K, ContenderStats>> {
  const names = Object.keys(contenders) as K[];
  const out = {} as Record<K, ContenderStats>;
  for (const name of names) out[name] = { samples: [], median: NaN, best: NaN };
  await boundedLoop({ maxCount: opts.rounds, maxMs: opts.maxMs }, async (round) => {
    for (const at of roundOrder(round, names.length)) {
      const name = names[at]!;
      const stats = out[name];
      if (stats.error) continue;
      try {
        stats.samples.push(await contenders[name]());
      } catch (error) {
        stats.error = error instanceof Error ? error : new Error(String(error));
      }
    }
  });
  for (const name of names) {
    const s = out[name];
    s.median = median(s.samples);
    s.best = s.samples.length
      ? opts.better === 'higher'
        ? Math.max(...s.samples)
        : Math.min(...s.samples)
      : NaN;
  }
  return out;
}

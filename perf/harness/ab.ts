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
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
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

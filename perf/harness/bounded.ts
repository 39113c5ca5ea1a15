/** Loops with two bounds: a count and a time. Every loop in perf/ goes through one of these. */
import { msSince } from './stats';

/** Why a bounded loop stopped. */
export interface LoopOutcome {
  count: number;
  elapsedMs: number;
  stoppedBy: 'count' | 'time';
}

/**
 * Runs `body(i)` for i = 0.. until `maxCount` iterations or `maxMs` have passed (checked before
 * each iteration; at least `minCount` run regardless of time, default 1).
 */
export async function boundedLoop(
  bounds: { maxCount: number; maxMs: number; minCount?: number },
  body: (i: number) => Promise<void> | void,
): Promise<LoopOutcome> {
  const start = process.hrtime.bigint();
  const min = Math.min(bounds.minCount ?? 1, bounds.maxCount);
  let i = 0;
  for (; i < bounds.maxCount; i++) {
    if (i >= min && msSince(start) >= bounds.maxMs)
      return { count: i, elapsedMs: msSince(start), stoppedBy: 'time' };
    await body(i);
  }
  return { count: i, elapsedMs: msSince(start), stoppedBy: 'count' };
}

/** Rejects with `what` timed out after `ms` unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `tasks` with at most `limit` in flight; results in order, failures as Error values. */
export async function pool<T>(
  count: number,
  limit: number,
  task: (i: number) => Promise<T>,
): Promise<Array<T | Error>> {
  const out = new Array<T | Error>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        out[i] = await task(i);
      } catch (error) {
        out[i] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}

/**
 * The tally of a worker's settled sessions. Its own module, below both sessions.ts (which imports
 * the workers' input and output types) and the workers that count with it: no import circle.
 */

/** How many sessions succeeded, failed (with the first failure) and their final tokens in all. */
export function tally<T>(
  out: Array<PromiseSettledResult<T>>,
  finals: (value: T) => number,
): { ok: number; failed: number; firstError?: string; finals: number } {
  const failed = out.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  return {
    ok: out.length - failed.length,
    failed: failed.length,
    ...(failed[0] ? { firstError: String(failed[0].reason) } : {}),
    finals: out.reduce((n, o) => n + (o.status === 'fulfilled' ? finals(o.value) : 0), 0),
  };
}

/**
 * The tally of the same sessions run twice (a cold round, then a warm one): sessions that ended
 * well in both, every failure of either, the warm round's final tokens.
 */
export function tallyRounds(
  cold: Array<PromiseSettledResult<number>>,
  warm: Array<PromiseSettledResult<number>>,
): { ok: number; failed: number; firstError?: string; finals: number } {
  const first = tally(cold, (finals) => finals);
  const second = tally(warm, (finals) => finals);
  const firstError = first.firstError ?? second.firstError;
  return {
    ok: Math.min(first.ok, second.ok),
    failed: first.failed + second.failed,
    ...(firstError && { firstError }),
    finals: second.finals,
  };
}

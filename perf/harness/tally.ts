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

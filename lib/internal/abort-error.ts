/**
 * The SDK error for an aborted wait or call. Shared by the HTTP layer, realtime, the batch runner
 * and the helpers below them, so it lives under them all.
 */
import { SonioxAbortError, SonioxTimeoutError, type SonioxError } from '../errors';

/** The abort reason as an SDK error: a deadline (`AbortSignal.timeout`) or the caller's abort. */
export function abortError(signal: AbortSignal, what: string): SonioxError {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === 'TimeoutError') return new SonioxTimeoutError(`${what}: deadline exceeded`);
  return new SonioxAbortError(`${what}: aborted`);
}

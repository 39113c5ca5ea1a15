/**
 * The retry policy's tunables and the backoff they give. REST retries (http/retry.ts), realtime
 * reconnects and the client's config all read them, so they sit below those layers.
 */

/** Tunables of the policy. */
export interface RetryPolicyOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries: number;
  /** First backoff ceiling in ms (default 500). */
  baseDelayMs: number;
  /** Largest computed backoff in ms (default 8 000). */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured, in ms (default 60 000); longer fails at once with a rate-limit error. */
  maxRetryAfterMs: number;
}

/** Defaults of {@link RetryPolicyOptions}. */
export const DEFAULT_RETRY_POLICY: RetryPolicyOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Exponential backoff with full jitter: a random delay in `[0, min(maxDelayMs, baseDelayMs * 2^(retry-1)))`.
 * `retry` counts from 1 (the first retry).
 */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicyOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

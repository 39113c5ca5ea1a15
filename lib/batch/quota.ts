/**
 * Quota waits. The account's quotas (pending transcriptions, stored files, stored
 * transcriptions) answer 429 `limit_exceeded` or 400 `invalid_request`; the batch waits and tries
 * again instead of failing the input. One gate per quota, shared by every slot: when one slot
 * meets the quota the others wait too instead of hammering it, and a delete made by the batch
 * itself opens the gate at once.
 */
import {
  SonioxAPIError,
  SonioxRateLimitError,
  SonioxTimeoutError,
  type SonioxError,
} from '../errors';
import { abortError } from '../internal/abort-error';

/** The quotas the batch waits on. */
export type QuotaKind = 'files' | 'transcriptions';

/**
 * Whether an API error is a full quota rather than a bad input: a 429 (a rate limit, or a quota
 * answered as one), or an error typed with the quota it met where it was made (lib/quota.ts,
 * the one place that reads the API's answer for it). A file over the size limit is a bad input,
 * and is refused before upload anyway.
 */
export function isQuotaAnswer(error: unknown): boolean {
  if (error instanceof SonioxRateLimitError) return true;
  return error instanceof SonioxAPIError && error.quota !== undefined;
}

/** Timings of the waits. */
export interface QuotaTimings {
  /** First wait in ms; doubles at each answer in a row. */
  firstMs: number;
  /** Longest single wait in ms. */
  maxMs: number;
  /** Longest total wait of one input in ms. */
  timeoutMs: number;
}

/** One quota's gate: closed for a while after a quota answer, open otherwise. */
export class QuotaGate {
  /** Answers in a row since the last success: the backoff exponent. */
  private strikes = 0;
  private closedUntil = 0;
  /** Waiters to wake when the gate opens early. */
  private readonly waiters = new Set<() => void>();

  constructor(private readonly timings: QuotaTimings) {}

  /** Records a quota answer: closes the gate for the backoff (or the server's Retry-After). */
  refused(retryAfterMs: number | undefined): void {
    const backoff = Math.min(this.timings.maxMs, this.timings.firstMs * 2 ** this.strikes);
    this.strikes = Math.min(this.strikes + 1, 30);
    const wait = Math.min(this.timings.maxMs, Math.max(backoff, retryAfterMs ?? 0));
    this.closedUntil = Math.max(this.closedUntil, Date.now() + wait);
  }

  /** Records a success: the quota has room, the next answer starts the backoff afresh. */
  accepted(): void {
    this.strikes = 0;
  }

  /** Opens the gate now (the batch freed a slot of this quota). */
  open(): void {
    this.closedUntil = 0;
    this.strikes = 0;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves when the gate is open. Rejects with SonioxTimeoutError past `deadline` (an epoch
   * ms), or with the abort error when `signal` aborts.
   */
  async pass(deadline: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    while (Date.now() < this.closedUntil) {
      if (Date.now() >= deadline) {
        throw new SonioxTimeoutError(
          `${what}: the account's quota stayed full for ${this.timings.timeoutMs} ms`,
          this.timings.timeoutMs,
        );
      }
      await this.nap(Math.min(this.closedUntil, deadline) - Date.now(), signal, what);
    }
  }

  /** Sleeps `ms` (the global setTimeout: fake clocks drive it) unless opened or aborted first. */
  private nap(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal, what));
      const settle = (error?: SonioxError) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const wake = () => settle();
      const onAbort = () => settle(abortError(signal as AbortSignal, what));
      const timer = setTimeout(wake, Math.max(0, ms));
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

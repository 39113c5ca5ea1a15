/**
 * The adaptive rate limiter, after AWS's "adaptive" retry mode: a client that never saw a 429
 * sends at once; the first 429 turns on a token bucket filled at 0.7 times the rate the client
 * was sending at (never below 0.9 times the rate the server accepted over the last second), each
 * later round of 429s cuts it again, and while calls succeed the rate stays on a plateau, then
 * grows along a cubic curve (CUBIC congestion control) to probe for more.
 * The client's calls (every attempt, retries included) wait in one FIFO queue for a token: a
 * burst above the server's rate is delivered late rather than failed, and the wait spends none of
 * a call's retries.
 *
 * Unlike AWS, one round of 429s cuts the rate once: a 429 to an attempt that took its token
 * before the last cut says nothing about the new rate (hundreds of calls in flight would
 * otherwise drive it to the floor at once).
 */

/** Lowest rate, in calls per second. */
export const MIN_RATE = 1;
/** Calls sent over the last second below which a first 429 does not turn the limiter on. */
export const MIN_SENDS = 10;
/** The cut on a 429 (AWS's beta). */
const BETA = 0.7;
/** CUBIC's scaling constant (AWS's), rates in calls per second and time in seconds. */
const SCALE = 0.4;
/** The span over which the send rate is measured, in ms. */
const WINDOW_MS = 1000;
/** Share of the rate accepted over the last second below which a cut never goes. */
const FLOOR_SHARE = 0.9;

/** The limiter's state and decisions, on a clock given to each method (ms): no timers. */
export class AdaptiveRate {
  /** Whether a 429 has been seen (until then, calls are never held). */
  enabled = false;
  /** Calls per second allowed. */
  fillRate = Infinity;
  private tokens = 0;
  private lastRefill = 0;
  /** The rate before the last cut, and when it was cut. */
  private lastMaxRate = 0;
  private lastCut = -Infinity;
  /** Send times over the last WINDOW_MS, oldest first. */
  private readonly sends: number[] = [];
  /** Times of answers other than 429 over the last WINDOW_MS, oldest first. */
  private readonly accepted: number[] = [];

  /** How long (ms) the next call must wait for a token; 0: it may go now. */
  waitFor(now: number): number {
    if (!this.enabled) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.fillRate) * 1000;
  }

  /** A call goes now: takes its token and counts it in the send rate. */
  take(now: number): void {
    this.sends.push(now);
    this.trim(now);
    if (!this.enabled) return;
    this.refill(now);
    this.tokens -= 1;
  }

  /**
   * Calls sent over the last second. A burst younger than a second counts as its size, not as
   * its rate: the first cut after a burst is then a cautious one.
   */
  measuredRate(now: number): number {
    this.trim(now);
    return (this.sends.length * 1000) / WINDOW_MS;
  }

  /** The server answered 429 to an attempt that took its token at `sentAt`. */
  onThrottle(sentAt: number, now: number): void {
    if (sentAt < this.lastCut) return;
    // A 429 among a handful of calls is no rate to learn: their own Retry-After waits suffice.
    this.trim(now);
    if (!this.enabled && this.sends.length < MIN_SENDS) return;
    const measured = this.measuredRate(now);
    const current = this.enabled ? Math.min(measured, this.fillRate) : measured;
    this.lastCut = now;
    // While throttled, the server lets through about its rate: the answers it accepted over the
    // last second bound the cut from below (many calls in flight would otherwise cut it too far).
    trim(this.accepted, now);
    const floor = Math.min(current, this.accepted.length * FLOOR_SHARE);
    this.setRate(Math.max(current * BETA, floor), now);
    // The curve grows back from 0.7 times this to it, then probes above it. Unlike CUBIC (and
    // AWS), the plateau is the new rate rather than the one that was refused: the refused rate
    // is measured over bursts of retries and would bring the 429s straight back.
    this.lastMaxRate = this.fillRate;
    // One call may go at once (a lone call's retry waits for Retry-After alone), but no burst
    // saved up at the old rate: the calls waiting go out at the new one.
    this.tokens = this.enabled ? Math.min(this.tokens, 1) : 1;
    this.enabled = true;
  }

  /** An attempt got an answer other than 429: the rate grows back (at most twice the measured rate). */
  onSuccess(now: number): void {
    this.accepted.push(now);
    trim(this.accepted, now);
    if (!this.enabled) return;
    const k = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE);
    const t = (now - this.lastCut) / 1000;
    const cubic = SCALE * (t - k) ** 3 + this.lastMaxRate;
    this.setRate(Math.max(this.fillRate, Math.min(cubic, 2 * this.measuredRate(now))), now);
  }

  private setRate(rate: number, now: number): void {
    this.refill(now);
    this.fillRate = Math.max(MIN_RATE, rate);
  }

  private refill(now: number): void {
    if (this.enabled && Number.isFinite(this.fillRate)) {
      // At most 100 ms worth saved up, at least one call: AWS saves a second's worth, but a
      // server whose burst is smaller than its rate would refuse most of such a burst.
      const capacity = Math.max(1, this.fillRate / 10);
      this.tokens = Math.min(
        capacity,
        this.tokens + ((now - this.lastRefill) / 1000) * this.fillRate,
      );
    }
    this.lastRefill = now;
  }

  private trim(now: number): void {
    trim(this.sends, now);
  }
}

/** Drops the times older than WINDOW_MS from a list kept oldest first. */
function trim(times: number[], now: number): void {
  let old = 0;
  while (old < times.length && (times[old] ?? now) <= now - WINDOW_MS) old += 1;
  if (old > 0) times.splice(0, old);
}

/** The reason a signal aborted with, as an Error (AbortSignal.abort() gives a DOMException, which is one). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}

interface Waiter {
  resolve: (sentAt: number) => void;
  reject: (reason: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** The FIFO queue in front of an {@link AdaptiveRate}: one per client, shared by its calls. */
export class AdaptiveLimiter {
  private readonly waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly rate: AdaptiveRate = new AdaptiveRate(),
    // Date.now, not performance.now: a fake clock that fakes Date drives the queue and the
    // rate alike (setTimeout and Date are faked together).
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Calls waiting for a token. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Resolves when the call may go, with the time it took its token (pass it to `onThrottle`);
   * rejects with the signal's reason if it aborts first.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.now();
    if (this.waiters.length === 0 && this.rate.waitFor(now) === 0) {
      this.rate.take(now);
      return Promise.resolve(now);
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(abortReason(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** An attempt that took its token at `sentAt` was answered 429. */
  onThrottle(sentAt: number): void {
    this.rate.onThrottle(sentAt, this.now());
  }

  /** An attempt was answered with anything but 429. */
  onSuccess(): void {
    this.rate.onSuccess(this.now());
  }

  /** Stops the pump and rejects every waiting call (the client is closing). */
  close(reason: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(reason);
    }
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const wait = this.rate.waitFor(this.now());
    this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
  }

  private pump(): void {
    this.timer = undefined;
    while (this.waiters.length > 0) {
      const now = this.now();
      if (this.rate.waitFor(now) > 0) break;
      const waiter = this.waiters.shift();
      if (!waiter) break;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.rate.take(now);
      waiter.resolve(now);
    }
    this.schedule();
  }
}

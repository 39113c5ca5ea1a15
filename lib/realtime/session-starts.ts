/**
 * The starts of one stream's sessions under the client's session limiter (adaptiveRate): each
 * connection takes a token first; a result from the server admits the session (the limiter
 * hears of the success); a 429 before that is a start the account's limits refused (the
 * limiter hears of the throttle), which may be queued and started again (see
 * mayRetryRefusedStart). Without a limiter every start goes at once and no refusal is retried.
 * With the client's session slots (the account's concurrency limit, session-slots.ts), the
 * stream holds one slot from its first start to its end; a refused start gives it back and
 * queues for it again, so that the refusal lowers the client's ceiling.
 */
import type { SonioxWebSocketError } from '../errors';
import type { AdaptiveLimiter } from '../internal/adaptive-rate';
import type { RealtimePhase } from './phase';
import type { SessionSlots } from './session-slots';
import { mayRetryRefusedStart, rateLimitedStartDelay } from './reconnect';

/** One stream's session starts (see the file comment). */
export class SessionStarts {
  /** When the current connection took its token. */
  private tokenAt = 0;
  private admittedNow = false;
  /** Refused starts tried again so far. */
  retries = 0;
  /** When the account's limits first refused a start of this stream. */
  private firstRefusedAt: number | undefined;

  /** Whether this stream holds one of the client's session slots. */
  private holding = false;

  constructor(
    private readonly limiter: AdaptiveLimiter | undefined,
    private readonly slots?: SessionSlots | undefined,
  ) {}

  /** Whether refused starts are queued and retried (the client's adaptiveRate). */
  get limited(): boolean {
    return this.limiter !== undefined;
  }

  /** Whether the server answered the current connection with a result. */
  get admitted(): boolean {
    return this.admittedNow;
  }

  /** Waits for the limiter's token before a new connection (rejects when `signal` aborts). */
  async acquire(signal: AbortSignal): Promise<void> {
    this.admittedNow = false;
    if (this.slots && !this.holding) {
      await this.slots.acquire(signal);
      this.holding = true;
      // Aborted as the slot came: the stream's end (release()) has passed already.
      if (signal.aborted) this.release();
    }
    if (this.limiter) this.tokenAt = await this.limiter.acquire(signal);
  }

  /** The stream is done: its slot goes back to the client's next waiting start. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.slots?.release();
  }

  /** The server answered with a result; true the first time for this connection. */
  admit(): boolean {
    if (this.admittedNow) return false;
    this.admittedNow = true;
    this.limiter?.onSuccess();
    return true;
  }

  /**
   * The connection failed with `error`: whether it is a refused start (a 429 before admission),
   * which the limiter learns from whoever retries it.
   */
  refused(error: SonioxWebSocketError): boolean {
    const refused = error.serverCode === 429 && !this.admittedNow;
    if (refused) this.limiter?.onThrottle(this.tokenAt);
    if (refused && this.holding) {
      // Fewer sessions fit than the client thought: the ceiling drops, the start queues again.
      this.slots?.refused();
      this.release();
    }
    return refused;
  }

  /**
   * The wait before starting again a refused start, in `phase` with its audio `replayable`;
   * undefined when it may not be (no limiter, a done stream, two minutes of refusals).
   */
  retryDelay(phase: RealtimePhase, replayable: boolean, now = Date.now()): number | undefined {
    if (!this.limiter) return undefined;
    this.firstRefusedAt ??= now;
    const retry = mayRetryRefusedStart({
      serverCode: 429,
      phase,
      admitted: this.admittedNow,
      waitedMs: now - this.firstRefusedAt,
      replayable,
    });
    if (!retry) return undefined;
    this.retries += 1;
    return rateLimitedStartDelay(this.retries);
  }
}

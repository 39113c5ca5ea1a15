/**
 * The per-call state of one transport call, in one typed place. axios hands its interceptors and
 * axios-retry's hooks a merged copy of the request config on every attempt; a field declared
 * once on axios' config type (below) rides along by reference, so every hook reaches the same
 * CallContext without a cast.
 */
import type { Readable } from 'node:stream';
import { SonioxError } from '../errors';
import { flowAge, type TransportRequest } from './call-options';
import { flowTicket } from './admission';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** The SDK's state of the call this attempt belongs to (set by the transport only). */
    sonioxCall?: CallContext;
  }
}

/** What the transport knows about one call across its attempts (a class, so axios keeps the reference). */
export class CallContext {
  /** Attempts started so far (1 for the first). */
  attempt = 0;
  /** Retries the call may make (its own or the client's), resends after a lookup included. */
  maxRetries = 0;
  /** Each attempt's inactivity timeout, in ms. */
  timeoutMs = 0;
  /**
   * The call's place in the pool's queue (admission.ts): its flow's ticket, or its own taken now.
   * Every attempt and the exactly-once lookup keep it.
   */
  readonly age: number;
  /** When the call was first sent (ms since the epoch): the start of a lookup's window. */
  readonly sentAt = Date.now();
  /**
   * What an exactly-once lookup settled the call with instead of a retry: the item the create
   * made, or the error the call ends with (outcome unknown, or the abort or close that cut it).
   */
  settled: { item: unknown } | { error: unknown } | undefined;
  /** When this attempt took its token from the adaptive limiter. */
  tokenAt = 0;
  /** When this attempt started (performance.now()). */
  startedAt = 0;
  /** The delay axios-retry waits before the next attempt. */
  delayMs = 0;
  /** A one-shot body was (partly) consumed by a failed attempt: nothing can be re-sent. */
  notReplayable = false;
  /** A Retry-After over the client's cap: the call gives up rather than wait that long. */
  cappedRetryAfterMs: number | undefined;
  /** The server's last Retry-After, in ms. */
  serverRetryAfterMs: number | undefined;
  /** This attempt's body stream. */
  current: Readable | undefined;
  /** An SDK error the body stream failed with (wrong size, onProgress threw): reported as is, never retried. */
  localError: SonioxError | undefined;

  constructor(
    readonly req: TransportRequest,
    /** The call's own signal (the caller's, followed, and close()). */
    readonly signal: AbortSignal,
  ) {
    this.age = req[flowAge] ?? flowTicket();
  }

  /** Takes this attempt's body stream, watching it for a local failure. */
  use(stream: Readable): Readable {
    this.current = stream;
    stream.once('error', (error) => {
      if (error instanceof SonioxError) this.localError ??= error;
    });
    return stream;
  }
}

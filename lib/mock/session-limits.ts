/**
 * The limits a realtime session lives under, modelled on the Soniox documentation: the
 * real-time cadence ("prolonged bursts or lags may result in disconnection"), the 300-minute
 * stream duration, a temporary key's `max_session_duration_seconds`, and the size of the
 * context. Each violation is reported once, as the error the session must end with.
 */
import type { StructuredContext } from '../types';
import type { MockCadence } from './contracts';

/** The defaults of the cadence rule and the limits. */
export const SESSION_DEFAULTS = {
  maxAheadMs: 60_000,
  streamDurationMs: 300 * 60_000,
  realtimeContextChars: 10_000,
  // The current context page: ~10,000 characters for async and realtime alike (was 20,000).
  asyncContextChars: 10_000,
} as const;

/** An error a session ends with: the realtime error frame's code, type and message. */
export interface SessionViolation {
  code: number;
  type: string;
  message: string;
}

/** Characters of a context: a plain string's length, or the sum over a structured one's strings. */
export function contextChars(context: StructuredContext | string | null | undefined): number {
  if (context == null) return 0;
  if (typeof context === 'string') return context.length;
  let n = context.text?.length ?? 0;
  for (const g of context.general ?? []) n += g.key.length + g.value.length;
  for (const term of context.terms ?? []) n += term.length;
  for (const t of context.translation_terms ?? []) n += t.source.length + t.target.length;
  return n;
}

/** The message for a context over `limit` characters, or undefined when it fits. */
export function contextProblem(
  context: StructuredContext | string | null | undefined,
  limit: number,
): string | undefined {
  const n = contextChars(context);
  return n > limit ? `Context is too long (${n} characters, at most ${limit}).` : undefined;
}

/**
 * Watches one session's clock: arms the duration timer (the stream limit, or the temporary
 * key's if shorter) and checks the cadence as audio arrives.
 */
export class SessionClock {
  private firstAudioAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cadence: Required<MockCadence> | undefined,
    private readonly onViolation: (v: SessionViolation) => void,
  ) {}

  /** Starts the duration limit: the stream's, or the temporary key's when it is shorter. */
  start(streamDurationMs: number, keySessionMs: number | undefined): void {
    const keyShorter = keySessionMs !== undefined && keySessionMs < streamDurationMs;
    const violation: SessionViolation = keyShorter
      ? {
          code: 403,
          type: 'temp_api_key_session_expired',
          message: `The temporary API key's maximum session duration (${keySessionMs / 1000} s) was exceeded.`,
        }
      : {
          code: 400,
          type: 'invalid_request',
          message: `Maximum stream duration (${streamDurationMs / 60_000} minutes) reached.`,
        };
    // setTimeout holds 32-bit delays: a longer limit is as good as none for a test process.
    const ms = Math.min(keyShorter ? keySessionMs : streamDurationMs, 2 ** 31 - 1);
    this.timer = setTimeout(() => this.onViolation(violation), ms);
  }

  /** Checks the cadence after audio: `receivedMs` of audio in total so far. */
  audio(receivedMs: number): void {
    const now = Date.now();
    if (this.firstAudioAt === 0) this.firstAudioAt = now;
    if (!this.cadence) return;
    const ahead = receivedMs - (now - this.firstAudioAt);
    if (ahead > this.cadence.maxAheadMs)
      this.onViolation({
        code: 400,
        type: 'invalid_request',
        message: `Audio is arriving faster than real time (${Math.round(ahead / 1000)} s ahead, at most ${this.cadence.maxAheadMs / 1000} s); send it at real-time pace.`,
      });
  }

  /** Clears the duration timer. */
  stop(): void {
    clearTimeout(this.timer);
  }
}

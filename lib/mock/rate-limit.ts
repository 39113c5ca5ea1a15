/**
 * The mock's rate limiter (docs/api.md §3 and §8.6): REST requests per second as a token
 * bucket (per key or global) answered with 429 `limit_exceeded` and a `Retry-After`; realtime
 * concurrent sessions and new sessions per minute answered with the API's error message. Time
 * comes from `Date.now()`, so sinon fake timers drive it in specs.
 */
import type { MockRateLimit } from './contracts';

/** What the limiter says about a request: go, or wait this long. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** What it says about a new realtime session. */
export type SessionDecision =
  { allowed: true } | { allowed: false; errorType: string; message: string };

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

/** Counters the benchmarks and specs read. */
export interface RateLimitCounters {
  /** REST requests answered 429 by the limiter. */
  rejected: number;
  /** REST requests the limiter let through. */
  allowed: number;
  /** Realtime sessions refused (either limit). */
  sessionsRejected: number;
}

/** The limiter of one mock server. Without options, it allows everything. */
export class RateLimiter {
  readonly counters: RateLimitCounters = { rejected: 0, allowed: 0, sessionsRejected: 0 };
  private readonly buckets = new Map<string, Bucket>();
  private readonly active = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();

  /** The limits in force: a copy of the options, so a spec that changes one server's leaves the options (and the next server made from them) alone. */
  readonly limits: MockRateLimit;

  constructor(limits: MockRateLimit = {}) {
    this.limits = { ...limits };
    for (const [name, value] of Object.entries(limits)) {
      if (typeof value === 'number' && !(value > 0))
        throw new Error(`rateLimit.${name} must be a positive number, got ${value}`);
    }
  }

  private scope(key: string | undefined): string {
    return this.limits.perKey === false ? '*' : (key ?? '');
  }

  /** Takes one token for a REST request with `key`, or says how long until one is free. */
  request(key: string | undefined, now = Date.now()): RateDecision {
    const rps = this.limits.requestsPerSecond;
    if (rps === undefined) return { allowed: true };
    const burst = this.limits.burst ?? rps;
    const scope = this.scope(key);
    const bucket = this.buckets.get(scope) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rps);
    bucket.at = now;
    this.buckets.set(scope, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.counters.allowed += 1;
      return { allowed: true };
    }
    this.counters.rejected += 1;
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / rps) * 1000) };
  }

  /** Admits a new realtime session for `key` (call `sessionEnded` when an admitted one ends). */
  sessionStart(key: string | undefined, now = Date.now()): SessionDecision {
    const scope = this.scope(key);
    const max = this.limits.realtimeConcurrentSessions;
    if (max !== undefined && (this.active.get(scope) ?? 0) >= max) {
      this.counters.sessionsRejected += 1;
      return {
        allowed: false,
        errorType: 'max_concurrent_connections_reached',
        message: `Maximum number of concurrent connections (${max}) reached.`,
      };
    }
    const perMinute = this.limits.realtimeSessionsPerMinute;
    if (perMinute !== undefined) {
      const recent = (this.starts.get(scope) ?? []).filter((t) => now - t < MINUTE_MS);
      this.starts.set(scope, recent);
      if (recent.length >= perMinute) {
        this.counters.sessionsRejected += 1;
        return {
          allowed: false,
          errorType: 'limit_exceeded',
          message: `Too many new sessions: at most ${perMinute} per minute.`,
        };
      }
      recent.push(now);
    }
    this.active.set(scope, (this.active.get(scope) ?? 0) + 1);
    return { allowed: true };
  }

  /** Releases a session admitted by `sessionStart`. */
  sessionEnded(key: string | undefined): void {
    const scope = this.scope(key);
    const n = (this.active.get(scope) ?? 0) - 1;
    if (n > 0) this.active.set(scope, n);
    else this.active.delete(scope);
  }

  /** Realtime sessions admitted and not yet ended, per scope. */
  activeSessions(key?: string): number {
    return this.active.get(this.scope(key)) ?? 0;
  }

  /** Realtime sessions admitted and not yet ended, of every key (the mock is one project). */
  totalActiveSessions(): number {
    let total = 0;
    for (const n of this.active.values()) total += n;
    return total;
  }
}

/** The `Retry-After` headers of a refusal: whole seconds (at least 1), plus `retry-after-ms` when asked for. */
export function rateLimitHeaders(
  retryAfterMs: number,
  limits: MockRateLimit,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  };
  if (limits.retryAfterMsHeader) headers['retry-after-ms'] = String(retryAfterMs);
  return headers;
}

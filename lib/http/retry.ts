/**
 * The retry policy, as small pure functions (got's style): which failures may be retried, how
 * long to wait, and when a server's `Retry-After` is too long to honour. axios-retry runs them.
 *
 * The POST rule is the one that protects users' money: a POST is retried only where the server
 * cannot have acted on it: 429, 503, a failure before the connection was made, or a connection
 * that broke before the request's last byte was written (no server acts on half a request). A
 * POST that was written whole and then met a reset, a close or a timeout may have created (and
 * billed) a job, stored a file or minted a key: it is never retried, reused socket or not.
 */
import { backoffDelay, type RetryPolicyOptions } from '../internal/backoff';

/** What is known about a failed attempt, independent of axios. */
export interface AttemptFailure {
  method: string;
  /** HTTP status, when the server answered. */
  status?: number | undefined;
  /** System or axios error code (`ECONNRESET`, `ECONNABORTED`, ...) when it did not. */
  errorCode?: string | undefined;
  /**
   * Whether every byte of the request (headers and body) was handed to the OS before it failed.
   * `false` means it broke off part-way; undefined means nobody knows (treated as written).
   */
  requestFullySent?: boolean | undefined;
  /** The request body can be sent again (JSON, a path, a Buffer; not a consumed stream). */
  bodyReplayable: boolean;
}

/** Error codes that mean the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** Network error codes worth retrying on idempotent methods (timeouts included). */
const TRANSIENT_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Whether an error code means the request never reached the server. */
export function isNotSentCode(code: string): boolean {
  return NOT_SENT_CODES.has(code);
}

/** Whether an error code is a transient network failure (timeouts included). */
export function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.has(code);
}

/** Whether a failed attempt may be retried (the budget of attempts is checked elsewhere). */
export function isRetryableFailure(f: AttemptFailure): boolean {
  if (!f.bodyReplayable) return false;
  const method = f.method.toUpperCase();
  if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
    if (f.status === undefined)
      return f.errorCode !== undefined && TRANSIENT_CODES.has(f.errorCode);
    return f.status === 408 || f.status === 429 || f.status >= 500;
  }
  // POST (and anything else that is not idempotent): only where the server cannot have acted.
  if (f.status !== undefined) return f.status === 429 || f.status === 503;
  if (f.errorCode === undefined) return false;
  if (NOT_SENT_CODES.has(f.errorCode)) return true;
  // Cut before its last byte: the server saw at most part of the request and acted on none of it.
  return f.requestFullySent === false && TRANSIENT_CODES.has(f.errorCode);
}

type HeaderBag = Record<string, unknown> | { get(name: string): unknown };

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const raw =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): unknown }).get(name)
      : (headers as Record<string, unknown>)[name];
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  // A header value is text (Node) or, set by hand, a number; anything else is no value.
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : undefined;
}

/**
 * The server's requested wait in ms, from `retry-after-ms` or `Retry-After` (seconds or an HTTP
 * date); undefined when absent or unparseable. A date in the past means 0.
 */
export function parseRetryAfter(
  headers: HeaderBag | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && DELAY.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (DELAY.test(value)) return Math.ceil(Number(value) * 1000);
  // Only an HTTP date (it starts with a day name): Date.parse alone takes '-3' or '2026-11-23' too.
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A delay: a non-negative decimal number, nothing else ('5 minutes' is not 5). */
// eslint-disable-next-line security/detect-unsafe-regex -- linear: the optional group starts with a '.', which `\d+` and `\s*` cannot match, so an input splits one way only
const DELAY = /^\s*\d+(\.\d+)?\s*$/;
/** IMF-fixdate, RFC 850 and asctime dates all start with a day name. */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/i;

/** The wait before retry number `retry`: the server's Retry-After when given, else backoff. */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicyOptions,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(retry, policy, random);
}

/** Whether a server-requested wait is longer than the policy allows (fail at once instead). */
export function exceedsRetryAfterCap(
  retryAfterMs: number | undefined,
  policy: Pick<RetryPolicyOptions, 'maxRetryAfterMs'>,
): boolean {
  return retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs;
}

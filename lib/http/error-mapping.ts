/**
 * Turns an axios failure into a typed, secret-free SDK error. axios errors carry the request
 * config and headers (the API key among them): they never leave the transport. Only plain
 * values (status, the API's error body, a system error code) are copied out.
 */
import type { AxiosError } from 'axios';
import {
  SonioxConnectionError,
  SonioxError,
  SonioxRateLimitError,
  SonioxTimeoutError,
  SonioxUploadNotRetryableError,
  SonioxResponseError,
  apiErrorFor,
  redact,
} from '../errors';
import { attemptError } from './failure-kind';
import { abortError } from '../internal/abort-error';

/** Largest JSON response accepted, in MB (the transport's maxContentLength). */
export const MAX_RESPONSE_MB = 64;
import { quotaOf } from '../quota';
import type { ApiValidationError } from '../types';

/** What the transport knows about the call when it fails. */
export interface FailureContext {
  method: string;
  path: string;
  apiKey: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The call would have been retried but its body (a one-shot stream) cannot be re-sent. */
  notReplayable?: boolean;
  /** Retry-After (ms) that the policy refused to wait for. */
  retryAfterMs?: number | undefined;
  /** Retry-After (ms) the server sent, if any. */
  serverRetryAfterMs?: number | undefined;
}

interface ErrorBodyLike {
  error_type?: unknown;
  message?: unknown;
  request_id?: unknown;
  validation_errors?: unknown;
  more_info?: unknown;
}

function asErrorBody(data: unknown): ErrorBodyLike {
  if (typeof data === 'string') {
    try {
      return asErrorBody(JSON.parse(data));
    } catch {
      return {};
    }
  }
  return data !== null && typeof data === 'object' ? data : {};
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * A field of a validation error as text: a string as is, a number or a boolean written out,
 * anything else (missing, null, a nested object or list) empty rather than `[object Object]`.
 */
function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function validationErrors(v: unknown, clean: (text: string) => string): ApiValidationError[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object')
    .map((e) => ({
      error_type: clean(fieldText(e.error_type)),
      location: clean(fieldText(e.location)),
      message: clean(fieldText(e.message)),
    }));
}

/** Longest server text kept in an error message. */
const MAX_SERVER_TEXT = 500;
/** Validation errors listed in the message (all of them stay in `validationErrors`). */
const MAX_LISTED_ISSUES = 5;

/** Server text made safe for a message: the key redacted, a huge text cut (its length said). */
function serverText(text: string, apiKey: string): string {
  const clean = redact(text, [apiKey]);
  return clean.length <= MAX_SERVER_TEXT
    ? clean
    : `${clean.slice(0, MAX_SERVER_TEXT)}... [cut: ${clean.length} characters]`;
}

/** "location: message; ..." for the message line, short. */
function describeValidation(issues: ApiValidationError[]): string {
  if (issues.length === 0) return '';
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `${i.location || '(body)'}: ${serverText(i.message, '').slice(0, 120)}`);
  const more =
    issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
  return ` (${listed.join('; ')}${more})`;
}

/**
 * Whether an axios error is a 2xx answer whose body broke off (reset mid-response): axios
 * reports it with the response attached, but for retries and errors it is a network failure.
 */
export function isCutResponse(err: AxiosError): boolean {
  return attemptError(err).kind === 'cut';
}

/** axios's own test (`isAxiosError`), without loading axios for it: an object flagged by axios. */
export function isAxiosError(err: unknown): err is AxiosError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/** Maps any failure of a transport call to an SDK error. */
export function toSonioxError(err: unknown, ctx: FailureContext): SonioxError {
  const what = `${ctx.method} ${ctx.path}`;
  if (err instanceof SonioxError) return err;
  if (ctx.signal?.aborted) return abortError(ctx.signal, what);
  if (!isAxiosError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new SonioxConnectionError(`${what} failed: ${redact(message, [ctx.apiKey])}`);
  }
  const { kind } = attemptError(err);
  // A body over the limit has no response attached, yet it is the response's error.
  if (kind === 'too-large') {
    return new SonioxResponseError(
      `${what}: the response is larger than the ${MAX_RESPONSE_MB} MB accepted`,
      [{ field: '(body)', message: 'too large' }],
    );
  }
  const cut = kind === 'cut';
  const response = cut ? undefined : err.response;
  if (response) {
    const body = asErrorBody(response.data);
    // Every field the server wrote is redacted: a server may echo the key anywhere.
    const clean = (text: string) => redact(text, [ctx.apiKey]);
    const optional = (v: unknown) => {
      const text = str(v);
      return text === undefined ? undefined : clean(text);
    };
    const errorType = optional(body.error_type);
    const requestId = optional(body.request_id) ?? optional(response.headers?.['x-request-id']);
    const apiMessage = serverText(
      str(body.message) ?? (response.statusText || 'no message'),
      ctx.apiKey,
    );
    const issues = validationErrors(body.validation_errors, clean);
    const details = {
      status: response.status,
      errorType,
      requestId,
      validationErrors: issues,
      moreInfo: optional(body.more_info),
      retryAfterMs: ctx.retryAfterMs ?? ctx.serverRetryAfterMs,
      quota: quotaOf({
        method: ctx.method,
        path: ctx.path,
        status: response.status,
        errorType,
        apiMessage: str(body.message),
      }),
    };
    const message =
      `${what} failed with ${response.status}${errorType ? ` ${serverText(errorType, '')}` : ''}: ${apiMessage}` +
      describeValidation(issues) +
      (requestId ? ` (request id ${serverText(requestId, '')})` : '');
    if (ctx.retryAfterMs !== undefined) {
      return new SonioxRateLimitError(
        `${message}; the server asked to wait ${ctx.retryAfterMs} ms, longer than allowed`,
        details,
      );
    }
    return apiErrorFor(message, details);
  }
  const code = cut ? 'ECONNRESET' : err.code;
  if (ctx.notReplayable) {
    return new SonioxUploadNotRetryableError(
      `${what} failed (${code ?? 'network error'}) and cannot be retried: the source stream was already consumed (pass a path or a Buffer to allow retries)`,
      { errno: code },
    );
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new SonioxTimeoutError(
      `${what}: no response activity for ${ctx.timeoutMs} ms`,
      ctx.timeoutMs,
    );
  }
  return new SonioxConnectionError(
    `${what} failed: ${redact(err.message, [ctx.apiKey])}${code ? ` (${code})` : ''}`,
    { errno: code },
  );
}

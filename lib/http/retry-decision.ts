/**
 * Whether a failed attempt is retried, decided from the axios error and its CallContext by the
 * policy of retry.ts; the call's context keeps what the error mapping needs to say why not.
 */
import type { AxiosError } from 'axios';
import type { CallContext } from './call-context';
import { attemptError } from './failure-kind';
import {
  exceedsRetryAfterCap,
  isRetryableFailure,
  parseRetryAfter,
  type AttemptFailure,
} from './retry';
import type { RetryPolicyOptions } from '../internal/backoff';

/** Whether Node flushed the whole request to the socket (undefined: no request was made). */
function fullyWritten(request: unknown): boolean | undefined {
  if (request === undefined || request === null) return undefined;
  return typeof request === 'object' && 'writableFinished' in request
    ? request.writableFinished === true
    : false;
}

/** What is known about a failed attempt of `method`, from axios' error. */
export function failureOf(error: AxiosError<unknown>, method: string): AttemptFailure {
  const cut = attemptError(error).kind === 'cut';
  return {
    method,
    status: cut ? undefined : error.response?.status,
    errorCode: cut ? 'ECONNRESET' : error.response ? undefined : error.code,
    // A response had begun, or Node flushed the whole request to the socket: the server may have it all.
    requestFullySent: cut || error.response !== undefined ? true : fullyWritten(error.request),
    bodyReplayable: true,
  };
}

/**
 * Whether nothing may follow the attempt that failed with `error`, neither a retry nor a lookup:
 * the client is closed, the call aborted, or its body failed on its own.
 */
export function isStopped(error: AxiosError<unknown>, call: CallContext, closed: boolean): boolean {
  return (
    closed ||
    call.localError !== undefined ||
    call.req.signal?.aborted === true ||
    attemptError(error).kind === 'canceled'
  );
}

/**
 * Whether the attempt that failed with `error` may be sent again, as far as the failure goes
 * (the call's budget and its exactly-once lookup are the transport's, see `decide` there). Never
 * after close(), an abort or a local failure; a one-shot body is never re-sent; a Retry-After
 * over the cap gives up.
 */
export function shouldRetry(
  error: AxiosError<unknown>,
  policy: RetryPolicyOptions,
  closed: boolean,
): boolean {
  const call: CallContext | undefined = error.config?.sonioxCall;
  if (!call || isStopped(error, call, closed)) return false;
  if (call.req.body && !call.req.replayable) {
    // A one-shot stream is (partly) consumed: nothing can be re-sent. Say so when the
    // connection failed mid-way; an HTTP answer keeps its own, more precise, error.
    if (!error.response || attemptError(error).kind === 'cut') call.notReplayable = true;
    return false;
  }
  if (!isRetryableFailure(failureOf(error, call.req.method))) return false;
  const retryAfterMs = error.response ? parseRetryAfter(error.response.headers) : undefined;
  call.serverRetryAfterMs = retryAfterMs;
  if (exceedsRetryAfterCap(retryAfterMs, policy)) {
    call.cappedRetryAfterMs = retryAfterMs;
    return false;
  }
  return true;
}

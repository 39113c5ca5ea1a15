/**
 * What kind of failure an attempt ended with, as a typed value rather than message text: the
 * lean JSON adapter sets it where it makes the failure; a failure it did not make (axios' own
 * http adapter, for uploads; an adapter given by a spec) is read from axios' fields, never from
 * its message. Error mapping and retry decisions read only this.
 */
import type { AxiosError } from 'axios';

/**
 * - `answered`: the server answered with a status outside `validateStatus` (the response is attached);
 * - `cut`: a 2xx answer whose body broke off (a network failure, whatever axios' code);
 * - `too-large`: a body over `maxContentLength` (no response attached);
 * - `timeout`: no answer, or no activity, within `timeout`;
 * - `canceled`: the call's signal aborted;
 * - `network`: any other failure before an answer (a socket error: its code, e.g. ECONNRESET).
 */
export type FailureKind = 'answered' | 'cut' | 'too-large' | 'timeout' | 'canceled' | 'network';

/** The kind of a failed attempt and its code (a system or axios error code, when there is one). */
export interface AttemptError {
  readonly kind: FailureKind;
  readonly code: string | undefined;
}

/** Symbol-keyed and non-enumerable: invisible to JSON, util.inspect's keys and deep equality. */
const KIND = Symbol('soniox.attemptError');

/** Marks `error` with its kind and code where it is made; returns it. */
export function typed<E extends object>(error: E, kind: FailureKind, code?: string): E {
  const value: AttemptError = { kind, code: code ?? (error as { code?: string }).code };
  Object.defineProperty(error, KIND, { value, enumerable: false, configurable: true });
  return error;
}

/** `answered` for an HTTP answer that failed, `cut` for a 2xx one whose body broke off. */
export function answerKind(status: number): FailureKind {
  return status < 300 ? 'cut' : 'answered';
}

/**
 * The kind and code of a failed attempt: the mark set where it was made, else read from axios'
 * fields (its http adapter rejects a body over `maxContentLength` with ERR_BAD_RESPONSE and no
 * response, and nothing else that way).
 */
export function attemptError(error: AxiosError): AttemptError {
  const marked = (error as unknown as Record<symbol, AttemptError | undefined>)[KIND];
  if (marked) return marked;
  const code = error.code;
  let kind: FailureKind;
  if (code === 'ERR_CANCELED') kind = 'canceled';
  else if (error.response) kind = answerKind(error.response.status);
  else if (code === 'ERR_BAD_RESPONSE') kind = 'too-large';
  else if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') kind = 'timeout';
  else kind = 'network';
  return { kind, code };
}

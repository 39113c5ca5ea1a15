/**
 * An axios adapter around the transport's own that holds each attempt at the client's
 * admission (admission.ts) until the pool has a socket for it, oldest flow first. It sits below
 * axios-retry, so each attempt waits its turn (a retry keeps its call's age: the CallContext's)
 * and no attempt holds a place while it waits between retries. A waiting attempt still ends
 * as one queued in the agent did: aborted (axios' CanceledError) or, after its `timeout` ms
 * without a socket, axios' timeout error; once admitted it has its whole `timeout` for the answer.
 */
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Admission } from './admission';
import { typed } from './failure-kind';
import { follow } from '../internal/follow-signal';

/** What the adapter takes from axios (loaded lazily by the transport). */
export interface AxiosErrors {
  AxiosError: typeof import('axios').AxiosError;
  CanceledError: typeof import('axios').CanceledError;
}

/** Marks a wait that ran out of time, as the reason of its local controller. */
const TIMED_OUT = new Error('timed out waiting for a socket');

/**
 * `adapter` behind `admission`. `shared` is the signal of calls without one of their own (the
 * client's close): the admission's `close` rejects those waiters, so they do not each listen to it.
 */
export function admittedAdapter(
  adapter: AxiosAdapter,
  admission: Admission,
  errors: AxiosErrors,
  shared: AbortSignal,
): AxiosAdapter {
  const admitted = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    try {
      return await adapter(config);
    } finally {
      admission.leave();
    }
  };
  return (config) => {
    const age = config.sonioxCall?.age ?? Number.MAX_SAFE_INTEGER;
    const signal = config.signal as AbortSignal | undefined;
    const own = signal === shared ? undefined : signal;
    // A place free: no promise, no timer, no listener.
    if (!admission.full) {
      void admission.enter(age);
      return admitted(config);
    }
    return waitThenSend(config, age, own);
  };

  async function waitThenSend(
    config: InternalAxiosRequestConfig,
    age: number,
    signal: AbortSignal | undefined,
  ): Promise<AxiosResponse> {
    const waiting = new AbortController();
    const unfollow = signal ? follow(signal, waiting) : () => undefined;
    const timeoutMs = config.timeout ?? 0;
    const timer = timeoutMs > 0 ? setTimeout(() => waiting.abort(TIMED_OUT), timeoutMs) : undefined;
    try {
      await admission.enter(age, waiting.signal);
    } catch {
      if (waiting.signal.reason === TIMED_OUT) {
        throw typed(
          new errors.AxiosError(
            config.timeoutErrorMessage ?? `timeout of ${timeoutMs}ms exceeded`,
            config.transitional?.clarifyTimeoutError ? 'ETIMEDOUT' : 'ECONNABORTED',
            config,
          ),
          'timeout',
        );
      }
      // Aborted or closed while waiting: axios' own failure for an aborted call, no request made.
      throw typed(new errors.CanceledError(undefined, undefined, config), 'canceled');
    } finally {
      clearTimeout(timer);
      unfollow();
    }
    return admitted(config);
  }
}

import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { SonioxUploadError } from '../../lib/errors';
import { CallContext } from '../../lib/http/call-context';
import type { TransportRequest } from '../../lib/http/call-options';
import { failureOf, shouldRetry } from '../../lib/http/retry-decision';
import { DEFAULT_RETRY_POLICY } from '../../lib/internal/backoff';

const policy = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 10_000 };

/** A call of `req` and the axios error of one of its attempts. */
function failed(
  req: Partial<TransportRequest>,
  answer: { status?: number; headers?: Record<string, string>; code?: string; request?: unknown },
): { call: CallContext; error: AxiosError } {
  const call = new CallContext(
    { method: 'GET', path: '/v1/models', ...req },
    new AbortController().signal,
  );
  const config = { headers: new AxiosHeaders(), sonioxCall: call } as InternalAxiosRequestConfig;
  const response =
    answer.status === undefined
      ? undefined
      : ({
          status: answer.status,
          statusText: '',
          data: {},
          headers: answer.headers ?? {},
          config,
        } as AxiosResponse);
  return {
    call,
    error: new AxiosError('failed', answer.code, config, answer.request, response),
  };
}

describe('http/retry-decision', () => {
  describe('failureOf', () => {
    it('reads the status of an answer, and counts the request as fully sent', () => {
      const { error } = failed({}, { status: 503 });
      expect(failureOf(error, 'POST')).to.deep.equal({
        method: 'POST',
        status: 503,
        errorCode: undefined,
        requestFullySent: true,
        bodyReplayable: true,
      });
    });

    it('reads the code of a failure without an answer, and whether Node flushed the request', () => {
      const flushed = failed({}, { code: 'ECONNRESET', request: { writableFinished: true } });
      expect(failureOf(flushed.error, 'POST')).to.include({
        errorCode: 'ECONNRESET',
        requestFullySent: true,
      });
      const partial = failed({}, { code: 'ECONNRESET', request: { writableFinished: false } });
      expect(failureOf(partial.error, 'POST').requestFullySent).to.equal(false);
      const opaque = failed({}, { code: 'ECONNRESET', request: {} });
      expect(failureOf(opaque.error, 'POST').requestFullySent).to.equal(false);
      const none = failed({}, { code: 'ECONNREFUSED' });
      expect(failureOf(none.error, 'POST').requestFullySent).to.equal(undefined);
    });

    it('takes a 2xx whose body was cut for a reset after the server acted', () => {
      const { error } = failed({}, { status: 200, code: 'ERR_BAD_RESPONSE' });
      expect(failureOf(error, 'GET')).to.include({
        status: undefined,
        errorCode: 'ECONNRESET',
        requestFullySent: true,
      });
    });
  });

  describe('shouldRetry', () => {
    it('retries a GET answered 503 and keeps the server’s Retry-After for the delay', () => {
      const { call, error } = failed({}, { status: 503, headers: { 'retry-after': '2' } });
      expect(shouldRetry(error, policy, false)).to.equal(true);
      expect(call.serverRetryAfterMs).to.equal(2000);
      expect(call.cappedRetryAfterMs).to.equal(undefined);
    });

    it('gives up on a Retry-After over the cap, and says how long the server asked for', () => {
      const { call, error } = failed({}, { status: 429, headers: { 'retry-after': '60' } });
      expect(shouldRetry(error, policy, false)).to.equal(false);
      expect(call.cappedRetryAfterMs).to.equal(60_000);
    });

    it('does not retry a 4xx that is not a rate limit', () => {
      expect(shouldRetry(failed({}, { status: 400 }).error, policy, false)).to.equal(false);
    });

    it('never retries once the client is closed, the call aborted or its body failed locally', () => {
      expect(shouldRetry(failed({}, { status: 503 }).error, policy, true)).to.equal(false);
      const aborted = new AbortController();
      aborted.abort();
      const byCaller = failed({ signal: aborted.signal }, { status: 503 });
      expect(shouldRetry(byCaller.error, policy, false)).to.equal(false);
      expect(shouldRetry(failed({}, { code: 'ERR_CANCELED' }).error, policy, false)).to.equal(
        false,
      );
      const local = failed({}, { status: 503 });
      local.call.localError = new SonioxUploadError('the source ended short');
      expect(shouldRetry(local.error, policy, false)).to.equal(false);
    });

    it('does not retry an attempt that carries no call of the SDK', () => {
      const error = new AxiosError('failed', 'ECONNRESET', {
        headers: new AxiosHeaders(),
      } as InternalAxiosRequestConfig);
      expect(shouldRetry(error, policy, false)).to.equal(false);
    });

    it('never re-sends a one-shot body, and marks it spent only when the connection failed', () => {
      const body = () => ({ stream: new PassThrough(), headers: {} });
      const reset = failed({ method: 'POST', body, replayable: false }, { code: 'ECONNRESET' });
      expect(shouldRetry(reset.error, policy, false)).to.equal(false);
      expect(reset.call.notReplayable).to.equal(true);
      const answered = failed({ method: 'POST', body, replayable: false }, { status: 503 });
      expect(shouldRetry(answered.error, policy, false)).to.equal(false);
      expect(answered.call.notReplayable).to.equal(false);
      const replayable = failed({ method: 'POST', body, replayable: true }, { status: 503 });
      expect(shouldRetry(replayable.error, policy, false)).to.equal(true);
    });
  });
});

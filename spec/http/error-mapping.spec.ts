import { expect } from 'chai';
import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { toSonioxError, abortError, isCutResponse } from '../../lib/http/error-mapping';
import { sleep } from '../../lib/http/sleep';
import {
  SonioxAbortError, SonioxAPIError, SonioxConnectionError, SonioxRateLimitError, SonioxTimeoutError,
  SonioxUploadNotRetryableError, SonioxValidationError,
} from '../../lib/errors';

const KEY = 'sk-mapping-secret-key';
const ctx = { method: 'GET', path: '/v1/x', apiKey: KEY, timeoutMs: 10 };
const config = { headers: new AxiosHeaders({ Authorization: `Bearer ${KEY}` }) } as InternalAxiosRequestConfig;

function axiosError(status: number | undefined, data?: unknown, headers: Record<string, string> = {}, message = 'failed', code?: string): AxiosError {
  const response = status === undefined ? undefined : ({ status, statusText: 'Status', data, headers, config } as AxiosResponse);
  return new AxiosError(message, code, config, {}, response);
}

describe('http/error-mapping', () => {
  it('reads the API error body from JSON text, objects, or nothing', () => {
    const fromText = toSonioxError(axiosError(400, JSON.stringify({ error_type: 'invalid_request', message: 'bad', request_id: 'r1', validation_errors: [{ error_type: 'missing', location: 'body.x', message: 'Field required' }, null] })), ctx) as SonioxAPIError;
    expect(fromText).to.include({ status: 400, errorType: 'invalid_request', requestId: 'r1' });
    expect(fromText.validationErrors).to.deep.equal([{ error_type: 'missing', location: 'body.x', message: 'Field required' }]);
    const fromHtml = toSonioxError(axiosError(502, '<html>'), ctx) as SonioxAPIError;
    expect(fromHtml.message).to.match(/failed with 502: Status/);
    const fromHeader = toSonioxError(axiosError(500, undefined, { 'x-request-id': 'hdr' }), ctx) as SonioxAPIError;
    expect(fromHeader.requestId).to.equal('hdr');
    expect(fromHeader.validationErrors).to.deep.equal([]);
  });

  it('redacts the key from any server text', () => {
    const e = toSonioxError(axiosError(401, { error_type: 'unauthenticated', message: `bad key ${KEY}` }), ctx);
    expect(e.message).not.to.include(KEY);
    const n = toSonioxError(axiosError(undefined, undefined, {}, `connect failed ${KEY}`, 'ECONNREFUSED'), ctx);
    expect(n.message).not.to.include(KEY);
    expect(toSonioxError(new Error(`oops ${KEY}`), ctx).message).not.to.include(KEY);
  });

  it('maps a refused Retry-After to a rate-limit error even on a 503', () => {
    const e = toSonioxError(axiosError(503, { error_type: 'service_unavailable', message: 'busy' }), { ...ctx, retryAfterMs: 90_000 });
    expect(e).to.be.instanceOf(SonioxRateLimitError);
    expect((e as SonioxRateLimitError).retryAfterMs).to.equal(90_000);
  });

  it('maps timeouts, resets, cut bodies, oversized bodies and one-shot uploads', () => {
    expect(toSonioxError(axiosError(undefined, undefined, {}, 'timeout', 'ECONNABORTED'), ctx)).to.be.instanceOf(SonioxTimeoutError);
    expect(toSonioxError(axiosError(undefined, undefined, {}, 'timeout', 'ETIMEDOUT'), ctx)).to.be.instanceOf(SonioxTimeoutError);
    const cut = axiosError(200, undefined, {}, 'stream has been aborted', 'ERR_BAD_RESPONSE');
    expect(isCutResponse(cut)).to.equal(true);
    expect((toSonioxError(cut, ctx) as SonioxConnectionError).errno).to.equal('ECONNRESET');
    const big = axiosError(200, undefined, {}, 'maxContentLength size of 67108864 exceeded', 'ERR_BAD_RESPONSE');
    expect(isCutResponse(big)).to.equal(false);
    expect(toSonioxError(big, ctx)).to.be.instanceOf(SonioxValidationError);
    expect(toSonioxError(axiosError(undefined, undefined, {}, 'socket hang up', 'ECONNRESET'), { ...ctx, notReplayable: true })).to.be.instanceOf(SonioxUploadNotRetryableError);
    expect(toSonioxError(axiosError(undefined, undefined, {}, 'weird'), ctx)).to.be.instanceOf(SonioxConnectionError);
    expect(toSonioxError('a string', ctx)).to.be.instanceOf(SonioxConnectionError);
  });

  it('reports an aborted signal as an abort, or a timeout for AbortSignal.timeout', () => {
    expect(toSonioxError(new Error('x'), { ...ctx, signal: AbortSignal.abort() })).to.be.instanceOf(SonioxAbortError);
    const timedOut = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
    expect(abortError(timedOut, 'x')).to.be.instanceOf(SonioxTimeoutError);
  });

  describe('sleep', () => {
    it('resolves after the delay, and rejects at once when aborted before or during it', async () => {
      await sleep(1);
      expect(await sleep(10, AbortSignal.abort()).then(() => 'resolved', (e: Error) => e)).to.be.instanceOf(SonioxAbortError);
      const controller = new AbortController();
      const pending = sleep(60_000, controller.signal);
      controller.abort();
      expect(await pending.then(() => 'resolved', (e: Error) => e)).to.be.instanceOf(SonioxAbortError);
    });
  });
});

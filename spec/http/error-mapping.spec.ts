import { expect } from 'chai';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { toSonioxError, isCutResponse } from '../../lib/http/error-mapping';
import { abortError } from '../../lib/internal/abort-error';
import { typed } from '../../lib/http/failure-kind';
import { sleep } from '../../lib/internal/sleep';
import {
  SonioxAbortError,
  SonioxAPIError,
  SonioxConnectionError,
  SonioxRateLimitError,
  SonioxTimeoutError,
  SonioxUploadNotRetryableError,
  SonioxResponseError,
} from '../../lib/errors';

const KEY = 'sk-mapping-secret-key';
const ctx = { method: 'GET', path: '/v1/x', apiKey: KEY, timeoutMs: 10 };
const config = {
  headers: new AxiosHeaders({ Authorization: `Bearer ${KEY}` }),
} as InternalAxiosRequestConfig;

function axiosError(
  status: number | undefined,
  data?: unknown,
  headers: Record<string, string> = {},
  message = 'failed',
  code?: string,
): AxiosError {
  const response =
    status === undefined
      ? undefined
      : ({ status, statusText: 'Status', data, headers, config } as AxiosResponse);
  return new AxiosError(message, code, config, {}, response);
}

describe('http/error-mapping', () => {
  it('reads the API error body from JSON text, objects, or nothing', () => {
    const fromText = toSonioxError(
      axiosError(
        400,
        JSON.stringify({
          error_type: 'invalid_request',
          message: 'bad',
          request_id: 'r1',
          validation_errors: [
            { error_type: 'missing', location: 'body.x', message: 'Field required' },
            null,
          ],
        }),
      ),
      ctx,
    ) as SonioxAPIError;
    expect(fromText).to.include({ status: 400, errorType: 'invalid_request', requestId: 'r1' });
    expect(fromText.validationErrors).to.deep.equal([
      { error_type: 'missing', location: 'body.x', message: 'Field required' },
    ]);
    const fromHtml = toSonioxError(axiosError(502, '<html>'), ctx) as SonioxAPIError;
    expect(fromHtml.message).to.match(/failed with 502: Status/);
    const fromHeader = toSonioxError(
      axiosError(500, undefined, { 'x-request-id': 'hdr' }),
      ctx,
    ) as SonioxAPIError;
    expect(fromHeader.requestId).to.equal('hdr');
    expect(fromHeader.validationErrors).to.deep.equal([]);
  });

  it('redacts the key from any server text', () => {
    const e = toSonioxError(
      axiosError(401, { error_type: 'unauthenticated', message: `bad key ${KEY}` }),
      ctx,
    );
    expect(e.message).not.to.include(KEY);
    const n = toSonioxError(
      axiosError(undefined, undefined, {}, `connect failed ${KEY}`, 'ECONNREFUSED'),
      ctx,
    );
    expect(n.message).not.to.include(KEY);
    expect(toSonioxError(new Error(`oops ${KEY}`), ctx).message).not.to.include(KEY);
  });

  it('maps a refused Retry-After to a rate-limit error even on a 503', () => {
    const e = toSonioxError(
      axiosError(503, { error_type: 'service_unavailable', message: 'busy' }),
      { ...ctx, retryAfterMs: 90_000 },
    );
    expect(e).to.be.instanceOf(SonioxRateLimitError);
    expect((e as SonioxRateLimitError).retryAfterMs).to.equal(90_000);
  });

  it('maps timeouts, resets, cut bodies, oversized bodies and one-shot uploads', () => {
    expect(
      toSonioxError(axiosError(undefined, undefined, {}, 'timeout', 'ECONNABORTED'), ctx),
    ).to.be.instanceOf(SonioxTimeoutError);
    expect(
      toSonioxError(axiosError(undefined, undefined, {}, 'timeout', 'ETIMEDOUT'), ctx),
    ).to.be.instanceOf(SonioxTimeoutError);
    const cut = axiosError(200, undefined, {}, 'stream has been aborted', 'ERR_BAD_RESPONSE');
    expect(isCutResponse(cut)).to.equal(true);
    expect((toSonioxError(cut, ctx) as SonioxConnectionError).errno).to.equal('ECONNRESET');
    // Marked where it is made (the lean adapter): the mark, not the message, says too large.
    const big = typed(
      axiosError(
        200,
        undefined,
        {},
        'maxContentLength size of 67108864 exceeded',
        'ERR_BAD_RESPONSE',
      ),
      'too-large',
    );
    expect(isCutResponse(big)).to.equal(false);
    expect(toSonioxError(big, ctx)).to.be.instanceOf(SonioxResponseError);
    expect(
      toSonioxError(axiosError(undefined, undefined, {}, 'socket hang up', 'ECONNRESET'), {
        ...ctx,
        notReplayable: true,
      }),
    ).to.be.instanceOf(SonioxUploadNotRetryableError);
    expect(toSonioxError(axiosError(undefined, undefined, {}, 'weird'), ctx)).to.be.instanceOf(
      SonioxConnectionError,
    );
    expect(toSonioxError('a string', ctx)).to.be.instanceOf(SonioxConnectionError);
  });

  it('reports an aborted signal as an abort, or a timeout for AbortSignal.timeout', () => {
    expect(toSonioxError(new Error('x'), { ...ctx, signal: AbortSignal.abort() })).to.be.instanceOf(
      SonioxAbortError,
    );
    const timedOut = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
    expect(abortError(timedOut, 'x')).to.be.instanceOf(SonioxTimeoutError);
  });

  describe('sleep', () => {
    it('resolves after the delay, and rejects at once when aborted before or during it', async () => {
      await sleep(1);
      expect(
        await sleep(10, AbortSignal.abort()).then(
          () => 'resolved',
          (e: Error) => e,
        ),
      ).to.be.instanceOf(SonioxAbortError);
      const controller = new AbortController();
      const pending = sleep(60_000, controller.signal);
      controller.abort();
      expect(
        await pending.then(
          () => 'resolved',
          (e: Error) => e,
        ),
      ).to.be.instanceOf(SonioxAbortError);
    });
  });

  describe('messages, exactly', () => {
    it('says method, path, status, error type, message, validation errors and request id', () => {
      const e = toSonioxError(
        axiosError(400, {
          error_type: 'invalid_request',
          message: 'Invalid request.',
          request_id: 'r-9',
          validation_errors: [
            { error_type: 'value_error', location: 'body.payload.model', message: 'Invalid model' },
            { error_type: 'missing' },
          ],
        }),
        ctx,
      );
      expect(e.message).to.equal(
        'GET /v1/x failed with 400 invalid_request: Invalid request. (body.payload.model: Invalid model; (body): ) (request id r-9)',
      );
      expect((e as SonioxAPIError).validationErrors[1]).to.deep.equal({
        error_type: 'missing',
        location: '',
        message: '',
      });
    });

    it('lists five validation errors and counts the rest; keeps a 500-character text whole and cuts a longer one', () => {
      const issues = Array.from({ length: 7 }, (_, i) => ({
        error_type: 'e',
        location: `f${i}`,
        message: 'm',
      }));
      const e = toSonioxError(
        axiosError(422, { message: 'x'.repeat(500), validation_errors: issues }),
        ctx,
      );
      expect(e.message).to.equal(
        `GET /v1/x failed with 422: ${'x'.repeat(500)} (f0: m; f1: m; f2: m; f3: m; f4: m; and 2 more)`,
      );
      const five = toSonioxError(
        axiosError(422, { message: 'y'.repeat(501), validation_errors: issues.slice(0, 5) }),
        ctx,
      );
      expect(five.message).to.equal(
        `GET /v1/x failed with 422: ${'y'.repeat(500)}... [cut: 501 characters] (f0: m; f1: m; f2: m; f3: m; f4: m)`,
      );
    });

    it('falls back to the status text, then to "no message", and ignores empty or non-text fields', () => {
      expect(
        toSonioxError(axiosError(500, { error_type: '', message: 5, request_id: 7 }), ctx).message,
      ).to.equal('GET /v1/x failed with 500: Status');
      const bare = new AxiosError('failed', undefined, config, {}, {
        status: 503,
        statusText: '',
        data: null,
        headers: {},
        config,
      } as AxiosResponse);
      expect(toSonioxError(bare, ctx).message).to.equal('GET /v1/x failed with 503: no message');
      const noHeaders = new AxiosError('failed', undefined, config, {}, {
        status: 503,
        statusText: 'S',
        data: 'not json {',
        headers: undefined,
        config,
      } as unknown as AxiosResponse);
      expect((toSonioxError(noHeaders, ctx) as SonioxAPIError).requestId).to.equal(undefined);
    });

    it('words every network failure precisely', () => {
      expect(
        toSonioxError(axiosError(undefined, undefined, {}, 'timeout', 'ECONNABORTED'), ctx).message,
      ).to.equal('GET /v1/x: no response activity for 10 ms');
      expect(
        toSonioxError(
          axiosError(undefined, undefined, {}, 'connect ECONNREFUSED', 'ECONNREFUSED'),
          ctx,
        ).message,
      ).to.equal('GET /v1/x failed: connect ECONNREFUSED (ECONNREFUSED)');
      expect(toSonioxError(axiosError(undefined, undefined, {}, 'odd'), ctx).message).to.equal(
        'GET /v1/x failed: odd',
      );
      expect(toSonioxError(new Error('plain'), ctx).message).to.equal('GET /v1/x failed: plain');
      const oneShot = toSonioxError(axiosError(undefined, undefined, {}, 'x'), {
        ...ctx,
        notReplayable: true,
      }) as SonioxUploadNotRetryableError;
      expect(oneShot.message).to.equal(
        'GET /v1/x failed (network error) and cannot be retried: the source stream was already consumed (pass a path or a Buffer to allow retries)',
      );
      const reset = toSonioxError(axiosError(undefined, undefined, {}, 'x', 'ECONNRESET'), {
        ...ctx,
        notReplayable: true,
      }) as SonioxUploadNotRetryableError;
      expect(reset.errno).to.equal('ECONNRESET');
      const limited = toSonioxError(axiosError(429, { message: 'slow down' }), {
        ...ctx,
        retryAfterMs: 90_000,
      });
      expect(limited.message).to.equal(
        'GET /v1/x failed with 429: slow down; the server asked to wait 90000 ms, longer than allowed',
      );
      const big = toSonioxError(
        typed(axiosError(299, undefined, {}, 'maxContentLength size of 1 exceeded'), 'too-large'),
        ctx,
      ) as SonioxResponseError;
      expect(big.message).to.equal('GET /v1/x: the response is larger than the 64 MB accepted');
      expect(big.issues).to.deep.equal([{ field: '(body)', message: 'too large' }]);
      expect(isCutResponse(axiosError(300, undefined, {}, 'x'))).to.equal(false);
      expect(toSonioxError(axiosError(300, {}), ctx)).to.be.instanceOf(SonioxAPIError);
    });

    it('passes an SDK error through untouched, and words aborts and deadlines', () => {
      const own = new SonioxTimeoutError('mine');
      expect(toSonioxError(own, { ...ctx, signal: AbortSignal.abort() })).to.equal(own);
      expect(abortError(AbortSignal.abort(), 'GET /v1/x').message).to.equal('GET /v1/x: aborted');
      expect(
        abortError(AbortSignal.abort(new DOMException('t', 'TimeoutError')), 'GET /v1/x').message,
      ).to.equal('GET /v1/x: deadline exceeded');
      expect(abortError(AbortSignal.abort(null), 'GET /v1/x')).to.be.instanceOf(SonioxAbortError);
    });
  });
});

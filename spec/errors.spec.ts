import { expect } from 'chai';
import { inspect } from 'node:util';
import * as errors from '../lib/errors';

const { apiErrorFor, redact } = errors;

describe('errors', () => {
  it('picks the subclass by status family, each with a stable code', () => {
    const cases: Array<[number, new (...a: never[]) => errors.SonioxAPIError, string]> = [
      [400, errors.SonioxBadRequestError, 'bad_request'],
      [401, errors.SonioxAuthenticationError, 'authentication_error'],
      [402, errors.SonioxPaymentRequiredError, 'payment_required'],
      [403, errors.SonioxPermissionError, 'permission_denied'],
      [404, errors.SonioxNotFoundError, 'not_found'],
      [409, errors.SonioxConflictError, 'conflict'],
      [413, errors.SonioxPayloadTooLargeError, 'payload_too_large'],
      [429, errors.SonioxRateLimitError, 'rate_limited'],
      [500, errors.SonioxServerError, 'server_error'],
      [503, errors.SonioxServerError, 'server_error'],
      [418, errors.SonioxAPIError, 'api_error'],
    ];
    for (const [status, Ctor, code] of cases) {
      const e = apiErrorFor('m', { status, errorType: 't', requestId: 'r' });
      expect(e, String(status)).to.be.instanceOf(Ctor);
      expect(e).to.be.instanceOf(errors.SonioxError);
      expect(e.code).to.equal(code);
      expect(e.status).to.equal(status);
      expect(e.name).to.equal(Ctor.name);
    }
  });

  it('carries retryAfterMs on rate-limit errors', () => {
    const e = apiErrorFor('m', { status: 429, retryAfterMs: 1200 }) as errors.SonioxRateLimitError;
    expect(e.retryAfterMs).to.equal(1200);
  });

  it('serialises to plain data with no cause and no hidden fields', () => {
    const cause = { config: { headers: { Authorization: 'Bearer top-secret' } } };
    const e = new errors.SonioxAPIError('boom', {
      status: 500,
      errorType: 'internal_error',
      requestId: 'rid',
      cause,
    });
    const json = JSON.stringify(e);
    expect(JSON.parse(json)).to.include({
      name: 'SonioxAPIError',
      code: 'api_error',
      message: 'boom',
      status: 500,
      errorType: 'internal_error',
      requestId: 'rid',
    });
    expect(json).not.to.include('top-secret');
    expect(Object.keys(e)).not.to.include('cause');
    expect((e as Error & { cause?: unknown }).cause).to.equal(cause);
    expect(inspect(e)).not.to.include('top-secret');
  });

  it('marks realtime errors retryable for 408, 500, 503 and drops only', () => {
    expect(new errors.SonioxWebSocketError('x', { serverCode: 503 }).retryable).to.equal(true);
    expect(new errors.SonioxWebSocketError('x', { serverCode: 408 }).retryable).to.equal(true);
    expect(new errors.SonioxWebSocketError('x', { serverCode: 500 }).retryable).to.equal(true);
    expect(new errors.SonioxWebSocketError('x', { serverCode: 401 }).retryable).to.equal(false);
    expect(new errors.SonioxWebSocketError('x', { serverCode: 400 }).retryable).to.equal(false);
    expect(new errors.SonioxWebSocketError('x', { closeCode: 1006 }).retryable).to.equal(true);
  });

  it('keeps the fields of the other error classes', () => {
    expect(new errors.SonioxConfigError('apiKey', 'm').option).to.equal('apiKey');
    expect(
      new errors.SonioxValidationError('m', [{ field: 'f', message: 'x' }]).issues,
    ).to.deep.equal([{ field: 'f', message: 'x' }]);
    expect(new errors.SonioxConnectionError('m', { errno: 'ECONNRESET' }).errno).to.equal(
      'ECONNRESET',
    );
    expect(new errors.SonioxTimeoutError('m', 5).timeoutMs).to.equal(5);
    const t = new errors.SonioxTranscriptionError('id1', 'audio_decode_error', 'bad audio');
    expect(t).to.include({
      transcriptionId: 'id1',
      errorType: 'audio_decode_error',
      code: 'transcription_failed',
    });
    expect(new errors.SonioxAbortError('m').code).to.equal('aborted');
    expect(new errors.SonioxUploadNotRetryableError('m')).to.be.instanceOf(
      errors.SonioxConnectionError,
    );
  });

  it('keeps what a broken answer and an unknown outcome carry, apart from input errors', () => {
    const broken = new errors.SonioxResponseError('m', [{ field: 'models', message: 'x' }]);
    expect(broken).to.include({ code: 'response_error', message: 'm' });
    expect(broken.issues).to.deep.equal([{ field: 'models', message: 'x' }]);
    expect(broken).not.to.be.instanceOf(errors.SonioxValidationError);
    expect(new errors.SonioxResponseError('m').issues).to.deep.equal([]);
    const cause = new Error('lookup failed');
    const unknown = new errors.SonioxOutcomeUnknownError('m', 'ref-1', {
      cause,
      errno: 'ECONNRESET',
    });
    expect(unknown).to.include({
      code: 'outcome_unknown',
      reference: 'ref-1',
      errno: 'ECONNRESET',
    });
    expect(unknown.cause).to.equal(cause);
    expect(unknown).to.be.instanceOf(errors.SonioxConnectionError);
    const bare = new errors.SonioxOutcomeUnknownError('m', 'ref-2');
    expect(bare).to.include({ reference: 'ref-2', errno: undefined });
  });

  it('redacts every occurrence of a secret and ignores short or missing ones', () => {
    expect(redact('key abcd1234 and abcd1234', ['abcd1234'])).to.equal(
      'key [REDACTED] and [REDACTED]',
    );
    expect(redact('a b c', [undefined, 'a'])).to.equal('a b c');
  });
});

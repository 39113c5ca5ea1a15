import { expect } from 'chai';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../lib/internal/backoff';
import {
  exceedsRetryAfterCap,
  isRetryableFailure,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
} from '../../lib/http/retry';

describe('http/retry', () => {
  describe('isRetryableFailure', () => {
    /** A replayable attempt of `method` that failed with `status` or `errorCode` (either may be absent). */
    const failure = (method: string, status?: number, errorCode?: string): AttemptFailure => ({
      method,
      bodyReplayable: true,
      ...(status === undefined ? {} : { status }),
      ...(errorCode === undefined ? {} : { errorCode }),
    });
    const get = (status?: number, errorCode?: string) =>
      isRetryableFailure(failure('GET', status, errorCode));
    const post = (status?: number, errorCode?: string) =>
      isRetryableFailure(failure('POST', status, errorCode));

    it('retries GET and DELETE on 408, 429 and every 5xx', () => {
      for (const status of [408, 429, 500, 502, 503, 504, 599])
        expect(get(status), String(status)).to.equal(true);
      expect(isRetryableFailure({ method: 'DELETE', status: 500, bodyReplayable: true })).to.equal(
        true,
      );
    });

    it('does not retry GET on other 4xx answers', () => {
      for (const status of [400, 401, 403, 404, 409, 413, 422])
        expect(get(status), String(status)).to.equal(false);
    });

    it('retries GET on network errors and timeouts but not on unknown failures', () => {
      for (const code of [
        'ECONNRESET',
        'ECONNREFUSED',
        'ETIMEDOUT',
        'ECONNABORTED',
        'EPIPE',
        'ENOTFOUND',
      ]) {
        expect(get(undefined, code), code).to.equal(true);
      }
      expect(get(undefined, 'ERR_BAD_OPTION')).to.equal(false);
      expect(get(undefined, undefined)).to.equal(false);
    });

    it('never retries a POST that got a 500: the server may have created (and billed) the job', () => {
      expect(post(500)).to.equal(false);
      expect(post(502)).to.equal(false);
      expect(post(504)).to.equal(false);
      expect(post(408)).to.equal(false);
    });

    it('retries a POST on 429 and 503, where the server did not act', () => {
      expect(post(429)).to.equal(true);
      expect(post(503)).to.equal(true);
    });

    it('retries a POST that failed before reaching the server, for every such code (DNS EAI_AGAIN included)', () => {
      for (const code of [
        'ECONNREFUSED',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EADDRNOTAVAIL',
      ]) {
        expect(post(undefined, code), code).to.equal(true);
        expect(
          isRetryableFailure({
            method: 'POST',
            errorCode: code,
            requestFullySent: true,
            bodyReplayable: true,
          }),
          `${code} written`,
        ).to.equal(true);
      }
    });

    it('retries GET and DELETE on every transient network code, timeouts included', () => {
      for (const code of [
        'ECONNREFUSED',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EADDRNOTAVAIL',
        'ECONNRESET',
        'ECONNABORTED',
        'ETIMEDOUT',
        'EPIPE',
        'ESOCKETTIMEDOUT',
        'ERR_SOCKET_CONNECTION_TIMEOUT',
      ]) {
        expect(get(undefined, code), code).to.equal(true);
        expect(
          isRetryableFailure({ method: 'delete', errorCode: code, bodyReplayable: true }),
          `DELETE ${code}`,
        ).to.equal(true);
        expect(
          isRetryableFailure({ method: 'HEAD', errorCode: code, bodyReplayable: true }),
          `HEAD ${code}`,
        ).to.equal(true);
      }
      expect(get(undefined, 'ERR_BAD_REQUEST')).to.equal(false);
    });

    it('treats a lower-case post like POST', () => {
      expect(isRetryableFailure({ method: 'post', status: 500, bodyReplayable: true })).to.equal(
        false,
      );
      expect(isRetryableFailure({ method: 'post', status: 503, bodyReplayable: true })).to.equal(
        true,
      );
    });

    it('retries a POST whose request was not fully written: the server cannot have acted on part of it', () => {
      for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']) {
        expect(
          isRetryableFailure({
            method: 'POST',
            errorCode: code,
            requestFullySent: false,
            bodyReplayable: true,
          }),
          code,
        ).to.equal(true);
      }
      expect(
        isRetryableFailure({
          method: 'POST',
          errorCode: 'ERR_BAD_OPTION',
          requestFullySent: false,
          bodyReplayable: true,
        }),
      ).to.equal(false);
    });

    // Whether the socket was a reused keep-alive one does not enter into it: from the client, a
    // server that read the whole POST on a reused socket, acted, then reset it looks exactly like
    // a stale socket (spec/http/transport.spec.ts: one job, not two). Money first; the pool's
    // free-socket timeout is what keeps stale sockets rare.
    it('never retries a POST that was fully written: the server may have acted', () => {
      for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']) {
        expect(
          isRetryableFailure({
            method: 'POST',
            errorCode: code,
            requestFullySent: true,
            bodyReplayable: true,
          }),
          code,
        ).to.equal(false);
      }
    });

    it('does not retry a POST reset when nobody knows how much of it was written', () => {
      expect(post(undefined, 'ECONNRESET')).to.equal(false);
      expect(post(undefined, 'EPIPE')).to.equal(false);
    });

    it('does not retry a POST that timed out: the server may be working on it', () => {
      expect(post(undefined, 'ECONNABORTED')).to.equal(false);
      expect(post(undefined, 'ETIMEDOUT')).to.equal(false);
      expect(post(undefined, undefined)).to.equal(false);
    });

    it('never retries when the body cannot be sent again', () => {
      expect(isRetryableFailure({ method: 'POST', status: 503, bodyReplayable: false })).to.equal(
        false,
      );
      expect(isRetryableFailure({ method: 'GET', status: 503, bodyReplayable: false })).to.equal(
        false,
      );
    });
  });

  describe('backoffDelay', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

    it('draws from [0, base * 2^(retry-1)) with full jitter', () => {
      expect(backoffDelay(1, policy, () => 0)).to.equal(0);
      expect(backoffDelay(1, policy, () => 0.999)).to.equal(99);
      expect(backoffDelay(2, policy, () => 0.5)).to.equal(100);
      expect(backoffDelay(3, policy, () => 0.5)).to.equal(200);
    });

    it('caps the ceiling at maxDelayMs', () => {
      expect(backoffDelay(10, policy, () => 0.999)).to.equal(999);
      expect(backoffDelay(60, policy, () => 0.5)).to.equal(500);
    });

    it('uses Math.random by default and stays inside the range', () => {
      for (let i = 0; i < 100; i++) {
        const d = backoffDelay(3, policy);
        expect(d).to.be.at.least(0).and.below(400);
      }
    });
  });

  describe('parseRetryAfter', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');

    it('reads seconds, fractional seconds and retry-after-ms', () => {
      expect(parseRetryAfter({ 'retry-after': '2' }, now)).to.equal(2000);
      expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).to.equal(500);
      expect(parseRetryAfter({ 'retry-after-ms': '250' }, now)).to.equal(250);
    });

    it('prefers retry-after-ms over retry-after', () => {
      expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).to.equal(250);
    });

    it('reads an HTTP date relative to now, and a past date as 0', () => {
      expect(parseRetryAfter({ 'retry-after': 'Mon, 23 Nov 2026 12:00:03 GMT' }, now)).to.equal(
        3000,
      );
      expect(parseRetryAfter({ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT' }, now)).to.equal(0);
    });

    it('reads the other HTTP date forms (RFC 850, asctime) and nothing that merely parses as a date', () => {
      expect(parseRetryAfter({ 'retry-after': 'Monday, 23-Nov-26 12:00:04 GMT' }, now)).to.equal(
        4000,
      );
      expect(parseRetryAfter({ 'retry-after': 'Mon Nov 23 12:00:05 2026' }, now)).to.be.within(
        5000 - 86_400_000,
        5000 + 86_400_000,
      );
      for (const value of ['5 minutes', '5 m', '-3', '2026-11-23', '1e3', '5s', 'soon']) {
        expect(parseRetryAfter({ 'retry-after': value }, now), value).to.equal(undefined);
      }
      for (const value of ['-250', '1e3', 'x'])
        expect(parseRetryAfter({ 'retry-after-ms': value }, now), value).to.equal(undefined);
      expect(parseRetryAfter({ 'retry-after': ' 7 ' }, now)).to.equal(7000);
      expect(parseRetryAfter({ 'retry-after': ['3', '9'] }, now)).to.equal(3000);
      expect(
        parseRetryAfter({ get: (name: string) => (name === 'retry-after' ? '4' : undefined) }, now),
      ).to.equal(4000);
    });

    it('ignores absent, empty and unparseable values', () => {
      expect(parseRetryAfter(undefined, now)).to.equal(undefined);
      expect(parseRetryAfter({}, now)).to.equal(undefined);
      expect(parseRetryAfter({ 'retry-after': '  ' }, now)).to.equal(undefined);
      expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).to.equal(undefined);
      expect(parseRetryAfter({ 'retry-after-ms': 'x' }, now)).to.equal(undefined);
    });

    it('reads Fetch-style headers and array values', () => {
      expect(parseRetryAfter(new Headers({ 'Retry-After': '3' }), now)).to.equal(3000);
      expect(parseRetryAfter({ 'retry-after': ['4', '5'] }, now)).to.equal(4000);
      expect(parseRetryAfter({ 'retry-after': [] }, now)).to.equal(undefined);
    });
  });

  describe('retryDelay and the Retry-After cap', () => {
    it('uses the server delay when given, else the backoff', () => {
      expect(retryDelay(1, 1500, DEFAULT_RETRY_POLICY, () => 0.9)).to.equal(1500);
      expect(retryDelay(2, undefined, DEFAULT_RETRY_POLICY, () => 0.5)).to.equal(500);
    });

    it('never waits longer than the cap', () => {
      expect(retryDelay(1, 10 * 60_000, DEFAULT_RETRY_POLICY)).to.equal(
        DEFAULT_RETRY_POLICY.maxRetryAfterMs,
      );
    });

    it('flags a Retry-After above the cap', () => {
      expect(exceedsRetryAfterCap(60_001, DEFAULT_RETRY_POLICY)).to.equal(true);
      expect(exceedsRetryAfterCap(60_000, DEFAULT_RETRY_POLICY)).to.equal(false);
      expect(exceedsRetryAfterCap(undefined, DEFAULT_RETRY_POLICY)).to.equal(false);
    });
  });
});

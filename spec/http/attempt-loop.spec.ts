/**
 * One attempt loop: every retry of a call, the resend after an exactly-once lookup included, is
 * decided in one place, spends one budget, waits the policy's delay and is reported to onRetry
 * once, with the delay actually waited. Driven through the adapter seam (no sockets) on a fake
 * clock.
 */
import { expect } from 'chai';
import sinon, { type SinonFakeTimers } from 'sinon';
import { Readable } from 'node:stream';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Transport } from '../../lib/http/transport';
import { createLookup } from '../../lib/http/exactly-once';
import { resolveConfig, type RetryEvent, type SonioxClientOptions } from '../../lib/config';
import {
  SonioxConnectionError,
  SonioxServerError,
  SonioxUploadNotRetryableError,
} from '../../lib/errors';
import { SECRET_KEY, rejection } from '../helpers';

/** A scripted answer: a status with a body, or a network error after the request was all sent. */
type Answer = { status: number; body?: unknown } | { code: string };

const EMPTY_LIST = { status: 200, body: { transcriptions: [], next_page_cursor: null } };
const CREATED = { status: 200, body: { id: 'job-1' } };

describe('http/transport: one attempt loop', () => {
  let clock: SinonFakeTimers;
  const transports: Transport[] = [];
  beforeEach(() => {
    clock = sinon.useFakeTimers();
    // Full jitter draws from Math.random: half the ceiling, so the delay is known.
    sinon.stub(Math, 'random').returns(0.5);
  });
  afterEach(() => {
    sinon.restore();
    clock.restore();
    for (const t of transports.splice(0)) t.close();
  });

  /** A transport whose adapter answers each route from its own script, recording every request. */
  const transport = (scripts: Record<string, Answer[]>, options: SonioxClientOptions = {}) => {
    const seen: string[] = [];
    const adapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      const route = `${(config.method ?? 'get').toUpperCase()} ${config.url ?? ''}`;
      seen.push(route);
      const answer = scripts[route]?.shift() ?? { status: 500 };
      if ('code' in answer)
        return Promise.reject(
          new AxiosError(answer.code, answer.code, config, { writableFinished: true }),
        );
      const response: AxiosResponse = {
        status: answer.status,
        statusText: '',
        data: JSON.stringify(answer.body ?? {}),
        headers: new AxiosHeaders({ 'content-type': 'application/json' }),
        config,
      };
      if (answer.status < 300) return Promise.resolve(response);
      return Promise.reject(
        new AxiosError(`status ${answer.status}`, 'ERR_BAD_RESPONSE', config, {}, response),
      );
    };
    const t = new Transport(
      resolveConfig({
        apiKey: SECRET_KEY,
        baseURL: 'http://127.0.0.1:9',
        env: {},
        retry: { baseDelayMs: 100, maxDelayMs: 100 },
        ...options,
      }),
      { adapter },
    );
    transports.push(t);
    return { t, seen };
  };
  const create = (t: Transport) =>
    t.request<{ id: string }>({
      method: 'POST',
      path: '/v1/transcriptions',
      json: { audio_url: 'https://example.com/a.mp3' },
      exactlyOnce: createLookup('transcriptions', undefined, {}),
    });
  const posts = (seen: string[]) => seen.filter((r) => r === 'POST /v1/transcriptions').length;

  it('resends a create the lookup did not find after the policy’s delay, reported once with it', async () => {
    const retries: RetryEvent[] = [];
    const { t, seen } = transport(
      {
        'POST /v1/transcriptions': [{ code: 'ECONNRESET' }, CREATED],
        'GET /v1/transcriptions': [EMPTY_LIST],
      },
      { onRetry: (e) => retries.push(e) },
    );
    const call = create(t);
    await clock.tickAsync(0);
    // Looked up at once; the resend waits its backoff (half of 100 ms) like any retry.
    expect(seen).to.deep.equal(['POST /v1/transcriptions', 'GET /v1/transcriptions']);
    await clock.tickAsync(49);
    expect(posts(seen)).to.equal(1);
    await clock.tickAsync(1);
    expect(await call).to.deep.equal({ id: 'job-1' });
    expect(posts(seen)).to.equal(2);
    expect(retries.map((e) => [e.method, e.attempt, e.delayMs])).to.deep.equal([['POST', 2, 50]]);
  });

  it('spends one budget: a resend after a lookup counts as a retry of the call', async () => {
    const retries: RetryEvent[] = [];
    const { t, seen } = transport(
      {
        'POST /v1/transcriptions': [{ code: 'ECONNRESET' }, { status: 503 }, CREATED],
        'GET /v1/transcriptions': [EMPTY_LIST],
      },
      { maxRetries: 1, onRetry: (e) => retries.push(e) },
    );
    const failed = rejection(create(t));
    await clock.tickAsync(1_000);
    const error = await failed;
    expect(error).to.be.instanceOf(SonioxServerError);
    expect(posts(seen)).to.equal(2);
    expect(retries.map((e) => e.attempt)).to.deep.equal([2]);
  });

  it('looks up a create whose answer was lost on its last attempt, and returns what it finds', async () => {
    const retries: RetryEvent[] = [];
    const lookup = createLookup('transcriptions', undefined, {});
    // The fake clock stands at the epoch: the job was made inside the call's window.
    const job = {
      id: 'job-9',
      client_reference_id: lookup.reference,
      created_at: new Date(0).toISOString(),
    };
    const { t, seen } = transport(
      {
        'POST /v1/transcriptions': [{ code: 'ECONNRESET' }],
        'GET /v1/transcriptions': [
          { status: 200, body: { transcriptions: [job], next_page_cursor: null } },
        ],
      },
      { maxRetries: 0, validateResponses: false, onRetry: (e) => retries.push(e) },
    );
    const result = await t.request({
      method: 'POST',
      path: '/v1/transcriptions',
      json: {},
      exactlyOnce: lookup,
    });
    expect(result).to.deep.equal(job);
    expect(seen).to.deep.equal(['POST /v1/transcriptions', 'GET /v1/transcriptions']);
    expect(retries).to.deep.equal([]);
  });

  for (const maxRetries of [1, 0]) {
    it(`ends a one-shot upload the lookup did not find with its error, never resent (maxRetries ${maxRetries})`, async () => {
      const retries: RetryEvent[] = [];
      const { t, seen } = transport(
        {
          'POST /v1/files': [{ code: 'ECONNRESET' }],
          'GET /v1/files': [{ status: 200, body: { files: [], next_page_cursor: null } }],
        },
        { maxRetries, onRetry: (e) => retries.push(e) },
      );
      const stream = Readable.from([Buffer.alloc(16)]);
      const error = await rejection(
        t.request({
          method: 'POST',
          path: '/v1/files',
          body: () => ({ stream, headers: {} }),
          replayable: false,
          exactlyOnce: createLookup('files', undefined, {}),
        }),
      );
      // With a retry left, the error says why none was made; without, it is the failure itself.
      if (maxRetries > 0) expect(error).to.be.instanceOf(SonioxUploadNotRetryableError);
      else {
        expect(error).to.be.instanceOf(SonioxConnectionError);
        expect(error).not.to.be.instanceOf(SonioxUploadNotRetryableError);
      }
      expect(seen).to.deep.equal(['POST /v1/files', 'GET /v1/files']);
      expect(retries).to.deep.equal([]);
      expect(stream.destroyed).to.equal(true);
    });
  }
});

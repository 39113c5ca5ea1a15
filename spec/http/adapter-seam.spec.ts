import { expect } from 'chai';
import sinon, { type SinonFakeTimers } from 'sinon';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Transport } from '../../lib/http/transport';
import { resolveConfig, type SonioxClientOptions } from '../../lib/config';
import { SonioxServerError } from '../../lib/errors';
import { SECRET_KEY, rejection } from '../helpers';

/** One scripted answer: a status (with headers), or a network error code after the request was (not) all sent. */
type Answer =
  { status: number; headers?: Record<string, string> } | { code: string; sent: boolean };

/** An adapter that answers from `script` in turn, as axios' http adapter would, with no socket. */
function scripted(script: Answer[]) {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    seen.push(config);
    const answer = script.shift() ?? { status: 200 };
    if ('code' in answer)
      return Promise.reject(
        new AxiosError(answer.code, answer.code, config, { writableFinished: answer.sent }),
      );
    const response: AxiosResponse = {
      status: answer.status,
      statusText: '',
      data: answer.status < 300 ? '{"models": []}' : '{"error_message": "busy"}',
      headers: new AxiosHeaders({ 'content-type': 'application/json', ...answer.headers }),
      config,
    };
    if (answer.status < 300) return Promise.resolve(response);
    return Promise.reject(
      new AxiosError(`status ${answer.status}`, 'ERR_BAD_RESPONSE', config, {}, response),
    );
  };
  return { adapter, seen };
}

describe('http/transport: retries through the adapter seam (no sockets)', () => {
  let clock: SinonFakeTimers;
  const transports: Transport[] = [];
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => {
    clock.restore();
    for (const t of transports.splice(0)) t.close();
  });

  const transport = (script: Answer[], options: SonioxClientOptions = {}) => {
    const { adapter, seen } = scripted(script);
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
  const listModels = (t: Transport) =>
    t.request({ method: 'GET', path: '/v1/models', schema: 'modelList' });

  it('retries a 503 after the server’s Retry-After and resolves with the next answer', async () => {
    const retries: number[] = [];
    const { t, seen } = transport([{ status: 503, headers: { 'retry-after': '2' } }], {
      onRetry: (event) => retries.push(event.delayMs),
    });
    const call = listModels(t);
    await clock.tickAsync(1999);
    expect(seen).to.have.length(1);
    await clock.tickAsync(1);
    expect(await call).to.deep.equal({ models: [] });
    expect(seen).to.have.length(2);
    expect(retries).to.deep.equal([2000]);
    // Both attempts carried the same call, counted across the re-dispatch.
    expect(seen[1]?.sonioxCall).to.equal(seen[0]?.sonioxCall);
    expect(seen[1]?.sonioxCall?.attempt).to.equal(2);
  });

  it('gives up after maxRetries and reports the last answer', async () => {
    const { t, seen } = transport([{ status: 503 }, { status: 503 }, { status: 503 }], {
      maxRetries: 2,
    });
    const failed = rejection(listModels(t));
    await clock.tickAsync(1000);
    const error = await failed;
    expect(error).to.be.instanceOf(SonioxServerError);
    expect((error as SonioxServerError).status).to.equal(503);
    expect(seen).to.have.length(3);
  });

  it('retries a GET whose connection was refused, but not a POST reset after it was sent', async () => {
    const get = transport([{ code: 'ECONNREFUSED', sent: false }]);
    const got = listModels(get.t);
    await clock.tickAsync(100);
    expect(await got).to.deep.equal({ models: [] });
    expect(get.seen).to.have.length(2);

    const post = transport([{ code: 'ECONNRESET', sent: true }]);
    const failed = rejection(post.t.request({ method: 'POST', path: '/v1/x', json: {} }));
    await clock.tickAsync(1000);
    await failed;
    expect(post.seen).to.have.length(1);
  });
});

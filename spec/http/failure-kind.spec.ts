/**
 * Failures reach error mapping as typed values (a kind and a code), set where they are made,
 * never as message text to read back.
 */
import { expect } from 'chai';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import http from 'node:http';
import { inspect } from 'node:util';
import { attemptError, typed } from '../../lib/http/failure-kind';
import { jsonAdapter } from '../../lib/http/json-adapter';
import { toSonioxError } from '../../lib/http/error-mapping';
import { SonioxResponseError, SonioxServerError } from '../../lib/errors';
import { SECRET_KEY, fixture, rejection } from '../helpers';

const ctx = { method: 'GET', path: '/v1/models', apiKey: SECRET_KEY, timeoutMs: 10 };
const config = { headers: new AxiosHeaders() } as InternalAxiosRequestConfig;

describe('http/failure-kind', () => {
  const t = fixture();

  /** A GET of the models through the lean adapter, with `options` over the transport's own. */
  const leanGet = (options: { maxContentLength?: number; timeout?: number }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.defer(() => agent.destroy());
    return axios
      .create({
        baseURL: t.server.url,
        httpAgent: agent,
        proxy: false,
        headers: { Authorization: `Bearer ${SECRET_KEY}` },
        adapter: jsonAdapter(axios, axios.getAdapter('http')),
        ...options,
      })
      .get('/v1/models');
  };

  it('the lean adapter marks a body over maxContentLength as too large, whatever its message', async () => {
    const error = (await rejection(leanGet({ maxContentLength: 10 }))) as unknown as AxiosError;
    expect(attemptError(error)).to.deep.equal({ kind: 'too-large', code: 'ERR_BAD_RESPONSE' });
    // The message is for people: the mapping does not read it.
    error.message = 'anything';
    expect(toSonioxError(error, ctx)).to.be.instanceOf(SonioxResponseError);
  });

  it('the lean adapter marks an answer outside validateStatus as answered, with its code', async () => {
    t.server.setFaults({ http: [{ route: 'GET /v1/models', status: 503, times: 1 }] });
    const error = (await rejection(leanGet({}))) as unknown as AxiosError;
    expect(attemptError(error)).to.deep.equal({ kind: 'answered', code: 'ERR_BAD_RESPONSE' });
  });

  it('does not take an answer for a body too large because its message reads like one', () => {
    const response = {
      status: 502,
      statusText: 'Bad Gateway',
      data: { message: 'bad gateway' },
      headers: {},
      config,
    } as AxiosResponse;
    const error = new AxiosError(
      'maxContentLength size of 5 exceeded',
      'ERR_BAD_RESPONSE',
      config,
      {},
      response,
    );
    expect(toSonioxError(error, ctx)).to.be.instanceOf(SonioxServerError);
  });

  it('reads an unmarked failure (axios’ own adapter) from its fields, and a mark over them', () => {
    const fromAxios = new AxiosError('x', 'ERR_BAD_RESPONSE', config, {});
    expect(attemptError(fromAxios)).to.deep.equal({ kind: 'too-large', code: 'ERR_BAD_RESPONSE' });
    expect(attemptError(new AxiosError('x', 'ETIMEDOUT', config, {}))).to.include({
      kind: 'timeout',
    });
    expect(attemptError(new AxiosError('x', 'ECONNRESET', config, {}))).to.include({
      kind: 'network',
    });
    const marked = typed(new AxiosError('x', 'ERR_BAD_RESPONSE', config, {}), 'cut', 'ECONNRESET');
    expect(attemptError(marked)).to.deep.equal({ kind: 'cut', code: 'ECONNRESET' });
    expect(Object.keys(marked)).not.to.include('kind');
    expect(JSON.stringify(marked)).not.to.include('ECONNRESET');
  });

  it('reads axios’ own abort as canceled and its timeouts as timeouts, not as network failures', () => {
    expect(attemptError(new axios.CanceledError(undefined, undefined, config))).to.deep.equal({
      kind: 'canceled',
      code: 'ERR_CANCELED',
    });
    // axios' http adapter: ECONNABORTED by default, ETIMEDOUT with clarifyTimeoutError.
    expect(attemptError(new AxiosError('x', 'ECONNABORTED', config, {}))).to.deep.equal({
      kind: 'timeout',
      code: 'ECONNABORTED',
    });
  });

  it('reads an unmarked failed 2xx answer as cut and any other answer as answered', () => {
    const answer = (status: number) =>
      new AxiosError('x', 'ERR_BAD_RESPONSE', config, {}, {
        status,
        statusText: '',
        data: '',
        headers: {},
        config,
      } as AxiosResponse);
    expect(attemptError(answer(200))).to.deep.equal({ kind: 'cut', code: 'ERR_BAD_RESPONSE' });
    expect(attemptError(answer(299))).to.include({ kind: 'cut' });
    expect(attemptError(answer(300))).to.include({ kind: 'answered' });
  });

  it('keeps the mark out of a logged error, and lets a later mark replace an earlier one', () => {
    const error = typed(new AxiosError('x', 'ECONNRESET', config, {}), 'network');
    expect(inspect(error)).not.to.include('attemptError');
    const enumerable = Object.getOwnPropertySymbols(error).filter((s) =>
      Object.prototype.propertyIsEnumerable.call(error, s),
    );
    expect(enumerable).to.deep.equal([]);
    typed(error, 'cut');
    expect(attemptError(error)).to.deep.equal({ kind: 'cut', code: 'ECONNRESET' });
  });
});

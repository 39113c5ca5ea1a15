/**
 * The transport's lean adapter for JSON calls (lib/http/json-adapter.ts), over the wire to the
 * mock: what axios' own http adapter did for these calls, it still does.
 */
import { expect } from 'chai';
import axios, {
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosRequestConfig,
  type InternalAxiosRequestConfig,
} from 'axios';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { Readable } from 'node:stream';
import sinon from 'sinon';
import { once } from 'node:events';
import { SonioxNotFoundError } from '../../lib';
import { jsonAdapter, requestUrl } from '../../lib/http/json-adapter';
import type { HttpFault } from '../../lib/mock';
import { SECRET_KEY, clientFor, fixture } from '../helpers';

const TLS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'tls');

describe('http/transport: the lean JSON adapter', () => {
  const t = fixture();

  for (const encoding of ['gzip', 'deflate', 'br'] as const) {
    it(`reads a ${encoding}-encoded answer as the JSON it encodes`, async () => {
      const plain = await t.client.models.list();
      const server = await t.serverWith({
        faults: { http: [{ route: 'GET /v1/models', encoding }] },
      });
      const client = clientFor(server);
      t.defer(() => client.close());
      expect(await client.models.list()).to.deep.equal(plain);
    });
  }

  it('keeps the socket of an error answer in the pool', async () => {
    const client = t.clientWith({ maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      const error = await client.files.get('no-such-file').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SonioxNotFoundError);
    }
    await client.models.list();
    expect(client.poolStats().socketsCreated).to.equal(1);
  });

  it('calls an https origin on the agent it is given, reusing the socket', async () => {
    // A TLS front on loopback for the mock, with a certificate made for these specs.
    const cert = fs.readFileSync(path.join(TLS_DIR, 'loopback-cert.pem'));
    const key = fs.readFileSync(path.join(TLS_DIR, 'loopback-key.pem'));
    const { port } = new URL(t.server.url);
    let connections = 0;
    const front = tls.createServer({ cert, key }, (socket) => {
      connections += 1;
      const upstream = net.connect(Number(port), '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    t.defer(() => new Promise((resolve) => front.close(resolve)));
    const agent = new https.Agent({ keepAlive: true, ca: cert, maxSockets: 1 });
    t.defer(() => agent.destroy());
    const address = front.address() as net.AddressInfo;
    const client = t.clientWith({ baseURL: `https://127.0.0.1:${address.port}`, httpAgent: agent });
    const models = await client.models.list();
    expect(models.models.length).to.be.greaterThan(0);
    await client.models.list();
    await client.models.list();
    expect(connections).to.equal(1);
  });

  describe("answers and fails as axios' own http adapter does", () => {
    const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout'] } });

    /** What an axios call resolves with, as far as the outcome reads it. */
    interface Answer {
      status: number;
      statusText: string;
      data: unknown;
      headers: unknown;
    }

    /** A body with its request id (new for every answer) blanked. */
    const scrub = (data: unknown) =>
      data !== null && typeof data === 'object' && 'request_id' in data
        ? { ...data, request_id: '(id)' }
        : data;

    /** What a caller (the transport's error mapping and retry decisions) can see of an outcome. */
    async function outcome(call: Promise<Answer>) {
      try {
        const res = await call;
        const headers = res.headers as Record<string, unknown>;
        return {
          status: res.status,
          statusText: res.statusText,
          data: scrub(res.data),
          type: headers['content-type'],
          encoding: headers['content-encoding'],
        };
      } catch (error) {
        const e = error as {
          name: string;
          message: string;
          code?: string;
          request?: unknown;
          response?: { status: number; data: unknown };
        };
        return {
          name: e.name,
          message: e.message,
          code: e.code,
          request: e.request !== undefined,
          status: e.response?.status,
          data: scrub(e.response?.data),
        };
      }
    }

    /** An axios instance as the transport makes one, on the given adapter and a one-socket agent. */
    function instance(adapter: AxiosAdapter, options: AxiosRequestConfig = {}): AxiosInstance {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      t.defer(() => agent.destroy());
      return axios.create({
        baseURL: t.server.url,
        httpAgent: agent,
        maxRedirects: 0,
        proxy: false,
        responseType: 'json',
        headers: { Authorization: `Bearer ${SECRET_KEY}`, 'User-Agent': 'soniox-pro-sdk' },
        adapter,
        ...options,
      });
    }

    const native = () => axios.getAdapter('http');
    const lean = () => jsonAdapter(axios, native());

    /**
     * The outcome of `call` through axios' adapter and through the lean one, each on its own
     * socket, with `faults` set afresh for each; `during` runs while the call is in flight.
     */
    async function both(
      call: (http: AxiosInstance) => Promise<Answer>,
      {
        faults = [],
        options = {},
        during,
      }: { faults?: HttpFault[]; options?: AxiosRequestConfig; during?: () => Promise<void> } = {},
    ) {
      const results = [];
      for (const adapter of [native(), lean()]) {
        t.server.setFaults({ http: faults });
        const pending = outcome(call(instance(adapter, options)));
        if (during) await during();
        results.push(await pending);
      }
      return results as [Awaited<ReturnType<typeof outcome>>, Awaited<ReturnType<typeof outcome>>];
    }

    const cases: Array<{
      title: string;
      call: (http: AxiosInstance) => Promise<Answer>;
      faults?: HttpFault[];
      options?: AxiosRequestConfig;
    }> = [
      { title: 'a 200 with a JSON body', call: (h) => h.get('/v1/models') },
      { title: "a 404 with the API's error body", call: (h) => h.get('/v1/files/no-such-file') },
      {
        title: 'a 503',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', status: 503, times: 1 }],
      },
      {
        title: 'a POST of a JSON body the API refuses (400)',
        call: (h) =>
          h.post('/v1/transcriptions', {
            model: 'no-such-model',
            audio_url: 'https://example.com/a.wav',
          }),
      },
      {
        title: 'a query',
        call: (h) => h.get('/v1/files', { params: { limit: 2, cursor: undefined } }),
      },
      {
        title: 'a 200 whose body is not JSON',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', body: 'invalid-json', times: 1 }],
      },
      {
        title: 'a connection reset before the answer',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', reset: 'before', times: 1 }],
      },
      {
        title: 'a body cut off mid-way',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', reset: 'mid-response', times: 1 }],
      },
      ...(['gzip', 'deflate', 'br'] as const).map((encoding) => ({
        title: `a ${encoding}-encoded answer`,
        call: (h: AxiosInstance) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', encoding, times: 1 }],
      })),
      {
        title: 'a body over maxContentLength',
        call: (h) => h.get('/v1/models'),
        options: { maxContentLength: 100 },
      },
      {
        title: 'an encoded body over maxContentLength once decoded',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', encoding: 'gzip', times: 1 }],
        options: { maxContentLength: 2000 },
      },
      {
        title: 'a body of any size with maxContentLength -1',
        call: (h) => h.get('/v1/models'),
        options: { maxContentLength: -1 },
      },
      {
        title: 'a signal aborted before the call',
        call: (h) => h.get('/v1/models', { signal: AbortSignal.abort() }),
      },
      {
        title: 'a status that validateStatus accepts',
        call: (h) => h.get('/v1/files/no-such-file', { validateStatus: (s) => s === 404 }),
      },
      {
        title: 'a 2xx that validateStatus refuses',
        call: (h) => h.get('/v1/models', { validateStatus: (s) => s !== 200 }),
      },
      {
        title: 'a 500',
        call: (h) => h.get('/v1/models'),
        faults: [{ route: 'GET /v1/models', status: 500, times: 1 }],
      },
    ];

    for (const c of cases) {
      it(`alike for ${c.title}`, async () => {
        const [viaAxios, viaLean] = await both(c.call, {
          faults: c.faults ?? [],
          options: c.options ?? {},
        });
        expect(viaLean).to.deep.equal(viaAxios);
      });
    }

    it('alike for a body of exactly maxContentLength, and of one byte more', async () => {
      const length = Number((await instance(native()).get('/v1/models')).headers['content-length']);
      for (const limit of [length, length - 1]) {
        const [viaAxios, viaLean] = await both((h) => h.get('/v1/models'), {
          options: { maxContentLength: limit },
        });
        expect(viaLean).to.deep.equal(viaAxios);
        expect(viaLean.status, `limit ${limit}`).to.equal(limit === length ? 200 : undefined);
      }
    });

    it('alike for a 204 without a body', async () => {
      const client = t.clientWith();
      const ids: string[] = [];
      for (let i = 0; i < 2; i++)
        ids.push((await client.files.upload(Buffer.from('RIFF'), { filename: `x${i}.wav` })).id);
      const [viaAxios, viaLean] = [
        await outcome(instance(native()).delete(`/v1/files/${ids[0]}`)),
        await outcome(instance(lean()).delete(`/v1/files/${ids[1]}`)),
      ];
      expect(viaLean).to.deep.equal(viaAxios);
      expect(viaLean).to.include({ status: 204, data: '' });
    });

    for (const options of [
      { timeout: 50 },
      { timeout: 50, timeoutErrorMessage: 'too slow' },
      { timeout: 50, transitional: { clarifyTimeoutError: true } },
    ] as AxiosRequestConfig[]) {
      it(`alike for no answer within the timeout (${JSON.stringify(options)})`, async () => {
        const [viaAxios, viaLean] = await both((h) => h.get('/v1/models'), {
          faults: [{ route: 'GET /v1/models', delayMs: 10_000 }],
          options,
          during: () => t.clock.tickAsync(60).then(() => undefined),
        });
        expect(viaLean).to.deep.equal(viaAxios);
        expect(viaLean.code).to.equal(options.transitional ? 'ETIMEDOUT' : 'ECONNABORTED');
      });
    }

    it('alike for a signal aborted while the call waits for its answer', async () => {
      let controller = new AbortController();
      const [viaAxios, viaLean] = await both(
        (h) => {
          controller = new AbortController();
          return h.get('/v1/models', { signal: controller.signal });
        },
        {
          faults: [{ route: 'GET /v1/models', delayMs: 10_000 }],
          during: async () => {
            await t.clock.tickAsync(5);
            controller.abort();
          },
        },
      );
      expect(viaLean).to.deep.equal(viaAxios);
      expect(viaLean).to.include({ name: 'CanceledError', code: 'ERR_CANCELED' });
    });

    it("sends the headers axios' adapter sends, and the body, on the same kind of request", async () => {
      const spy = sinon.spy(http, 'request');
      t.defer(() => spy.restore());
      const sent = async (adapter: AxiosAdapter) => {
        spy.resetHistory();
        await instance(adapter)
          .post('/v1/transcriptions', { model: 'x' })
          .catch(() => undefined);
        const options = spy.lastCall.args.find(
          (a) => typeof a === 'object' && a !== null && 'headers' in a,
        ) as http.RequestOptions;
        const headers = Object.fromEntries(
          Object.entries(options.headers as Record<string, string>).map(([k, v]) => [
            k.toLowerCase(),
            String(v),
          ]),
        );
        return { method: options.method, headers };
      };
      const viaAxios = await sent(native());
      const viaLean = await sent(lean());
      // axios also advertises `compress`, which no server sends and neither adapter decodes.
      expect(viaAxios.headers['accept-encoding']).to.equal('gzip, compress, deflate, br');
      expect(viaLean.headers['accept-encoding']).to.equal('gzip, deflate, br');
      delete viaAxios.headers['accept-encoding'];
      delete viaLean.headers['accept-encoding'];
      expect(viaLean).to.deep.equal(viaAxios);
      expect(viaLean.method).to.equal('POST');
      expect(viaLean.headers['content-length']).to.equal(
        String(JSON.stringify({ model: 'x' }).length),
      );
    });

    it('keeps an Accept-Encoding the caller set', async () => {
      const spy = sinon.spy(http, 'request');
      t.defer(() => spy.restore());
      await instance(lean()).get('/v1/models', { headers: { 'Accept-Encoding': 'identity' } });
      const options = spy.lastCall.args.find(
        (a) => typeof a === 'object' && a !== null && 'headers' in a,
      ) as http.RequestOptions;
      expect((options.headers as Record<string, string>)['Accept-Encoding']).to.equal('identity');
    });

    it("hands a streamed body to axios' adapter and sends the rest itself", async () => {
      const calls: string[] = [];
      const fallback: AxiosAdapter = (config) => {
        calls.push(String(config.url));
        return native()(config);
      };
      const h = instance(jsonAdapter(axios, fallback));
      await h.get('/v1/models');
      await h.post('/v1/transcriptions', { model: 'x' }).catch(() => undefined);
      expect(calls).to.deep.equal([]);
      await h
        .post('/v1/files', Readable.from([Buffer.from('x')]), {
          headers: { 'Content-Type': 'application/octet-stream' },
        })
        .catch(() => undefined);
      expect(calls).to.deep.equal(['/v1/files']);
    });
  });

  describe('the URL of a call', () => {
    const config = (over: Partial<InternalAxiosRequestConfig>) =>
      ({ baseURL: 'http://127.0.0.1:9/', url: '/v1/files', ...over }) as InternalAxiosRequestConfig;

    it('is the one axios builds, for every kind of query value the transport sends', () => {
      const cases: Array<Partial<InternalAxiosRequestConfig>> = [
        {},
        { params: { limit: 100, cursor: undefined } },
        { params: { cursor: 'a b/c:d$e,f[g]h+i&j=k#l?m%n~o' } },
        { url: '/v1/files?x=1', params: { limit: 5 } },
        { baseURL: 'http://127.0.0.1:9/base//', url: 'v1/models' },
        { baseURL: 'http://127.0.0.1:9', url: 'http://127.0.0.1:10/v1/models' },
        { params: { empty: '', zero: 0, nothing: null } },
        { params: { cursor: undefined } },
        { url: '/v1/files#top', params: { limit: 1 } },
      ];
      for (const c of cases) {
        const built = config(c);
        expect(requestUrl(built), JSON.stringify(c)).to.equal(axios.getUri(built));
      }
    });
  });
});

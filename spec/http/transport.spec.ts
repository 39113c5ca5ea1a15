import { expect } from 'chai';
import sinon from 'sinon';
import { inspect } from 'node:util';
import {
  SonioxAbortError,
  SonioxAuthenticationError,
  SonioxConnectionError,
  SonioxError,
  SonioxNotFoundError,
  SonioxOutcomeUnknownError,
  SonioxRateLimitError,
  SonioxServerError,
  SonioxTimeoutError,
  SonioxResponseError,
  SonioxValidationError,
} from '../../lib/errors';
import type { RequestEvent, ResponseEvent, RetryEvent } from '../../lib/config';
import { SECRET_KEY, clientFor, fixture, mock, rejection, until, type Fixture } from '../helpers';

const CREATE = 'POST /v1/transcriptions';
const MODELS = 'GET /v1/models';
const audio_url = 'https://example.com/a.mp3';

describe('http/transport (against the mock server)', () => {
  // Before the fixture's own hook: clocks and stubs go before the clients and server close.
  afterEach(() => sinon.restore());
  const t = fixture();
  const hits = (route: string) => t.server.state.hits[route] ?? 0;

  it('sends the key as a Bearer token and returns the parsed body', async () => {
    const client = t.clientWith();
    const { models } = await client.models.list();
    expect(models.map((m) => m.id)).to.include('stt-async-v5');
    client.close();
  });

  it('retries a GET after a 503 and succeeds', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 503, times: 2 }] });
    const client = t.clientWith();
    const { models } = await client.models.list();
    expect(models.length).to.be.greaterThan(0);
    expect(hits(MODELS)).to.equal(3);
    client.close();
  });

  it('gives up after maxRetries and reports the last status', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 502 }] });
    const client = t.clientWith({ maxRetries: 2 });
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxServerError);
    expect((error as SonioxServerError).status).to.equal(502);
    expect(hits(MODELS)).to.equal(3);
    client.close();
  });

  it('honours a per-call maxRetries', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 500 }] });
    const client = t.clientWith();
    await rejection(client.models.list({ maxRetries: 0 }));
    expect(hits(MODELS)).to.equal(1);
    client.close();
  });

  it('does not retry create transcription after a 500: it may have been created and billed', async () => {
    t.server.setFaults({ http: [{ route: CREATE, status: 500, times: 1 }] });
    const client = t.clientWith();
    const error = await rejection(client.transcriptions.create({ audio_url }));
    expect(error).to.be.instanceOf(SonioxServerError);
    expect(hits(CREATE)).to.equal(1);
    client.close();
  });

  it('does not resend create transcription when the connection resets mid-response: the lookup finds the job', async () => {
    t.server.setFaults({ http: [{ route: CREATE, reset: 'mid-response', times: 1 }] });
    const client = t.clientWith();
    const job = await client.transcriptions.create({ audio_url });
    expect(hits(CREATE)).to.equal(1);
    expect([...t.server.state.transcriptions.keys()]).to.deep.equal([job.id]);
    client.close();
  });

  describe('a POST the server may have acted on is never sent twice', () => {
    // Each case warms the pool first, so the POST goes out on a reused keep-alive socket: the
    // case where a reset used to be taken for a stale socket and the POST sent again.
    const warm = async (client: ReturnType<typeof clientFor>) => {
      await client.models.list();
      expect(client.poolStats().socketsCreated).to.equal(1);
    };
    for (const reset of ['after-handler', 'mid-response'] as const) {
      it(`create transcription: the server acts, then the connection ends (${reset}) -> one job, returned`, async () => {
        const client = t.clientWith({ maxSockets: 1 });
        await warm(client);
        t.server.setFaults({ http: [{ route: CREATE, reset, times: 1 }] });
        const job = await client.transcriptions.create({ audio_url });
        expect(hits(CREATE)).to.equal(1);
        expect([...t.server.state.transcriptions.keys()]).to.deep.equal([job.id]);
        client.close();
      });
    }

    it('temporary key: the server mints it, then the connection ends -> one key, an error', async () => {
      const client = t.clientWith({ maxSockets: 1 });
      await warm(client);
      t.server.setFaults({
        http: [{ route: 'POST /v1/auth/temporary-api-key', reset: 'after-handler', times: 1 }],
      });
      await rejection(
        client.auth.createTemporaryKey({
          usage_type: 'transcribe_websocket',
          expires_in_seconds: 60,
        }),
      );
      expect(hits('POST /v1/auth/temporary-api-key')).to.equal(1);
      client.close();
    });

    it('file upload: the server stores it, then the connection ends -> one file, returned', async () => {
      const client = t.clientWith({ maxSockets: 1 });
      await warm(client);
      t.server.setFaults({ http: [{ route: 'POST /v1/files', reset: 'after-handler', times: 1 }] });
      const file = await client.files.upload(Buffer.alloc(4096, 1), { filename: 'a.raw' });
      expect(hits('POST /v1/files')).to.equal(1);
      expect([...t.server.state.files.keys()]).to.deep.equal([file.id]);
      client.close();
    });

    it('retries a Buffer upload cut mid-body, which the server cannot have acted on, and stores it once', async () => {
      const client = t.clientWith();
      // Larger than loopback socket buffers, so the cut lands while the body is still being written.
      const body = Buffer.alloc(48 * 1024 * 1024, 7);
      t.server.setFaults({ http: [{ route: 'POST /v1/files', reset: 'mid-request', times: 1 }] });
      const file = await client.files.upload(body, { filename: 'big.raw' });
      expect(file.size).to.equal(body.length);
      expect(hits('POST /v1/files')).to.equal(2);
      expect(t.server.state.files.size).to.equal(1);
      client.close();
    });
  });

  it('retries create transcription after a 429 or a 503, where the server did not act', async () => {
    t.server.setFaults({
      http: [
        { route: CREATE, status: 429, times: 1 },
        { route: CREATE, status: 503, times: 1 },
      ],
    });
    const client = t.clientWith();
    const created = await client.transcriptions.create({ audio_url });
    expect(created.status).to.equal('queued');
    expect(hits(CREATE)).to.equal(3);
    client.close();
  });

  it('retries a GET whose response was cut by a connection reset', async () => {
    t.server.setFaults({ http: [{ route: MODELS, reset: 'mid-response', times: 1 }] });
    const client = t.clientWith();
    await client.models.list();
    expect(hits(MODELS)).to.equal(2);
    client.close();
  });

  it('waits for Retry-After (seconds) before retrying', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.server.setFaults({ http: [{ route: MODELS, status: 429, retryAfter: 2, times: 1 }] });
    const client = t.clientWith();
    const call = client.models.list();
    await until(() => hits(MODELS) === 1);
    await clock.tickAsync(1990);
    expect(hits(MODELS)).to.equal(1);
    await clock.tickAsync(20);
    await until(() => hits(MODELS) === 2);
    await call;
    client.close();
  });

  it('waits for retry-after-ms before retrying', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.server.setFaults({ http: [{ route: MODELS, status: 503, retryAfterMs: 700, times: 1 }] });
    const client = t.clientWith();
    const call = client.models.list();
    await until(() => hits(MODELS) === 1);
    await clock.tickAsync(690);
    expect(hits(MODELS)).to.equal(1);
    await clock.tickAsync(20);
    await call;
    expect(hits(MODELS)).to.equal(2);
    client.close();
  });

  it('fails at once with retryAfterMs when Retry-After exceeds the cap', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 429, retryAfter: 600 }] });
    const client = t.clientWith({ retry: { maxRetryAfterMs: 30_000 } });
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxRateLimitError);
    expect((error as SonioxRateLimitError).retryAfterMs).to.equal(600_000);
    expect((error as SonioxRateLimitError).errorType).to.equal('limit_exceeded');
    expect(hits(MODELS)).to.equal(1);
    client.close();
  });

  it('backs off with jittered exponential delays between retries', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    sinon.stub(Math, 'random').returns(0.5);
    t.server.setFaults({ http: [{ route: MODELS, status: 500, times: 2 }] });
    const delays: number[] = [];
    const client = t.clientWith({
      retry: { baseDelayMs: 1000, maxDelayMs: 8000 },
      onRetry: (e) => delays.push(e.delayMs),
    });
    const call = client.models.list();
    await until(() => hits(MODELS) === 1);
    await clock.tickAsync(499);
    expect(hits(MODELS)).to.equal(1);
    await clock.tickAsync(2);
    await until(() => hits(MODELS) === 2);
    await clock.tickAsync(1001);
    await call;
    expect(delays).to.deep.equal([500, 1000]);
    client.close();
  });

  it('times out an attempt with no response activity', async () => {
    t.server.setFaults({ http: [{ route: MODELS, delayMs: 400 }] });
    const client = t.clientWith({ timeoutMs: 50, maxRetries: 0 });
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect((error as SonioxTimeoutError).timeoutMs).to.equal(50);
    client.close();
  });

  it('rejects at once with an abort error when the signal fires during a retry wait', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 503 }] });
    const client = t.clientWith({ retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const controller = new AbortController();
    const call = client.models.list({ signal: controller.signal });
    await until(() => hits(MODELS) === 1);
    const started = process.hrtime.bigint();
    controller.abort();
    const error = await rejection(call);
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1000);
    client.close();
  });

  it('rejects before sending when the signal is already aborted', async () => {
    const client = t.clientWith();
    const error = await rejection(client.models.list({ signal: AbortSignal.abort() }));
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(hits(MODELS)).to.equal(0);
    client.close();
  });

  it('maps an AbortSignal.timeout deadline to a timeout error', async () => {
    t.server.setFaults({ http: [{ route: MODELS, delayMs: 500 }] });
    const client = t.clientWith();
    const error = await rejection(client.models.list({ signal: AbortSignal.timeout(30) }));
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    client.close();
  });

  it('calls onRequest, onResponse and onRetry for each attempt', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 503, times: 1 }] });
    const requests: RequestEvent[] = [];
    const responses: ResponseEvent[] = [];
    const retries: RetryEvent[] = [];
    const client = t.clientWith({
      onRequest: (e) => requests.push(e),
      onResponse: (e) => responses.push(e),
      onRetry: (e) => retries.push(e),
    });
    await client.models.list();
    expect(requests.map((e) => e.attempt)).to.deep.equal([1, 2]);
    expect(responses.map((e) => [e.attempt, e.status])).to.deep.equal([
      [1, 503],
      [2, 200],
    ]);
    expect(responses[1]!.durationMs).to.be.a('number').and.at.least(0);
    expect(retries).to.have.length(1);
    expect(retries[0]!.attempt).to.equal(2);
    expect(retries[0]!.error).to.be.instanceOf(SonioxServerError);
    expect(requests[0]!.url).to.equal('/v1/models');
    client.close();
  });

  it('rejects a response that drifted from the schema, naming the field', async () => {
    t.server.setFaults({ http: [{ route: MODELS, json: { models: [{ id: 7 }] } }] });
    const client = t.clientWith();
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxResponseError);
    expect(error.message).to.match(
      /^GET \/v1\/models: the response does not match the API schema \(.*models\.0\.id.*\); pass validateResponses: false to accept it$/,
    );
    const issues = (error as SonioxResponseError).issues;
    expect(issues.map((i) => i.field)).to.include('models.0.id');
    expect(issues.every((i) => Object.keys(i).join() === 'field,message')).to.equal(true);
    client.close();
  });

  it('accepts a drifted response in lenient mode', async () => {
    t.server.setFaults({ http: [{ route: MODELS, json: { models: [{ id: 7 }] } }] });
    const client = t.clientWith({ validateResponses: false });
    const list = await client.models.list();
    expect(list.models[0]?.id).to.equal(7);
    client.close();
  });

  it('reports a 2xx body that is not JSON', async () => {
    t.server.setFaults({ http: [{ route: MODELS, body: 'invalid-json' }] });
    const client = t.clientWith();
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxResponseError);
    expect(error.message).to.match(/not valid JSON/);
    client.close();
  });

  it('refuses calls after close(), and close() is idempotent', async () => {
    const client = t.clientWith();
    await client.models.list();
    client.close();
    client.close();
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect(error.message).to.match(/closed/);
  });

  it('maps a refused connection to a connection error after retrying', async () => {
    // A server of its own, closed: nothing listens on its port any more.
    const gone = await mock();
    await gone.close();
    const client = clientFor(gone, { maxRetries: 1 });
    t.defer(() => client.close());
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect((error as SonioxConnectionError).errno).to.equal('ECONNREFUSED');
    client.close();
  });

  describe('pool', () => {
    it('reuses sockets for 200 sequential calls (reuse ratio >= 99 %)', async () => {
      const client = t.clientWith();
      for (let i = 0; i < 200; i++) await client.models.list();
      const stats = client.poolStats();
      console.log(
        `      pool: ${stats.requests} requests, ${stats.socketsCreated} sockets, reuse ${(stats.reuseRatio * 100).toFixed(1)} %`,
      );
      expect(stats.requests).to.equal(200);
      expect(stats.reuseRatio).to.be.at.least(0.99);
      expect(stats.reuseRatio).to.equal((stats.requests - stats.socketsCreated) / stats.requests);
      client.close();
    });

    it('serves 500 concurrent calls on a pool of 10 without opening more than 10 sockets', async () => {
      const client = t.clientWith({ maxSockets: 10 });
      const calls = Array.from({ length: 500 }, () => client.models.list());
      await until(() => client.poolStats().queued > 0);
      const peakQueued = client.poolStats().queued;
      const results = await Promise.all(calls);
      const stats = client.poolStats();
      expect(results).to.have.length(500);
      expect(stats.socketsCreated).to.be.at.most(10);
      expect(peakQueued).to.be.greaterThan(0);
      expect(stats.queued).to.equal(0);
      client.close();
    });

    it('reports zeros before the first request', () => {
      const client = t.clientWith();
      expect(client.poolStats()).to.deep.equal({
        socketsCreated: 0,
        requests: 0,
        reuseRatio: 0,
        queued: 0,
        activeSockets: 0,
        freeSockets: 0,
      });
      client.close();
    });
  });

  describe('the API key never leaks', () => {
    const paths: Array<
      [string, (f: Fixture) => Promise<unknown>, new (...a: never[]) => SonioxError]
    > = [
      [
        '401',
        (f) => f.clientWith({ apiKey: `${SECRET_KEY}-wrong` }).models.list(),
        SonioxAuthenticationError,
      ],
      [
        '404',
        (f) => f.clientWith().files.get('00000000-0000-4000-8000-000000000000'),
        SonioxNotFoundError,
      ],
      [
        '500 after retries',
        (f) => {
          f.server.setFaults({ http: [{ route: MODELS, status: 500 }] });
          return f.clientWith({ maxRetries: 1 }).models.list();
        },
        SonioxServerError,
      ],
      [
        'timeout',
        (f) => {
          f.server.setFaults({ http: [{ route: MODELS, delayMs: 300 }] });
          return f.clientWith({ timeoutMs: 20, maxRetries: 0 }).models.list();
        },
        SonioxTimeoutError,
      ],
      [
        'reset with an unknown outcome',
        (f) => {
          f.server.setFaults({
            http: [
              { route: CREATE, reset: 'mid-response' },
              { route: 'GET /v1/transcriptions', status: 500 },
            ],
          });
          return f.clientWith({ maxRetries: 1 }).transcriptions.create({ audio_url });
        },
        SonioxOutcomeUnknownError,
      ],
      [
        'validation',
        (f) => f.clientWith().transcriptions.create({ audio_url: 'nope' }),
        SonioxValidationError,
      ],
      [
        'drift',
        (f) => {
          f.server.setFaults({ http: [{ route: MODELS, json: { x: 1 } }] });
          return f.clientWith().models.list();
        },
        SonioxResponseError,
      ],
    ];
    for (const [name, call, Ctor] of paths) {
      it(`is absent from the ${name} error, its JSON and its inspection`, async () => {
        const error = await rejection(call(t));
        expect(error).to.be.instanceOf(Ctor);
        for (const text of [
          error.message,
          String(error.stack),
          JSON.stringify(error),
          inspect(error, { depth: 10, showHidden: true }),
        ]) {
          expect(text).not.to.include(SECRET_KEY);
        }
        const cause = (error as { cause?: unknown }).cause;
        if (cause !== undefined)
          expect(inspect(cause, { depth: 10, showHidden: true })).not.to.include(SECRET_KEY);
      });
    }
  });

  it('uses an HTTPS keep-alive agent for an https origin', async () => {
    const client = new (await import('../../lib/client')).SonioxClient({
      apiKey: SECRET_KEY,
      baseURL: 'https://127.0.0.1:1',
      env: {},
      maxRetries: 0,
    });
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxConnectionError);
    client.close();
  });

  it('lists and iterates with default parameters', async () => {
    const client = t.clientWith();
    expect((await client.transcriptions.list()).transcriptions).to.deep.equal([]);
    expect((await client.files.list()).files).to.deep.equal([]);
    const seen: unknown[] = [];
    for await (const job of client.transcriptions.iterate()) seen.push(job);
    for await (const f of client.files.iterate()) seen.push(f);
    expect(seen).to.deep.equal([]);
    client.close();
  });
});

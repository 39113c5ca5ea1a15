import { expect } from 'chai';
import http from 'node:http';
import { once } from 'node:events';
import sinon from 'sinon';
import WebSocket from 'ws';
import type { MockServer } from '../../lib/mock';
import { fixture as specFixture } from '../helpers';
import { RateLimiter, rateLimitHeaders } from '../../lib/mock/rate-limit';
import type { RealtimeMessage } from '../../lib/types';
import { PCM } from '../audio';

const KEY = 'rl-key';
const OTHER = 'rl-other-key';
const NOW = Date.parse('2026-11-29T12:00:00Z');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { status_code?: number; error_type?: string; message?: string; request_id?: string };
}

function get(server: MockServer, key = KEY): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${server.url}/v1/models`,
        { agent: false, headers: { Authorization: `Bearer ${key}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(Buffer.concat(chunks).toString()) as Answer['body'],
            }),
          );
        },
      )
      .on('error', reject);
  });
}

/** Opens a realtime session and resolves with the first message and the close code. */
async function realtimeStart(
  server: MockServer,
  key = KEY,
): Promise<{ ws: WebSocket; first: Promise<RealtimeMessage> }> {
  const ws = new WebSocket(server.realtimeURL, {
    headers: { Authorization: `Bearer ${key}` },
    perMessageDeflate: false,
  });
  const first = once(ws, 'message').then(([d]) => JSON.parse(String(d)) as RealtimeMessage);
  ws.on('error', () => undefined);
  await once(ws, 'open');
  ws.send(JSON.stringify({ model: 'stt-rt-v5', ...PCM }));
  return { ws, first };
}

describe('mock/rate-limit: the limiter', () => {
  it("keeps its own copy of the limits: one server's change never reaches another made from the same options", () => {
    const options = { realtimeConcurrentSessions: 2 };
    const first = new RateLimiter(options);
    const second = new RateLimiter(options);
    first.limits.realtimeConcurrentSessions = 5;
    expect(options.realtimeConcurrentSessions).to.equal(2);
    expect(second.limits.realtimeConcurrentSessions).to.equal(2);
  });

  it('refills its bucket at requestsPerSecond up to burst, and says when the next token is due', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 2 });
    expect(limiter.request('k', 0)).to.deep.equal({ allowed: true });
    expect(limiter.request('k', 0)).to.deep.equal({ allowed: true });
    expect(limiter.request('k', 0)).to.deep.equal({ allowed: false, retryAfterMs: 100 });
    expect(limiter.request('k', 50)).to.deep.equal({ allowed: false, retryAfterMs: 50 });
    expect(limiter.request('k', 100)).to.deep.equal({ allowed: true });
    // A long quiet spell refills to burst, not beyond.
    expect(limiter.request('k', 60_000)).to.deep.equal({ allowed: true });
    expect(limiter.request('k', 60_000)).to.deep.equal({ allowed: true });
    expect(limiter.request('k', 60_000).allowed).to.equal(false);
    expect(limiter.counters).to.deep.include({ allowed: 5, rejected: 3 });
  });

  it('keeps one bucket per key unless perKey is false', () => {
    const perKey = new RateLimiter({ requestsPerSecond: 1 });
    expect(perKey.request('a', 0).allowed).to.equal(true);
    expect(perKey.request('b', 0).allowed).to.equal(true);
    expect(perKey.request('a', 0).allowed).to.equal(false);
    const global = new RateLimiter({ requestsPerSecond: 1, perKey: false });
    expect(global.request('a', 0).allowed).to.equal(true);
    expect(global.request('b', 0).allowed).to.equal(false);
  });

  it('allows everything without limits, and refuses limits that are not positive', () => {
    const open = new RateLimiter();
    for (let i = 0; i < 1000; i++) expect(open.request('k', 0).allowed).to.equal(true);
    expect(open.sessionStart('k', 0).allowed).to.equal(true);
    expect(() => new RateLimiter({ requestsPerSecond: 0 })).to.throw(
      /requestsPerSecond must be a positive number/,
    );
    expect(() => new RateLimiter({ realtimeConcurrentSessions: -1 })).to.throw(
      /realtimeConcurrentSessions/,
    );
  });

  it('counts realtime sessions per minute on a rolling window, and concurrent ones until they end', () => {
    const limiter = new RateLimiter({
      realtimeSessionsPerMinute: 2,
      realtimeConcurrentSessions: 5,
    });
    expect(limiter.sessionStart('k', 0).allowed).to.equal(true);
    expect(limiter.sessionStart('k', 30_000).allowed).to.equal(true);
    expect(limiter.sessionStart('k', 59_999)).to.deep.include({
      allowed: false,
      errorType: 'limit_exceeded',
    });
    expect(limiter.sessionStart('k', 60_000).allowed).to.equal(true);
    expect(limiter.activeSessions('k')).to.equal(3);
    const concurrent = new RateLimiter({ realtimeConcurrentSessions: 1 });
    expect(concurrent.sessionStart('k', 0).allowed).to.equal(true);
    expect(concurrent.sessionStart('k', 0)).to.deep.include({
      allowed: false,
      errorType: 'max_concurrent_connections_reached',
    });
    concurrent.sessionEnded('k');
    expect(concurrent.sessionStart('k', 0).allowed).to.equal(true);
    expect(concurrent.counters.sessionsRejected).to.equal(1);
  });

  it('names the limit in each refusal, and counts refusals of either limit', () => {
    const concurrent = new RateLimiter({ realtimeConcurrentSessions: 1 });
    concurrent.sessionStart('k', 0);
    expect(concurrent.sessionStart('k', 0)).to.deep.include({
      message: 'Maximum number of concurrent connections (1) reached.',
    });
    const perMinute = new RateLimiter({ realtimeSessionsPerMinute: 1 });
    perMinute.sessionStart('k', 0);
    expect(perMinute.sessionStart('k', 1)).to.deep.include({
      message: 'Too many new sessions: at most 1 per minute.',
    });
    expect(perMinute.sessionStart('k', 2).allowed).to.equal(false);
    expect(perMinute.counters.sessionsRejected).to.equal(2);
  });

  it('keeps counting the sessions still open when one of them ends, per key and in all', () => {
    const limiter = new RateLimiter({ realtimeConcurrentSessions: 2 });
    limiter.sessionStart('a', 0);
    limiter.sessionStart('a', 0);
    limiter.sessionStart('b', 0);
    expect(limiter.totalActiveSessions()).to.equal(3);
    limiter.sessionEnded('a');
    expect(limiter.activeSessions('a')).to.equal(1);
    expect(limiter.totalActiveSessions()).to.equal(2);
    expect(limiter.sessionStart('a', 0).allowed).to.equal(true);
    expect(limiter.sessionStart('a', 0).allowed).to.equal(false);
  });

  it('asks for at least one whole second in Retry-After, rounded up', () => {
    expect(rateLimitHeaders(300, {})).to.deep.equal({ 'Retry-After': '1' });
    expect(rateLimitHeaders(2500, {})).to.deep.equal({ 'Retry-After': '3' });
    expect(rateLimitHeaders(2500, { retryAfterMsHeader: true })).to.deep.equal({
      'Retry-After': '3',
      'retry-after-ms': '2500',
    });
  });
});

describe('mock/rate-limit: on a real loopback server', () => {
  // Before the fixture's hook, so that servers close on real time.
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });
  // Each spec starts the server it needs, with its clock installed first: fx.serverWith().
  // The realtime refusals are read by error_type: the rich error frames.
  const fx = specFixture({ mock: { apiKey: KEY, realtimeErrorShape: 'rich' } });

  it('answers 429 limit_exceeded with the API error body and Retry-After in whole seconds, then lets calls through as time passes', async () => {
    clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const server = await fx.serverWith({
      apiKey: KEY,
      rateLimit: { requestsPerSecond: 2, retryAfterMsHeader: true },
    });
    expect((await get(server)).status).to.equal(200);
    expect((await get(server)).status).to.equal(200);
    const refused = await get(server);
    expect(refused.status).to.equal(429);
    expect(refused.body).to.include({ status_code: 429, error_type: 'limit_exceeded' });
    expect(refused.body.request_id).to.be.a('string');
    expect(refused.headers['retry-after']).to.equal('1');
    expect(refused.headers['retry-after-ms']).to.equal('500');
    clock.tick(499);
    expect((await get(server)).status).to.equal(429);
    clock.tick(1);
    expect((await get(server)).status).to.equal(200);
    expect(server.rateLimiter.counters).to.deep.include({ allowed: 3, rejected: 2 });
  });

  it('does not charge unauthenticated requests to any bucket, and sends retry-after-ms only when asked', async () => {
    clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const server = await fx.serverWith({ apiKey: KEY, rateLimit: { requestsPerSecond: 1 } });
    expect((await get(server, 'wrong')).status).to.equal(401);
    expect((await get(server)).status).to.equal(200);
    const again = await get(server);
    expect(again.status).to.equal(429);
    expect(again.headers['retry-after-ms']).to.equal(undefined);
    expect(server.rateLimiter.counters.rejected).to.equal(1);
  });

  it('refuses a realtime session over the concurrent limit with error_code 429, and admits one once a slot frees', async () => {
    const server = await fx.serverWith({
      apiKey: KEY,
      realtimePacing: false,
      rateLimit: { realtimeConcurrentSessions: 1 },
    });
    const a = await realtimeStart(server);
    a.ws.send(Buffer.alloc(3200, 1));
    await a.first;
    const b = await realtimeStart(server);
    const refused = await b.first;
    expect(refused).to.include({
      error_code: 429,
      error_type: 'max_concurrent_connections_reached',
    });
    await once(b.ws, 'close');
    a.ws.send('');
    await once(a.ws, 'close');
    const c = await realtimeStart(server);
    c.ws.send(Buffer.alloc(3200, 1));
    expect((await c.first).error_code).to.equal(undefined);
    c.ws.terminate();
    expect(server.rateLimiter.counters.sessionsRejected).to.equal(1);
  });

  it('refuses new realtime sessions beyond the per-minute limit until the minute has passed', async () => {
    clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const server = await fx.serverWith({
      apiKey: KEY,
      realtimePacing: false,
      rateLimit: { realtimeSessionsPerMinute: 1 },
    });
    const a = await realtimeStart(server);
    a.ws.send(Buffer.alloc(3200, 1));
    await a.first;
    a.ws.terminate();
    const b = await realtimeStart(server);
    expect(await b.first).to.include({ error_code: 429, error_type: 'limit_exceeded' });
    // Another key has its own minute.
    const other = await fx.serverWith({
      apiKey: OTHER,
      realtimePacing: false,
      rateLimit: { realtimeSessionsPerMinute: 1 },
    });
    const o = await realtimeStart(other, OTHER);
    o.ws.send(Buffer.alloc(3200, 1));
    expect((await o.first).error_code).to.equal(undefined);
    o.ws.terminate();
    clock.tick(60_000);
    const c = await realtimeStart(server);
    c.ws.send(Buffer.alloc(3200, 1));
    expect((await c.first).error_code).to.equal(undefined);
    c.ws.terminate();
  });

  it('calls onRealtimeSend with each message just before sending it', async () => {
    const sent: Array<{ sessionId: string; message: unknown; sentAt: number }> = [];
    const server = await fx.serverWith({
      apiKey: KEY,
      realtimePacing: false,
      onRealtimeSend: (e) => sent.push(e),
    });
    const a = await realtimeStart(server);
    a.ws.send(Buffer.alloc(3200, 1));
    const first = await a.first;
    expect(sent).to.have.length.at.least(1);
    expect(sent[0]!.message).to.deep.equal(first);
    expect(sent[0]!.sentAt).to.be.at.most(performance.now());
    expect(sent[0]!.sessionId).to.be.a('string');
    a.ws.terminate();
  });
});

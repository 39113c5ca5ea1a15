/**
 * The client's ceiling on its concurrent realtime sessions, read from the account's configured
 * limit (`GET /v1/concurrency-limits`): a start over it waits for a slot instead of being
 * refused; a key that cannot read the limits, or `readConcurrencyLimit: false`, starts sessions
 * as before (refused, then retried); a 429 still lowers the ceiling. Against the mock over the
 * wire, its limit configured; fake setTimeout and Date drive the refresh and the backoff.
 */
import { expect } from 'chai';
import { LIMIT_REFRESH_MS, SessionSlots, sameDeployment } from '../../lib/realtime/session-slots';
import { PCM, fixture as audioFixture } from '../audio';
import { SonioxClient } from '../../lib/client';
import { SonioxWebSocketError } from '../../lib/errors';
import { SECRET_KEY, clientFor, fixture, mock, until, type Fixture } from '../helpers';
import { sessionTools, turns } from './session-tools';

const AUDIO = audioFixture('hello-world.wav');
const LIMITS_ROUTE = 'GET /v1/concurrency-limits';

function tools(t: Fixture) {
  const { session, drive } = sessionTools(t);
  /** A session that holds its slot: open, some audio sent, not ended. */
  async function holding(client: SonioxClient = t.client) {
    const s = session(client);
    s.stream.write(AUDIO.pcm.subarray(0, 3200));
    await until(() => s.stream.phase === 'open');
    return s;
  }
  /** Lets `seconds` of fake time pass, a second at a time, real I/O running in between. */
  async function elapse(seconds: number): Promise<void> {
    for (let i = 0; i < seconds; i++) {
      await t.clock.tickAsync(1000);
      await turns();
    }
  }
  const refusals = () => t.server.rateLimiter.counters.sessionsRejected;
  const reads = () => t.server.state.hits[LIMITS_ROUTE] ?? 0;
  return { session, holding, drive, elapse, refusals, reads };
}

describe('realtime/session-slots: the configured concurrency limit (fake timers)', () => {
  const t = fixture({
    // No idle limit: a session without audio keeps its slot for as long as a spec needs.
    mock: {
      realtimePacing: false,
      realtimeIdleTimeoutMs: 3_600_000,
      rateLimit: { realtimeConcurrentSessions: 2 },
      realtimeErrorShape: 'rich',
    },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });
  const { session, holding, drive, elapse, refusals, reads } = tools(t);

  it('with a configured limit of 2, a third concurrent stream waits for a slot instead of being refused', async () => {
    const first = await holding();
    await holding();
    const third = session();
    third.stream.end(AUDIO.pcm);
    await elapse(5);
    expect(third.stream.phase).to.equal('connecting');
    expect(refusals()).to.equal(0);

    first.stream.end();
    await first.finished;
    await drive(third.done);
    expect(third.stream.transcript).to.equal(AUDIO.text);
    expect(third.reconnects).to.deep.equal([]);
    expect(third.errors).to.deep.equal([]);
    expect(refusals()).to.equal(0);
  });

  it('reads the limit once for all the streams of a client, and again after the refresh interval', async () => {
    await holding();
    // A lone session fits any limit: nothing is read for it.
    expect(reads()).to.equal(0);
    await holding();
    const third = session();
    third.stream.end(AUDIO.pcm);
    await elapse(3);
    expect(reads()).to.equal(1);
    expect(third.stream.phase).to.equal('connecting');

    // The account's limit was raised: the waiting stream starts once the client reads it again.
    // (The mock's limits are the fixture's options object, shared by the specs: restored after.)
    const { limits } = t.server.rateLimiter;
    t.defer(() => (limits.realtimeConcurrentSessions = 2));
    limits.realtimeConcurrentSessions = 3;
    await drive(third.done, 1000, LIMIT_REFRESH_MS / 1000 + 10);
    expect(third.stream.transcript).to.equal(AUDIO.text);
    expect(reads()).to.equal(2);
    expect(refusals()).to.equal(0);
  });

  it('lowers the ceiling on a 429: a start refused for slots held elsewhere waits, not retried into more refusals', async () => {
    // Another process of the same account holds one of the two slots.
    const elsewhere = clientFor(t.server, { readConcurrencyLimit: false });
    t.defer(() => elsewhere.close());
    const other = await holding(elsewhere);
    const first = await holding();
    const second = session();
    second.stream.end(AUDIO.pcm);
    await drive(() => second.reconnects.length > 0);
    // Refused once; then it waits for the client's own session to end (until the next read of
    // the limit raises the ceiling back: at most one refusal per refresh interval).
    await elapse(30);
    expect(refusals()).to.equal(1);
    expect(second.reconnects).to.have.length(1);
    expect(second.errors).to.deep.equal([]);

    first.stream.end();
    await first.finished;
    await drive(second.done);
    expect(second.stream.transcript).to.equal(AUDIO.text);
    expect(refusals()).to.equal(1);
    other.stream.destroy();
  });

  it('fails a start still waiting for a slot when the client closes, with a typed error', async () => {
    await holding();
    await holding();
    const third = session();
    third.stream.end(AUDIO.pcm);
    await elapse(2);
    t.client.close();
    await drive(() => third.errors.length > 0);
    expect(third.errors[0]).to.be.instanceOf(SonioxWebSocketError);
    expect(third.errors[0]!.message).to.match(/client is closed/);
    expect(refusals()).to.equal(0);
  });

  it('starts sessions as before with readConcurrencyLimit: false (refused, then retried)', async () => {
    const client = t.clientWith({ readConcurrencyLimit: false });
    const first = await holding(client);
    await holding(client);
    const third = session(client);
    third.stream.end(AUDIO.pcm);
    await drive(() => third.reconnects.length > 0);
    expect(refusals()).to.be.at.least(1);
    expect(reads()).to.equal(0);
    first.stream.end();
    await drive(third.done);
    expect(third.stream.transcript).to.equal(AUDIO.text);
  });

  it('starts sessions as before with a key that cannot read the limits, asking once', async () => {
    const key = await t.client.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 3600,
    });
    const temporary = t.clientWith({ apiKey: key.api_key });
    const first = await holding(temporary);
    const second = await holding(temporary);
    const third = session(temporary);
    third.stream.end(AUDIO.pcm);
    await drive(() => third.reconnects.length > 0);
    expect(refusals()).to.be.at.least(1);
    first.stream.end();
    await drive(third.done);
    expect(third.stream.transcript).to.equal(AUDIO.text);
    // A forbidden read is not tried again, not even after the refresh interval.
    await elapse(LIMIT_REFRESH_MS / 1000 + 5);
    const fourth = session(temporary);
    fourth.stream.end(AUDIO.pcm);
    await drive(fourth.done);
    expect(reads()).to.equal(1);
    second.stream.destroy();
  });
});

describe('realtime/session-slots: a read that fails (fake timers)', () => {
  const t = fixture({
    mock: {
      realtimePacing: false,
      realtimeIdleTimeoutMs: 3_600_000,
      rateLimit: { realtimeConcurrentSessions: 5 },
      faults: { http: [{ route: LIMITS_ROUTE, delayMs: 3_600_000 }] },
    },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });
  const { session, holding, drive, reads } = tools(t);

  it('delays a start by no more than the read timeout when the read hangs, and does not retry it', async () => {
    await holding();
    const second = session();
    second.stream.end(AUDIO.pcm);
    const startedAt = Date.now();
    await drive(second.done, 250);
    expect(Date.now() - startedAt).to.be.at.most(3_000);
    expect(second.stream.transcript).to.equal(AUDIO.text);
    expect(reads()).to.equal(1);
  });
});

describe('realtime/session-slots: whose limits are read', () => {
  it('reads them when the REST and realtime hosts are one deployment, not for a realtime URL of its own', () => {
    const api = 'https://api.soniox.com';
    expect(sameDeployment(api, 'wss://stt-rt.soniox.com/transcribe-websocket')).to.equal(true);
    expect(sameDeployment('https://api.eu.soniox.com', 'wss://stt-rt.eu.soniox.com/x')).to.equal(
      true,
    );
    expect(sameDeployment('http://127.0.0.1:8080', 'ws://127.0.0.1:9090/x')).to.equal(true);
    expect(sameDeployment(api, 'ws://127.0.0.1:9090/transcribe-websocket')).to.equal(false);
    expect(sameDeployment(api, 'wss://relay.example.com/x')).to.equal(false);
    // Two hosts under a bare top-level domain are no deployment of one account.
    expect(sameDeployment('https://a.com', 'wss://b.com/x')).to.equal(false);
  });

  it('reads nothing for a client whose realtime URL is its own (a relay, a test server)', async () => {
    const server = await mock({ rateLimit: { realtimeConcurrentSessions: 1 } });
    const client = new SonioxClient({
      apiKey: SECRET_KEY,
      baseURL: 'https://api.soniox.com',
      realtimeURL: server.realtimeURL,
      env: {},
    });
    const streams = [client.realtime({ ...PCM }), client.realtime({ ...PCM })];
    try {
      for (const stream of streams) stream.on('error', () => undefined);
      streams[0]!.write(AUDIO.pcm.subarray(0, 3200));
      await until(() => server.rateLimiter.activeSessions(SECRET_KEY) === 1);
      // A second start is not held for a read of api.soniox.com: it goes at once, and is refused.
      streams[1]!.write(AUDIO.pcm.subarray(0, 3200));
      await until(() => server.rateLimiter.counters.sessionsRejected === 1, 1000);
    } finally {
      for (const stream of streams) stream.destroy();
      client.close();
      await server.close();
    }
  });
});

describe('realtime/session-slots: the slots alone (a read function, no network)', () => {
  it('drops a start whose signal aborts while it waits, and gives its turn to the next', async () => {
    const slots = new SessionSlots(() => Promise.resolve(1));
    await slots.acquire(new AbortController().signal);
    const aborted = new AbortController();
    const waiting = slots.acquire(aborted.signal);
    const next = slots.acquire(new AbortController().signal);
    let nextIn = false;
    void next.then(() => (nextIn = true));
    await turns();
    aborted.abort(new Error('the stream ended'));
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('the stream ended');
    expect(nextIn).to.equal(false);
    slots.release();
    await next;
    slots.close(new Error('closed'));
  });
});

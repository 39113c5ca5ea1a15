import { expect } from 'chai';
import sinon from 'sinon';
import { startMockServer, type MockServer, type MockServerOptions } from '../../lib/mock';
import { PCM, fixture } from '../audio';
import { until } from '../helpers';
import { openSession, type RawSession } from './flows';

const START = { model: 'stt-rt-v5', ...PCM };
/** One second of 16 kHz s16le mono silence. */
const SECOND = Buffer.alloc(32_000);

describe('mock: realtime cadence and session limits', () => {
  let server: MockServer | undefined;
  let clock: sinon.SinonFakeTimers | undefined;
  const start = async (options: MockServerOptions = {}) => {
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    server = await startMockServer(options);
    return server;
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
    clock?.restore();
    clock = undefined;
  });
  /** Lets the mock read what was sent (real I/O, fake clock). */
  const delivered = async (s: RawSession) => {
    await until(() => s.ws.bufferedAmount === 0);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const errorOf = (s: RawSession) => s.messages.find((m) => m.error_code !== undefined);

  it('drops a session whose audio runs more than 60 s ahead of real time (the default)', async () => {
    await start();
    const s = await openSession(server!, START);
    for (let i = 0; i < 60; i++) s.ws.send(SECOND);
    await delivered(s);
    expect(errorOf(s)).to.equal(undefined);
    s.ws.send(SECOND);
    s.ws.send(SECOND);
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
    expect(errorOf(s)?.error_message).to.match(/faster than real time/);
  });

  it('accepts audio at real-time pace past the threshold, and any burst with cadence off', async () => {
    await start({ cadence: { maxAheadMs: 2000 } });
    const paced = await openSession(server!, START);
    for (let i = 0; i < 5; i++) {
      paced.ws.send(SECOND);
      await delivered(paced);
      clock!.tick(1000);
    }
    paced.ws.send('');
    await paced.closed();
    expect(errorOf(paced)).to.equal(undefined);
    expect(paced.messages.at(-1)?.finished).to.equal(true);
    const burst = await openSession(server!, START);
    for (let i = 0; i < 4; i++) burst.ws.send(SECOND);
    await burst.closed();
    expect(errorOf(burst)?.error_code).to.equal(400);

    await server!.close();
    server = await startMockServer({ cadence: false });
    const free = await openSession(server, START);
    for (let i = 0; i < 90; i++) free.ws.send(SECOND);
    free.ws.send('');
    await free.closed();
    expect(errorOf(free)).to.equal(undefined);
  });

  it('ends a session after 20 s without audio or keepalive with a 408; keepalives hold it open', async () => {
    await start();
    const s = await openSession(server!, START);
    for (let i = 0; i < 4; i++) {
      clock!.tick(10_000);
      s.ws.send(JSON.stringify({ type: 'keepalive' }));
      await delivered(s);
    }
    expect(errorOf(s)).to.equal(undefined);
    clock!.tick(20_000);
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 408, error_type: 'request_timeout' });
  });

  it('ends a session at the 300-minute stream limit (simulated clock)', async () => {
    await start({ realtimeIdleTimeoutMs: 2 ** 31 - 1 });
    const s = await openSession(server!, START);
    await delivered(s);
    clock!.tick(300 * 60_000 - 1);
    await delivered(s);
    expect(errorOf(s)).to.equal(undefined);
    clock!.tick(1);
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
    expect(errorOf(s)?.error_message).to.match(/300 minutes/);
  });

  it("ends a temporary key's session after its max_session_duration_seconds", async () => {
    await start();
    const res = await fetch(`${server!.url}/v1/auth/temporary-api-key`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server!.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 60,
        max_session_duration_seconds: 15,
      }),
    });
    const { api_key } = (await res.json()) as { api_key: string };
    const s = await openSession(server!, { ...START, api_key });
    s.ws.send(SECOND);
    await delivered(s);
    clock!.tick(14_999);
    await delivered(s);
    expect(errorOf(s)).to.equal(undefined);
    clock!.tick(1);
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 403, error_type: 'temp_api_key_session_expired' });
  });

  it('refuses a context over the limit: error frame (realtime) and 400 body (async)', async () => {
    await start();
    const s = await openSession(server!, {
      ...START,
      context: { terms: Array.from({ length: 1001 }, () => 'abcdefghij') },
    });
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
    expect(errorOf(s)?.error_message).to.match(/Context is too long \(10010 characters/);
    const res = await fetch(`${server!.url}/v1/transcriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server!.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'stt-async-v5',
        audio_url: 'https://example.com/a.mp3',
        context: { text: 'x'.repeat(20_001) },
      }),
    });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { validation_errors: Array<{ location: string }> };
    expect(body.validation_errors[0]?.location).to.equal('body.payload.context');
  });

  it('an empty binary frame is not the end of audio; the empty text frame is', async () => {
    await start({ realtimePacing: false });
    const pcm = fixture('hello-world.wav').pcm;
    const half = pcm.length / 2;
    const s = await openSession(server!, START);
    s.ws.send(pcm.subarray(0, half));
    s.ws.send(Buffer.alloc(0));
    s.ws.send(pcm.subarray(half));
    await delivered(s);
    expect(s.messages.some((m) => m.finished)).to.equal(false);
    s.ws.send('');
    await s.closed();
    const finals = s.messages.flatMap((m) => m.tokens).filter((t) => t.is_final);
    expect(finals.map((t) => t.text).join('')).to.equal(fixture('hello-world.wav').text);
    expect(s.messages.at(-1)?.finished).to.equal(true);
  });
});

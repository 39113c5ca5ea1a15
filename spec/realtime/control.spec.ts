/**
 * The session's control messages as a user of the docs would check them: `keepAlive()` sends
 * `{"type":"keepalive"}` at once (and nothing, without an error, when there is no open session),
 * and `finalize()` calls closer together than `finalizeMinIntervalMs` (default 2000 ms: the
 * docs say "don't send more often than every few seconds (too frequent may disconnect)") are
 * coalesced into one finalize sent when the interval has passed, the largest
 * `trailing_silence_ms` asked winning. An in-memory socket under sinon's timers.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import type { RealtimeStream } from '../../lib/realtime/stream';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

describe('realtime control messages', () => {
  const t = fixture();
  let clock: sinon.SinonFakeTimers;
  let socket: ScriptedSocket;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    socket = new ScriptedSocket();
  });
  afterEach(() => clock.restore());

  function session(config: Record<string, unknown> = {}): RealtimeStream {
    const stream = t.client.realtime({
      ...PCM,
      acceptanceWindowMs: 0,
      ...config,
      webSocketFactory: () => socket,
    });
    t.defer(() => stream.destroy());
    return stream;
  }

  /** An open session: the socket opened, the start message sent. */
  async function opened(config: Record<string, unknown> = {}): Promise<RealtimeStream> {
    const stream = session(config);
    const connecting = stream.connect();
    await clock.tickAsync(0);
    socket.open();
    await connecting;
    return stream;
  }

  /** The text frames after the start message. */
  const controls = () => socket.sent.filter((f) => typeof f === 'string').slice(1);

  describe('keepAlive()', () => {
    it('sends {"type":"keepalive"} at once on an open session, even while audio flows', async () => {
      const stream = await opened();
      stream.write(Buffer.alloc(320));
      await clock.tickAsync(0);
      expect(stream.keepAlive()).to.equal(true);
      expect(socket.sent.at(-1)).to.equal('{"type":"keepalive"}');
      expect(stream.keepAlive()).to.equal(true);
      expect(controls()).to.deep.equal(['{"type":"keepalive"}', '{"type":"keepalive"}']);
    });

    it('is a no-op without an error before connect and after the stream ended', async () => {
      const stream = session();
      const errors: Error[] = [];
      stream.on('error', (e: Error) => errors.push(e));
      expect(stream.keepAlive()).to.equal(false);
      await clock.tickAsync(0);
      expect(stream.phase).to.equal('idle');
      expect(socket.sent).to.deep.equal([]);
      void stream.connect();
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(0);
      stream.destroy();
      const sent = socket.sent.length;
      expect(stream.keepAlive()).to.equal(false);
      expect(socket.sent).to.have.length(sent);
      expect(errors).to.deep.equal([]);
    });
  });

  describe('finalize() coalescing', () => {
    it('sends the first finalize at once and holds a second asked within 2000 ms until then', async () => {
      const stream = await opened();
      stream.finalize();
      expect(controls()).to.deep.equal(['{"type":"finalize"}']);
      await clock.tickAsync(500);
      stream.finalize();
      expect(controls()).to.have.length(1);
      await clock.tickAsync(1499);
      expect(controls()).to.have.length(1);
      await clock.tickAsync(1);
      expect(controls()).to.deep.equal(['{"type":"finalize"}', '{"type":"finalize"}']);
    });

    it('coalesces many calls into one, the largest trailing_silence_ms winning', async () => {
      const stream = await opened();
      stream.finalize();
      stream.finalize({ trailing_silence_ms: 100 });
      stream.finalize({ trailing_silence_ms: 500 });
      stream.finalize();
      stream.finalize({ trailing_silence_ms: 200 });
      await clock.tickAsync(2000);
      expect(controls()).to.deep.equal([
        '{"type":"finalize"}',
        '{"type":"finalize","trailing_silence_ms":500}',
      ]);
      // The coalesced one started a new interval: nothing more for 2000 ms, then nothing pending.
      await clock.tickAsync(10_000);
      expect(controls()).to.have.length(2);
    });

    it('sends at once again once the interval has passed', async () => {
      const stream = await opened();
      stream.finalize();
      await clock.tickAsync(2000);
      stream.finalize({ trailing_silence_ms: 300 });
      expect(controls()).to.deep.equal([
        '{"type":"finalize"}',
        '{"type":"finalize","trailing_silence_ms":300}',
      ]);
    });

    it('takes its interval from finalizeMinIntervalMs; 0 sends every call at once', async () => {
      const stream = await opened({ finalizeMinIntervalMs: 0 });
      stream.finalize();
      stream.finalize({ trailing_silence_ms: 300 });
      expect(controls()).to.deep.equal([
        '{"type":"finalize"}',
        '{"type":"finalize","trailing_silence_ms":300}',
      ]);
    });

    it('counts a longer finalizeMinIntervalMs', async () => {
      const stream = await opened({ finalizeMinIntervalMs: 5000 });
      stream.finalize();
      stream.finalize();
      await clock.tickAsync(4999);
      expect(controls()).to.have.length(1);
      await clock.tickAsync(1);
      expect(controls()).to.have.length(2);
    });

    it('refuses a finalizeMinIntervalMs that is not a duration', async () => {
      const stream = session({ finalizeMinIntervalMs: -1 });
      stream.on('error', () => undefined);
      const error = await stream.connect().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/finalizeMinIntervalMs must be a number from 0 to/);
    });

    it('does not hold end(): end-of-audio goes at once and a finalize still held is dropped (the end finalizes everything)', async () => {
      const stream = await opened();
      stream.on('error', () => undefined);
      stream.finalize();
      stream.finalize({ trailing_silence_ms: 300 });
      stream.end();
      await clock.tickAsync(0);
      expect(controls()).to.deep.equal(['{"type":"finalize"}', '']);
      await clock.tickAsync(5000);
      expect(controls()).to.deep.equal(['{"type":"finalize"}', '']);
    });

    it('sends nothing held once the stream is destroyed', async () => {
      const stream = await opened();
      stream.finalize();
      stream.finalize();
      stream.destroy();
      await clock.tickAsync(5000);
      expect(controls()).to.deep.equal(['{"type":"finalize"}']);
    });
  });
});

describe('realtime control messages over the wire (the mock records them)', () => {
  const wire = fixture();

  it('keepAlive() and two finalize() in a row reach the server as one keepalive and one finalize', async () => {
    const stream = wire.client.realtime({ ...PCM, acceptanceWindowMs: 0 });
    wire.defer(() => stream.destroy());
    await stream.connect();
    expect(stream.keepAlive()).to.equal(true);
    stream.finalize();
    stream.finalize();
    stream.end();
    for await (const token of stream) void token;
    expect(wire.server.received.sessions.at(-1)?.controls).to.deep.equal([
      { type: 'keepalive' },
      { type: 'finalize' },
    ]);
  });
});

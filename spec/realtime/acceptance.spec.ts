/**
 * `connect()` settles on the server's verdict. The API sends no "ok" after the start message: a
 * refusal is an error frame right after it (or an HTTP status on the upgrade). So connect()
 * resolves on the first result frame, or once `acceptanceWindowMs` passed after the start
 * message without an error frame, and rejects with the typed error of a refusal (401 key, 400
 * model, 429 limits), with no 'error' event on top. Refusals against the mock (which speaks as
 * the API does); the window's timing on an in-memory socket under sinon's timers.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeStream } from '../../lib/realtime/stream';
import { PCM } from '../audio';
import { fixture, rejection } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('realtime connect() settles on the server verdict', () => {
  describe('refusals (the mock, as the API: an error frame after the start message)', () => {
    // The messages name the error_type: the mock's rich error frames.
    const t = fixture({
      mock: { rateLimit: { realtimeConcurrentSessions: 1 }, realtimeErrorShape: 'rich' },
    });
    /** A stream whose 'error' events are counted: a refusal connect() reports is never one. */
    const open = (stream: RealtimeStream) => {
      t.defer(() => stream.destroy());
      const errors: Error[] = [];
      // Counted, not swallowed: no listener is attached before connect() settles.
      const count = (error: Error) => errors.push(error);
      return { stream, errors, count };
    };

    /** Awaits connect()'s rejection with no 'error' listener (an 'error' would fail the spec). */
    async function refusal(stream: RealtimeStream): Promise<SonioxWebSocketError> {
      const error = await rejection(stream.connect());
      for (let i = 0; i < 5; i++) await turn();
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(stream.phase).to.equal('failed');
      return error as SonioxWebSocketError;
    }

    it('rejects with the 401 of a wrong key (sent on the upgrade, refused after the start message)', async () => {
      const { stream } = open(t.clientWith({ apiKey: 'sk-wrong-key' }).realtime({ ...PCM }));
      const error = await refusal(stream);
      expect(error.serverCode).to.equal(401);
      expect(error.message).to.match(/^realtime session failed with 401 unauthenticated: /);
      expect(error.retryable).to.equal(false);
    });

    it('rejects with the 400 of a model the server does not have', async () => {
      const { stream } = open(t.client.realtime({ ...PCM, model: 'stt-rt-nope' }));
      const error = await refusal(stream);
      expect(error.serverCode).to.equal(400);
      expect(error.message).to.match(/Invalid model specified\./);
    });

    it('rejects with the 429 of the concurrent-session limit, and the first session stays open', async () => {
      const first = open(t.clientWith({ adaptiveRate: false }).realtime({ ...PCM }));
      const second = open(t.clientWith({ adaptiveRate: false }).realtime({ ...PCM }));
      await first.stream.connect();
      const error = await refusal(second.stream);
      expect(error.serverCode).to.equal(429);
      expect(error.message).to.match(/Maximum number of concurrent connections \(1\) reached\./);
      expect(first.stream.phase).to.equal('open');
    });

    it('resolves for a session the mock accepts (no frame comes until audio does)', async () => {
      const { stream, errors, count } = open(t.client.realtime({ ...PCM }));
      stream.on('error', count);
      await stream.connect();
      expect(stream.phase).to.equal('open');
      expect(errors).to.deep.equal([]);
    });

    it("still emits 'error' for a refusal of a piped stream that never called connect(), its audio sent", async () => {
      const { stream, errors, count } = open(
        t.clientWith({ apiKey: 'sk-wrong-key' }).realtime({ ...PCM }),
      );
      stream.on('error', count);
      stream.write(Buffer.alloc(3200));
      await new Promise<void>((resolve) => stream.once('close', () => resolve()));
      expect(errors.map((e) => (e as SonioxWebSocketError).serverCode)).to.deep.equal([401]);
      expect(t.server.received.sessions.at(-1)?.audioBytes).to.equal(0);
    });
  });

  describe('the acceptance window (an in-memory socket, sinon timers)', () => {
    const t = fixture();
    let clock: sinon.SinonFakeTimers;
    let socket: ScriptedSocket;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      socket = new ScriptedSocket();
    });
    afterEach(() => clock.restore());

    function session(config: Record<string, unknown> = {}): RealtimeStream {
      const stream = t.client.realtime({ ...PCM, ...config, webSocketFactory: () => socket });
      t.defer(() => stream.destroy());
      return stream;
    }
    /** Whether `promise` has settled, after the microtasks that settle it ran. */
    function watch(promise: Promise<unknown>): () => string {
      let state = 'pending';
      promise.then(
        () => (state = 'resolved'),
        (e: Error) => (state = `rejected: ${e.message}`),
      );
      return () => state;
    }

    it('resolves once the default 500 ms passed after the start message without an error frame', async () => {
      const stream = session();
      const state = watch(stream.connect());
      await clock.tickAsync(0);
      socket.open();
      expect(socket.sent[0]).to.be.a('string').and.match(/^\{/);
      await clock.tickAsync(499);
      expect(state()).to.equal('pending');
      expect(stream.phase).to.equal('open');
      await clock.tickAsync(1);
      expect(state()).to.equal('resolved');
    });

    it('resolves at once on the first result frame, before the window', async () => {
      const stream = session();
      const state = watch(stream.connect());
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(100);
      socket.emit('message', Buffer.from('{"tokens":[]}'), false);
      await clock.tickAsync(0);
      expect(state()).to.equal('resolved');
    });

    it('rejects on an error frame within the window, and a later connect() rejects too', async () => {
      const stream = session({ acceptanceWindowMs: 2000 });
      const state = watch(stream.connect());
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(1999);
      socket.emit(
        'message',
        Buffer.from('{"error_code":400,"error_message":"Invalid model specified."}'),
        false,
      );
      await clock.tickAsync(0);
      expect(state()).to.equal(
        'rejected: realtime session failed with 400: Invalid model specified.',
      );
      expect((await rejection(stream.connect())).message).to.match(/Invalid model specified/);
    });

    it('sends audio written before the verdict at once, not after the window', async () => {
      const stream = session();
      const state = watch(stream.connect());
      stream.write(Buffer.alloc(320));
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(0);
      expect(socket.binary).to.deep.equal([false, true]);
      expect(state()).to.equal('pending');
      await clock.tickAsync(500);
      expect(state()).to.equal('resolved');
    });

    it('sends a finalize() made before the verdict as the socket opens, right after the audio', async () => {
      const stream = session();
      const state = watch(stream.connect());
      stream.write(Buffer.alloc(320));
      stream.finalize();
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(0);
      expect(socket.sent.slice(1)).to.deep.equal([Buffer.alloc(320), '{"type":"finalize"}']);
      // Behaviour change (issue 30): a second finalize() within finalizeMinIntervalMs (2000 ms
      // by default) of the first is no longer sent at once but coalesced, sent when the
      // interval has passed (control.spec.ts has the rest).
      stream.finalize({ trailing_silence_ms: 300 });
      expect(socket.sent.at(-1)).to.equal('{"type":"finalize"}');
      expect(state()).to.equal('pending');
      await clock.tickAsync(2000);
      expect(socket.sent.at(-1)).to.equal('{"type":"finalize","trailing_silence_ms":300}');
    });

    it('gives a reader the refusal too (it listens for errors), while connect() rejects with it', async () => {
      const stream = session();
      const state = watch(stream.connect());
      const reading = rejection(
        (async () => {
          for await (const token of stream) void token;
        })(),
      );
      await clock.tickAsync(0);
      socket.open();
      socket.emit(
        'message',
        Buffer.from('{"error_code":401,"error_message":"Invalid API key."}'),
        false,
      );
      await clock.tickAsync(0);
      const message = 'realtime session failed with 401: Invalid API key.';
      expect(state()).to.equal(`rejected: ${message}`);
      expect((await reading).message).to.equal(message);
    });

    it("emits no 'error' that nobody listens for to a 'data' reader when connect() reported the refusal", async () => {
      const stream = session();
      const state = watch(stream.connect());
      stream.on('data', () => undefined);
      let closed = false;
      stream.on('close', () => (closed = true));
      await clock.tickAsync(0);
      socket.open();
      socket.emit('message', Buffer.from('{"error_code":403,"error_message":"Forbidden."}'), false);
      await clock.tickAsync(0);
      for (let i = 0; i < 5 && !closed; i++) await turn();
      expect(state()).to.equal('rejected: realtime session failed with 403: Forbidden.');
      expect(closed).to.equal(true);
      expect(stream.errored).to.equal(null);
    });

    it("rejects connect() and the write that waited with the refusal, and emits no 'error'", async () => {
      const stream = session();
      const state = watch(stream.connect());
      const written = new Promise<string>((resolve) =>
        stream.write(Buffer.alloc(320), (error) => resolve(error?.message ?? 'no error')),
      );
      await clock.tickAsync(0);
      socket.emit('error', new Error('Unexpected server response: 401'));
      await clock.tickAsync(0);
      const message = 'cannot open the realtime session: Unexpected server response: 401';
      expect(state()).to.equal(`rejected: ${message}`);
      expect(await written).to.equal(message);
      for (let i = 0; i < 5; i++) await turn();
      expect(stream.destroyed).to.equal(true);
    });

    it("still emits 'error' when only a finalize() waited for the socket", async () => {
      const stream = session();
      const errors: string[] = [];
      stream.on('error', (e) => errors.push(e.message));
      stream.finalize();
      await clock.tickAsync(0);
      expect(stream.phase).to.equal('connecting');
      socket.emit('error', new Error('Unexpected server response: 401'));
      for (let i = 0; i < 5 && errors.length === 0; i++) await turn();
      expect(errors).to.deep.equal([
        'cannot open the realtime session: Unexpected server response: 401',
      ]);
    });

    it('sends a finalize() made while finishing at once, and one made while reconnecting on the new socket', async () => {
      const sockets = [new ScriptedSocket(), new ScriptedSocket()];
      let made = 0;
      const stream = t.client.realtime({
        ...PCM,
        reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
        webSocketFactory: () => sockets[made++] as ScriptedSocket,
      });
      t.defer(() => stream.destroy());
      stream.on('error', () => undefined);
      stream.write(Buffer.alloc(320));
      await clock.tickAsync(0);
      sockets[0]!.open();
      sockets[0]!.emit('close', 1006);
      expect(stream.phase).to.equal('reconnecting');
      stream.finalize();
      await clock.tickAsync(0);
      sockets[1]!.open();
      await clock.tickAsync(0);
      expect(sockets[1]!.sent.filter((f) => typeof f === 'string').slice(1)).to.deep.equal([
        '{"type":"finalize"}',
      ]);
      // Past the interval of the finalize above (issue 30: closer calls are coalesced).
      await clock.tickAsync(2000);
      stream.end();
      await clock.tickAsync(0);
      expect(stream.phase).to.equal('finishing');
      stream.finalize({ trailing_silence_ms: 1 });
      expect(sockets[1]!.sent.at(-1)).to.equal('{"type":"finalize","trailing_silence_ms":1}');
    });

    it('sends a finalize() made before the socket opened after end(), as it opens straight into finishing', async () => {
      const stream = session();
      stream.finalize();
      stream.end();
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(0);
      expect(stream.phase).to.equal('finishing');
      expect(socket.sent.slice(1)).to.deep.equal(['', '{"type":"finalize"}']);
    });

    it('does nothing on finalize() once the stream failed', async () => {
      const stream = session();
      const state = watch(stream.connect());
      await clock.tickAsync(0);
      socket.open();
      socket.emit('close', 1006);
      await clock.tickAsync(0);
      expect(state()).to.match(
        /^rejected: the realtime connection closed unexpectedly \(code 1006\)/,
      );
      const sent = socket.sent.length;
      stream.finalize();
      await clock.tickAsync(0);
      expect(socket.sent).to.have.length(sent);
      expect(stream.phase).to.equal('failed');
    });

    it('resolves on open with acceptanceWindowMs: 0, as before', async () => {
      const stream = session({ acceptanceWindowMs: 0 });
      const state = watch(stream.connect());
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(0);
      expect(state()).to.equal('resolved');
    });

    it('waits for the verdict again when connect() is called on an open session not yet accepted', async () => {
      const stream = session();
      stream.write(Buffer.alloc(320));
      await clock.tickAsync(0);
      socket.open();
      await clock.tickAsync(10);
      const state = watch(stream.connect());
      await clock.tickAsync(489);
      expect(state()).to.equal('pending');
      await clock.tickAsync(1);
      expect(state()).to.equal('resolved');
      expect(clock.countTimers()).to.equal(0);
    });
  });
});

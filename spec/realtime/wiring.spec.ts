/**
 * wireStream alone, with a host that records what it is told, over an in-memory socket: what
 * is built for a config (no saved audio, rollover or replay for a refused one) and how the
 * parts' callbacks reach each other and the stream (audio counted and kept as it goes, a
 * finalize waiting for a socket, a session opened only while the stream wants one, the
 * server's results to the reader). The whole stream is in stream.spec.ts and its neighbours.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import * as sinon from 'sinon';
import { SonioxValidationError } from '../../lib/errors';
import { AdaptiveLimiter } from '../../lib/internal/adaptive-rate';
import type { Markers } from '../../lib/realtime/markers';
import type { RealtimePhase } from '../../lib/realtime/phase';
import { resolveOptions, type RealtimeOptions } from '../../lib/realtime/protocol';
import type { RealtimeContext } from '../../lib/realtime/surface';
import { TokenAssembler } from '../../lib/realtime/token-assembler';
import { wireStream, type StreamHost, type StreamParts } from '../../lib/realtime/wiring';
import { SECRET_KEY } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

const START = {
  model: 'stt-rt-v5',
  audio_format: 'pcm_s16le',
  sample_rate: 16000,
  num_channels: 1,
} as const;
/** 16 kHz 16-bit mono: 32 bytes a ms, frames of 20 ms. */
const GEOMETRY = { bytesPerMs: 32, frameBytes: 640 };

describe('realtime/wiring wireStream', () => {
  let clock: sinon.SinonFakeTimers;
  let parts: StreamParts | undefined;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    parts?.opening.cancel();
    parts?.link.retire(false);
    parts?.reconnector.cancel();
    parts?.rollover?.cancel();
    parts?.finalizer.cancel();
    parts = undefined;
    clock.restore();
  });

  /** The parts of a stream in `phase`, their host recording what it is told. */
  function wired(
    options: RealtimeOptions = {},
    setup: {
      configError?: SonioxValidationError;
      log?: sinon.SinonSpy;
      sessionLimiter?: AdaptiveLimiter;
    } = {},
  ) {
    const told: unknown[][] = [];
    const sockets: ScriptedSocket[] = [];
    const state = {
      phase: 'idle' as RealtimePhase,
      bytes: 0,
      requestId: undefined as unknown,
      endRequested: false,
      /** The reader is behind: push() answers false. */
      behind: false,
    };
    const tokens = new TokenAssembler();
    const queued: unknown[] = [];
    const markers = { queue: (kind: string) => queued.push(kind) > 0 } as unknown as Markers;
    const context: RealtimeContext = {
      apiKey: SECRET_KEY,
      realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
      defaultModel: 'stt-rt-v5',
      log: setup.log,
      sessionLimiter: setup.sessionLimiter,
    };
    const all: RealtimeOptions = {
      acceptanceWindowMs: 0,
      webSocketFactory: () => {
        const socket = new ScriptedSocket();
        sockets.push(socket);
        return socket;
      },
      ...options,
    };
    const host: StreamHost = {
      phase: () => state.phase,
      endRequested: () => state.endRequested,
      retrying: (from) => {
        state.phase = 'reconnecting';
        told.push(['retrying', from]);
      },
      begin: () => told.push(['begin']),
      opened: () => told.push(['opened']),
      finished: (message) => told.push(['finished', message.finished]),
      failed: (error) => told.push(['failed', error.message]),
      bytesSent: () => state.bytes,
      sent: (bytes) => {
        state.bytes += bytes;
        told.push(['sent', bytes]);
      },
      requestId: () => state.requestId as string | undefined,
      setRequestId: (id) => {
        state.requestId = id;
        told.push(['requestId', id]);
      },
      emit: (event, ...args) => told.push(['emit', event, ...args]) > 0,
      push: (token) => told.push(['push', token.text]) > 0 && !state.behind,
      destroy: (error) => told.push(['destroy', error.message]),
    };
    parts = wireStream(
      {
        start: { ...START },
        options: all,
        resolved: resolveOptions(all),
        context,
        geometry: GEOMETRY,
        configError: setup.configError,
        tokens,
        markers,
      },
      host,
    );
    return { parts, told, sockets, state, tokens, queued };
  }

  /** Opens the first session on the in-memory socket (the stream connecting). */
  async function open(w: ReturnType<typeof wired>): Promise<ScriptedSocket> {
    w.state.phase = 'connecting';
    void w.parts.opening.open();
    await clock.tickAsync(0);
    const socket = w.sockets[0] as ScriptedSocket;
    socket.open();
    w.state.phase = 'open';
    return socket;
  }

  const refused = () => new SonioxValidationError('refused config', []);

  it('builds no saved audio and no rollover for a config the stream refuses', () => {
    const options = { saveAudio: new PassThrough(), rollover: { beforeCapMs: 60_000 } };
    const ok = wired(options);
    expect(ok.parts.saved, 'saved audio').to.not.equal(undefined);
    expect(ok.parts.rollover, 'rollover').to.not.equal(undefined);
    ok.parts.rollover?.cancel();
    const bad = wired(
      { saveAudio: new PassThrough(), rollover: { beforeCapMs: 60_000 } },
      {
        configError: refused(),
      },
    );
    expect(bad.parts.saved).to.equal(undefined);
    expect(bad.parts.rollover).to.equal(undefined);
  });

  it('builds no saved audio and no rollover when they are not asked for', () => {
    const { parts } = wired();
    expect(parts.saved).to.equal(undefined);
    expect(parts.rollover).to.equal(undefined);
  });

  it('keeps the audio sent for a replay with reconnect, and none for a refused config', () => {
    const chunk = Buffer.alloc(640, 1);
    expect(wired({ reconnect: { maxAttempts: 3 } }).parts.reconnector.sent(chunk)).to.deep.equal(
      chunk,
    );
    const bad = wired({ reconnect: { maxAttempts: 3 } }, { configError: refused() });
    expect(bad.parts.reconnector.sent(chunk)).to.equal(undefined);
  });

  it('keeps the audio for a replay of a refused start under the session limiter, without reconnect', () => {
    const chunk = Buffer.alloc(640, 1);
    expect(wired().parts.reconnector.sent(chunk), 'no limiter').to.equal(undefined);
    const limited = wired({}, { sessionLimiter: new AdaptiveLimiter() });
    expect(limited.parts.reconnector.sent(chunk)).to.deep.equal(chunk);
  });

  it('fails the stream when a session drops without reconnect', async () => {
    const w = wired();
    const socket = await open(w);
    socket.emit('close', 1006);
    const failed = w.told.find((t) => t[0] === 'failed');
    expect(failed?.[1]).to.match(/closed unexpectedly \(code 1006\)/);
  });

  it('opens a session only while the stream is starting, on the link it shares', async () => {
    const w = wired();
    await w.parts.opening.open();
    expect(w.sockets, 'idle: not wanted').to.have.length(0);
    w.state.phase = 'open';
    await w.parts.opening.open();
    expect(w.sockets, 'open: not wanted').to.have.length(0);
    w.state.phase = 'reconnecting';
    await w.parts.opening.open();
    expect(w.sockets, 'reconnecting: wanted').to.have.length(1);
    expect(w.parts.link).to.equal(w.parts.opening.link);
  });

  it('tells the stream a session opened once its start message went', async () => {
    const w = wired();
    const socket = await open(w);
    expect(JSON.parse(socket.sent[0] as string)).to.include({ model: 'stt-rt-v5' });
    expect(w.told).to.deep.include(['opened']);
  });

  it('sends audio on the open connection, counted once and saved as it goes', async () => {
    const saveAudio = new PassThrough();
    const saved: Buffer[] = [];
    saveAudio.on('data', (data: Buffer) => saved.push(data));
    const w = wired({ saveAudio, reconnect: { maxAttempts: 3 } });
    const socket = await open(w);
    const chunk = Buffer.alloc(640, 7);
    const done = sinon.spy();
    w.parts.audio.send(chunk, done);
    expect(socket.sent[1]).to.equal(chunk);
    expect(w.told.filter((t) => t[0] === 'sent')).to.deep.equal([['sent', 640]]);
    expect(w.state.bytes).to.equal(640);
    await clock.tickAsync(0);
    // The WAV header, then the bytes sent.
    const wav = Buffer.concat(saved);
    expect(wav.subarray(0, 4).toString()).to.equal('RIFF');
    expect(wav.subarray(44)).to.deep.equal(chunk);
    // The replay keeps the same bytes.
    expect(Buffer.concat(w.parts.reconnector.replayed())).to.deep.equal(chunk);
  });

  it('destroys the stream when its saved audio cannot be written', () => {
    const saveAudio = new PassThrough();
    const w = wired({ saveAudio });
    saveAudio.emit('error', new Error('disk full'));
    const destroyed = w.told.find((t) => t[0] === 'destroy');
    expect(destroyed?.[1]).to.match(/saveAudio: cannot write the audio .*disk full/);
  });

  it('sends a finalize at once on an open session, without starting anything', async () => {
    const w = wired();
    const socket = await open(w);
    w.parts.finalizer.request({ trailing_silence_ms: 300 });
    expect(socket.sent.at(-1)).to.equal('{"type":"finalize","trailing_silence_ms":300}');
    expect(w.told).to.not.deep.include(['begin']);
  });

  for (const phase of ['idle', 'connecting', 'reconnecting'] as const) {
    it(`holds a finalize asked while ${phase} and starts the stream; it goes once a session opens`, async () => {
      const w = wired();
      w.state.phase = phase;
      w.parts.finalizer.request({});
      expect(w.told).to.deep.include(['begin']);
      const socket = await open(w);
      w.parts.finalizer.opened();
      await clock.tickAsync(0);
      expect(socket.sent.at(-1)).to.equal('{"type":"finalize"}');
    });
  }

  it('takes finalizeMinIntervalMs for the finalize guard (0: every call goes at once)', async () => {
    const w = wired({ finalizeMinIntervalMs: 0 });
    const socket = await open(w);
    w.parts.finalizer.request({});
    w.parts.finalizer.request({});
    expect(socket.sent.filter((f) => f === '{"type":"finalize"}')).to.have.length(2);
  });

  it('holds a second finalize for the default 2000 ms', async () => {
    const w = wired();
    const socket = await open(w);
    w.parts.finalizer.request({});
    w.parts.finalizer.request({});
    const finalizes = () => socket.sent.filter((f) => f === '{"type":"finalize"}').length;
    expect(finalizes()).to.equal(1);
    await clock.tickAsync(1999);
    expect(finalizes()).to.equal(1);
    await clock.tickAsync(1);
    expect(finalizes()).to.equal(2);
  });

  it("hands the server's results to the stream: request id, result event, tokens to the reader", async () => {
    const w = wired({ acceptanceWindowMs: 10_000 });
    const socket = await open(w);
    expect(w.parts.opening.accepted, 'not before an answer').to.equal(false);
    const result = {
      request_id: 'req-1',
      tokens: [
        { text: 'hello', start_ms: 0, end_ms: 100, is_final: true },
        { text: ' wor', start_ms: 100, end_ms: 150, is_final: false },
      ],
    };
    socket.emit('message', Buffer.from(JSON.stringify(result)), false);
    expect(w.told).to.deep.include(['requestId', 'req-1']);
    expect(w.told.find((t) => t[0] === 'emit' && t[1] === 'result')).to.not.equal(undefined);
    expect(w.told).to.deep.include(['push', 'hello']);
    expect(w.told, 'non-final tokens too').to.deep.include(['push', ' wor']);
    expect(w.parts.opening.accepted).to.equal(true);
    socket.emit('message', Buffer.from(JSON.stringify({ tokens: [], finished: true })), false);
    expect(w.told).to.deep.include(['finished', true]);
  });

  it('reconnects a dropped session: logged, reported, a new socket given the replay', async () => {
    const log = sinon.spy();
    const w = wired({ reconnect: { maxAttempts: 3 } }, { log });
    const socket = await open(w);
    w.parts.audio.send(Buffer.alloc(640, 1), () => undefined);
    socket.emit('close', 1006);
    expect(w.told).to.deep.include(['retrying', 'open']);
    await clock.tickAsync(1_000);
    const reported = w.told.find((t) => t[0] === 'emit' && t[1] === 'reconnect');
    expect(reported?.[2]).to.include({ attempt: 1 });
    expect(log.calledWithMatch('warn', /^realtime reconnect 1 after: /)).to.equal(true);
    expect(w.sockets).to.have.length(2);
    const next = w.sockets[1] as ScriptedSocket;
    next.open();
    // The start message, then the audio kept for the replay.
    expect(next.sent).to.have.length(2);
    expect(next.sent[1]).to.deep.equal(Buffer.alloc(640, 1));
  });

  it('replays only the audio the server had not finalized, on a socket paused for a reader that is behind', async () => {
    const w = wired({ reconnect: { maxAttempts: 3 } });
    const socket = await open(w);
    w.parts.audio.send(
      Buffer.concat([Buffer.alloc(1280, 1), Buffer.alloc(1920, 2)]),
      () => undefined,
    );
    w.state.behind = true;
    socket.emit(
      'message',
      Buffer.from(
        JSON.stringify({
          tokens: [{ text: 'a', start_ms: 0, end_ms: 40, is_final: true }],
          final_audio_proc_ms: 40,
        }),
      ),
      false,
    );
    expect(socket.paused, 'the reader is behind').to.equal(true);
    socket.emit('close', 1006);
    await clock.tickAsync(1_000);
    const next = w.sockets[1] as ScriptedSocket;
    next.open();
    expect(next.paused, 'still behind').to.equal(true);
    // 40 ms finalized, 32 bytes a ms (two whole 20 ms frames): the replay starts at byte 1280.
    expect(next.sent.slice(1)).to.deep.equal([Buffer.alloc(1920, 2)]);
  });

  describe('rollover', () => {
    /** Rolls over 1500 ms into a session (a cap of 2000 ms, 500 ms before it). */
    const ROLLOVER = { rollover: { capMs: 2000, beforeCapMs: 500 } };

    it('drains the session at its cap while the next opens, then hands over with a rollover event', async () => {
      // With reconnect too: the next session is no resumed one, the audio kept is not replayed.
      const w = wired({ ...ROLLOVER, reconnect: { maxAttempts: 3 } });
      const first = await open(w);
      w.parts.audio.send(Buffer.alloc(3200, 1), () => undefined);
      const say = (socket: ScriptedSocket, message: unknown) =>
        socket.emit('message', Buffer.from(JSON.stringify(message)), false);
      say(first, { request_id: 'old', tokens: [] });
      await clock.tickAsync(1499);
      expect(w.sockets).to.have.length(1);
      await clock.tickAsync(1);
      // End-of-audio on the old session; the next one opens; writes wait for it.
      expect(first.sent.at(-1)).to.equal('');
      expect(w.sockets).to.have.length(2);
      expect(w.parts.rollover?.holdsWrites).to.equal(true);
      const next = w.sockets[1] as ScriptedSocket;
      next.open();
      expect(next.sent, 'the start message alone').to.have.length(1);
      expect(w.parts.rollover?.holdsWrites).to.equal(false);
      say(next, { tokens: [{ text: ' next', start_ms: 0, end_ms: 50, is_final: true }] });
      expect(w.told, 'held while the old one drains').to.not.deep.include(['push', ' next']);
      say(first, {
        tokens: [{ text: 'old', start_ms: 0, end_ms: 90, is_final: true }],
        finished: true,
      });
      expect(w.told.filter((t) => t[0] === 'push')).to.deep.equal([
        ['push', 'old'],
        ['push', ' next'],
      ]);
      const rolled = w.told.find((t) => t[0] === 'emit' && t[1] === 'rollover');
      expect(rolled?.[2]).to.deep.equal({ count: 1, atMs: 100, previousRequestId: 'old' });
      expect(w.told, 'the old session finished no stream').to.not.deep.include(['finished', true]);
    });

    it('fails the stream when the draining session fails', async () => {
      const w = wired(ROLLOVER);
      const first = await open(w);
      await clock.tickAsync(1500);
      first.emit('message', Buffer.from('{"error_code":503,"error_message":"gone"}'), false);
      const failed = w.told.find((t) => t[0] === 'failed');
      expect(failed?.[1]).to.match(/gone/);
    });

    for (const [why, set] of [
      ['once end() was asked', (w: ReturnType<typeof wired>) => (w.state.endRequested = true)],
      ['while finishing', (w: ReturnType<typeof wired>) => (w.state.phase = 'finishing')],
    ] as const)
      it(`does not roll over ${why}`, async () => {
        const w = wired(ROLLOVER);
        await open(w);
        set(w);
        await clock.tickAsync(1500);
        expect(w.sockets).to.have.length(1);
      });
  });

  it('leaves out non-final tokens with tokens: "final"', async () => {
    const w = wired({ tokens: 'final' });
    const socket = await open(w);
    const tokens = [
      { text: 'done', start_ms: 0, end_ms: 100, is_final: true },
      { text: 'maybe', start_ms: 100, end_ms: 200, is_final: false },
    ];
    socket.emit('message', Buffer.from(JSON.stringify({ tokens })), false);
    expect(w.told.filter((t) => t[0] === 'push')).to.deep.equal([['push', 'done']]);
  });
});

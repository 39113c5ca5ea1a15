/**
 * The realtime session's life, driven by a scripted in-process peer: every waiter settles on
 * every way a session can end, a finished session stays quiet, liveness is judged fairly, and
 * whatever the server sends never escapes as an uncaught exception.
 */
import { expect } from 'chai';
import { getEventListeners, once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { WebSocketServer, type WebSocket } from 'ws';
import { SonioxError, SonioxWebSocketError } from '../../lib/errors';
import { inspect } from 'node:util';
import type { RealtimeStream, ReconnectEvent } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { SECRET_KEY, fixture, frameText, rejection, until } from '../helpers';

const PCM16 = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;

/** Settles within `ms` of real time, or says it hung. */
function settlesWithin<T>(promise: Promise<T>, ms = 1000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

describe('realtime/stream lifecycle (scripted peer)', () => {
  let wss: WebSocketServer | undefined;
  let url: string;
  let peers: WebSocket[];
  const t = fixture();
  /** A fake clock for the rest of the spec, restored after it whatever its outcome. */
  const fakeClock = (options: Parameters<typeof sinon.useFakeTimers>[0]) => {
    const clock = sinon.useFakeTimers(options);
    t.defer(() => clock.restore());
    return clock;
  };

  /** A peer that answers every connection with `onConnection`. */
  async function peer(
    onConnection: (ws: WebSocket, index: number) => void = () => undefined,
    autoPong = true,
    accept = Infinity,
  ): Promise<void> {
    peers = [];
    // Upgrades past the first `accept` are refused (401), like a server that is gone.
    wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      autoPong,
      verifyClient: () => peers.length < accept,
    });
    wss.on('connection', (ws) => {
      peers.push(ws);
      onConnection(ws, peers.length - 1);
    });
    const server = wss;
    t.defer(async () => {
      for (const c of server.clients) c.terminate();
      await new Promise((resolve) => server.close(resolve));
    });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/transcribe-websocket`;
  }
  // connect() resolves on open here (acceptanceWindowMs 0): the verdict is acceptance.spec.ts's.
  function stream(config: Record<string, unknown> = {}): RealtimeStream {
    const s = t
      .clientWith({ realtimeURL: url })
      .realtime({ ...PCM16, acceptanceWindowMs: 0, ...config });
    t.defer(() => s.destroy());
    return s;
  }
  const send = (ws: WebSocket, message: object) => ws.send(JSON.stringify(message));
  /** The connection the peer took `index`th (the spec has made it connect). */
  const connected = (index = 0): WebSocket => {
    const ws = peers[index];
    if (!ws) throw new Error(`no connection #${index} reached the peer`);
    return ws;
  };

  /** A TCP server that takes connections and never answers the upgrade; `url` points at it. */
  async function silentServer(): Promise<net.Socket[]> {
    const held: net.Socket[] = [];
    const tcp = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    t.defer(
      () =>
        new Promise((resolve) => {
          for (const socket of held) socket.destroy();
          tcp.close(resolve);
        }),
    );
    url = `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}/transcribe-websocket`;
    return held;
  }

  it("'finished' clears the finish deadline: a session read only through events never fails afterwards", async () => {
    await peer((ws) =>
      ws.on('message', (data, isBinary) => {
        if (!isBinary && frameText(data) === '') {
          send(ws, {
            tokens: [{ text: 'hi', is_final: true, start_ms: 0, end_ms: 100 }],
            final_audio_proc_ms: 100,
          });
          send(ws, { tokens: [], finished: true });
          ws.close(1000);
        }
      }),
    );
    const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = stream({ finishTimeoutMs: 30_000 });
    const errors: Error[] = [];
    s.on('error', (e: Error) => errors.push(e));
    const finished = once(s, 'finished');
    s.end(Buffer.alloc(320));
    await finished;
    // Nobody reads the tokens: the readable side never ends, so nothing else tears the stream down.
    await clock.tickAsync(60_000);
    expect(errors).to.deep.equal([]);
    expect(s.transcript).to.equal('hi');
  });

  describe('liveness: a dead connection is detected, a live one is not', () => {
    it('counts any frame from the server as a sign of life, pong or not', async () => {
      await peer(() => undefined, false);
      const clock = fakeClock({ toFake: ['setInterval', 'clearInterval'] });
      const s = stream({ heartbeatIntervalMs: 1000 });
      s.resume();
      let failed: Error | undefined;
      s.on('error', (e: Error) => (failed = e));
      await s.connect();
      for (let i = 0; i < 5; i++) {
        send(connected(), { tokens: [{ text: ' x', is_final: false }] });
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        await clock.tickAsync(1000);
      }
      expect(failed).to.equal(undefined);
    });

    it('does not call the connection dead while it paused the socket for a slow reader', async () => {
      await peer(() => undefined, true);
      const clock = fakeClock({ toFake: ['setInterval', 'clearInterval'] });
      const s = stream({ heartbeatIntervalMs: 1000 });
      let failed: Error | undefined;
      s.on('error', (e: Error) => (failed = e));
      await s.connect();
      // More tokens than the readable side holds: the SDK pauses the socket, so pongs wait unread.
      for (let i = 0; i < 40; i++)
        send(connected(), {
          tokens: [{ text: ` w${i}`, is_final: true, start_ms: i * 10, end_ms: i * 10 + 5 }],
        });
      await until(() => s.readableLength >= 16);
      for (let i = 0; i < 5; i++) {
        await clock.tickAsync(1000);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(failed).to.equal(undefined);
      // The reader comes back: every token is there.
      const texts: string[] = [];
      s.on('data', (t: RealtimeToken) => texts.push(t.text));
      await until(() => texts.length === 40);
    });
  });

  it('a write after the server finished and closed fails at once with a typed error (no spin, no hang)', async () => {
    await peer((ws) =>
      ws.on('message', (_data, isBinary) => {
        if (isBinary) {
          send(ws, { tokens: [], finished: true });
          ws.close(1000);
        }
      }),
    );
    const s = stream();
    s.on('error', () => undefined);
    s.resume();
    await new Promise<void>((resolve) => s.write(Buffer.alloc(320), () => resolve()));
    await once(s, 'finished');
    await until(() => connected().readyState === connected().CLOSED);
    const error = await settlesWithin(
      new Promise<Error | null | undefined>((resolve) => s.write(Buffer.alloc(320), resolve)),
    );
    expect(error).to.be.instanceOf(SonioxError);
    expect(error?.message).to.match(/already finished/);
  });

  it('end() after the server finished the session on its own completes at once', async () => {
    await peer((ws) => ws.once('message', () => send(ws, { tokens: [], finished: true })));
    const s = stream();
    s.resume();
    await s.connect();
    await once(s, 'finished');
    await settlesWithin(
      new Promise<void>((resolve, reject) =>
        s.end((error?: Error | null) => (error ? reject(error) : resolve())),
      ),
    );
    expect(s.phase).to.equal('finished');
  });

  describe('destroy() settles every waiter', () => {
    it('during the handshake: connect() and a pending write callback settle at once', async () => {
      const held = await silentServer();
      const s = stream();
      s.on('error', () => undefined);
      const connecting = s.connect();
      const written = new Promise<Error | null | undefined>((resolve) =>
        s.write(Buffer.alloc(320), resolve),
      );
      await until(() => held.length === 1);
      s.destroy();
      expect(await settlesWithin(rejection(connecting))).to.be.instanceOf(SonioxError);
      expect(await settlesWithin(written)).to.be.instanceOf(Error);
    });

    it('during a reconnect backoff: connect() and a pending write callback settle at once, no new attempt', async () => {
      await peer((ws, index) => {
        if (index === 0) ws.once('message', () => setImmediate(() => ws.terminate()));
      });
      const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
      const s = stream({ reconnect: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
      s.on('error', () => undefined);
      await s.connect();
      await until(() => connected().readyState === connected().CLOSED);
      await new Promise((resolve) => setImmediate(resolve));
      const connecting = s.connect();
      const written = new Promise<Error | null | undefined>((resolve) =>
        s.write(Buffer.alloc(320), resolve),
      );
      s.destroy();
      expect(await settlesWithin(rejection(connecting))).to.be.instanceOf(SonioxError);
      expect(await settlesWithin(written)).to.be.instanceOf(Error);
      await clock.tickAsync(120_000);
      expect(peers).to.have.length(1);
    });
  });

  it("reconnect attempts exhausted: connect() rejects with the last SonioxWebSocketError; 'reconnect' fires when an attempt starts", async () => {
    await peer((ws) => ws.once('message', () => setImmediate(() => ws.terminate())), true, 1);
    const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = stream({ reconnect: { maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000 } });
    const events: ReconnectEvent[] = [];
    s.on('reconnect', (e: ReconnectEvent) => events.push(e));
    const errors: Error[] = [];
    s.on('error', (e: Error) => errors.push(e));
    await s.connect();
    await until(() => peers.length === 1 && connected().readyState === connected().CLOSED);
    await new Promise((resolve) => setImmediate(resolve));
    const connecting = s.connect();
    connecting.catch(() => undefined);
    // Backoff under way: no attempt has started yet.
    expect(events).to.have.length(0);
    await clock.tickAsync(1000);
    await until(() => events.length === 1);
    // The attempt is refused: that was the last one.
    const error = await settlesWithin(rejection(connecting));
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect(error.message).to.match(
      /cannot open the realtime session: Unexpected server response: 401/,
    );
    expect(events).to.have.length(1);
    expect(events[0]!.error.closeCode).to.equal(1006);
    // The rejection reported it: no 'error' event on top (a connect()-only caller must not crash).
    expect(errors).to.deep.equal([]);
    expect(s.destroyed).to.equal(true);
  });

  for (const [what, frame] of [
    ['a null token', '{"tokens":[null]}'],
    ['a token that is a number', '{"tokens":[5]}'],
    ['a token whose text is not a string', '{"tokens":[{"text":5,"is_final":true}]}'],
    ['tokens that are not a list', '{"tokens":"hello"}'],
    ['a final_audio_proc_ms that is not a number', '{"tokens":[],"final_audio_proc_ms":"x"}'],
  ] as const) {
    it(`${what} from the server is one 'error' event, never an uncaught exception`, async () => {
      await peer((ws) => ws.once('message', () => ws.send(frame)));
      const s = stream();
      s.resume();
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      await s.connect();
      await until(() => errors.length === 1);
      expect(errors[0]).to.be.instanceOf(SonioxWebSocketError);
      expect(errors[0]!.message).to.match(/malformed/);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(errors).to.have.length(1);
    });
  }

  it('delivers a final punctuation token that ends where the word before it ends; the transcript keeps translations apart', async () => {
    await peer((ws) =>
      ws.once('message', () => {
        send(ws, {
          tokens: [
            {
              text: 'Hello',
              start_ms: 0,
              end_ms: 400,
              is_final: true,
              translation_status: 'original',
            },
            {
              text: ',',
              start_ms: 400,
              end_ms: 400,
              is_final: true,
              translation_status: 'original',
            },
            {
              text: ' world',
              start_ms: 500,
              end_ms: 900,
              is_final: true,
              translation_status: 'original',
            },
            { text: 'Hola, mundo', is_final: true, translation_status: 'translation' },
          ],
          final_audio_proc_ms: 900,
        });
        send(ws, { tokens: [], finished: true });
      }),
    );
    const s = stream();
    const tokens: RealtimeToken[] = [];
    await s.connect();
    for await (const t of s) tokens.push(t);
    expect(tokens.map((t) => t.text)).to.deep.equal(['Hello', ',', ' world', 'Hola, mundo']);
    expect(s.transcript).to.equal('Hello, world');
    expect(s.translation).to.equal('Hola, mundo');
  });

  describe('reconnection', () => {
    /** Frames each connection received: text as is, binary as its byte count. */
    let received: Array<Array<string | number>>;
    /** A peer that drops the first connection once it has `dropAfter` audio bytes; later ones answer `onLater`. */
    async function droppingPeer(
      dropAfter: number,
      onLater: (ws: WebSocket) => void = () => undefined,
    ): Promise<void> {
      received = [];
      await peer((ws, index) => {
        const frames: Array<string | number> = [];
        received.push(frames);
        let audio = 0;
        ws.on('message', (data: Buffer, isBinary) => {
          frames.push(isBinary ? data.length : data.toString());
          if (isBinary) audio += data.length;
          if (index === 0 && audio >= dropAfter) ws.terminate();
        });
        if (index > 0) onLater(ws);
      });
    }

    it('end() while a reconnect is pending sends end-of-audio exactly once, after the replay', async () => {
      await droppingPeer(640);
      const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
      const s = stream({ reconnect: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 } });
      s.on('error', () => undefined);
      s.write(Buffer.alloc(640, 1));
      await until(() => s.phase === 'reconnecting');
      s.end();
      await clock.tickAsync(1000);
      await until(() => received.length === 2 && received[1]!.includes(''));
      await new Promise((resolve) => setImmediate(resolve));
      expect(received[0]!.filter((f) => f === '')).to.have.length(0);
      expect(received[1]!.slice(1)).to.deep.equal([640, '']);
    });

    it('backs off for the policy delay before reconnecting (fake timers), and replays audio written meanwhile after the kept audio', async () => {
      await droppingPeer(320);
      const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
      sinon.stub(Math, 'random').returns(0.5);
      t.defer(() => sinon.restore());
      const s = stream({ reconnect: { maxAttempts: 2, baseDelayMs: 800, maxDelayMs: 5000 } });
      s.on('error', () => undefined);
      const reconnects: ReconnectEvent[] = [];
      s.on('reconnect', (e: ReconnectEvent) => reconnects.push(e));
      s.write(Buffer.alloc(320, 1));
      await until(() => s.phase === 'reconnecting');
      // Audio keeps coming while the session is down: it waits, then follows the replay.
      s.write(Buffer.alloc(160, 2));
      await clock.tickAsync(399);
      expect(received).to.have.length(1);
      expect(reconnects).to.have.length(0);
      await clock.tickAsync(1);
      await until(() => received.length === 2 && received[1]!.length === 3);
      expect(reconnects.map((e) => e.attempt)).to.deep.equal([1]);
      expect(JSON.parse(received[1]![0] as string)).to.include({ audio_format: 'pcm_s16le' });
      expect(received[1]!.slice(1)).to.deep.equal([320, 160]);
      expect(s.audioBytesSent).to.equal(480);
    });

    it('reports audio the bounded replay buffer could not keep, in the reconnect event', async () => {
      await droppingPeer(3200);
      const s = stream({
        reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxBufferBytes: 640 },
      });
      s.on('error', () => undefined);
      const reconnects: ReconnectEvent[] = [];
      s.on('reconnect', (e: ReconnectEvent) => reconnects.push(e));
      s.write(Buffer.alloc(3200, 1));
      await until(() => reconnects.length === 1);
      // 3 200 bytes sent, none finalized, 640 kept: 2 560 bytes (80 ms of 16 kHz s16le) are lost.
      expect(reconnects[0]!.unreplayedAudioMs).to.equal(80);
      await until(() => received.length === 2 && received[1]!.length === 2);
      expect(received[1]![1]).to.equal(640);
    });

    it('a drop while audio is still being written: the new session re-finalizes what was delivered, the reader gets it once, and the writes go on', async () => {
      // 16 kHz s16le: 32 bytes per ms. The first session finalizes "good" (0-10 ms) but reports
      // only 5 ms as finalized, so the replay starts at 5 ms and the new session says "good" again.
      await droppingPeer(1280, (ws) => {
        let audio = 0;
        ws.on('message', (data: Buffer, isBinary) => {
          if (isBinary) audio += data.length;
          if (!isBinary && data.toString() === '') {
            // Its clock starts at the stream's 5 ms: "ood" (0-5) is the replayed end of "good".
            send(ws, {
              tokens: [
                { text: 'ood', is_final: true, start_ms: 0, end_ms: 5 },
                { text: 'morning', is_final: true, start_ms: 5, end_ms: 15 },
              ],
              final_audio_proc_ms: audio / 32,
            });
            send(ws, { tokens: [], finished: true });
            ws.close(1000);
          }
        });
      });
      const s = stream({ reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
      const reconnects: ReconnectEvent[] = [];
      s.on('reconnect', (e: ReconnectEvent) => reconnects.push(e));
      const tokens: RealtimeToken[] = [];
      s.on('data', (t: RealtimeToken) => tokens.push(t));
      await s.connect();
      connected().once('message', () =>
        send(connected(), {
          tokens: [
            { text: 'good', is_final: true, start_ms: 0, end_ms: 10 },
            { text: ' mor', is_final: false, start_ms: 10, end_ms: 20 },
          ],
          final_audio_proc_ms: 5,
        }),
      );
      s.write(Buffer.alloc(640, 1));
      await until(() => tokens.length === 2);
      s.write(Buffer.alloc(640, 2));
      await until(() => s.phase !== 'open');
      // The writer does not stop for the drop: this chunk follows the replay on the new socket.
      s.write(Buffer.alloc(640, 3));
      s.end();
      await once(s, 'finished');
      expect(reconnects.map((e) => [e.attempt, e.unreplayedAudioMs])).to.deep.equal([[1, 0]]);
      // Replayed from 5 ms (byte 160): the rest of the first chunk, the second, then the new one.
      expect(received[1]?.slice(1)).to.deep.equal([480, 640, 640, '']);
      expect(tokens.map((t) => [t.text, t.is_final, t.start_ms])).to.deep.equal([
        ['good', true, 0],
        [' mor', false, 10],
        [' morning', true, 10],
      ]);
      expect(s.transcript).to.equal('good morning');
      expect(s.audioBytesSent).to.equal(1920);
    });

    it('a connection that drops while the reader is slow: the new socket is paused for that reader too', async () => {
      const big = 'x'.repeat(1024);
      const flood = (ws: WebSocket) =>
        ws.once('message', () => {
          for (let i = 0; i < 600; i++) send(ws, { tokens: [{ text: big, is_final: false }] });
        });
      received = [];
      await peer((ws, index) => {
        flood(ws);
        // The first connection goes away once audio arrives while the client has stopped reading.
        if (index === 0) ws.on('message', (_d, isBinary) => isBinary && ws.terminate());
      });
      const s = stream({ reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
      s.on('error', () => undefined);
      await s.connect();
      await until(() => s.readableLength >= 16);
      const before = s.readableLength;
      // Audio still goes out on the paused socket; the drop shows on a later write.
      for (let i = 0; i < 200 && peers.length < 2; i++) {
        s.write(Buffer.alloc(320, 1));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await until(() => peers.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Unpaused, the new session's 600 tokens would all pile up; paused, about one socket read's worth.
      expect(s.readableLength - before).to.be.below(200);
    });

    it('util.inspect of a stream in its handshake shows no key', async () => {
      const held = await silentServer();
      const s = stream();
      s.on('error', () => undefined);
      s.connect().catch(() => undefined);
      await until(() => held.length === 1);
      expect(s.phase).to.equal('connecting');
      const shown = inspect(s, { depth: 20, showHidden: false });
      expect(shown).not.to.include(SECRET_KEY);
    });

    it('a getApiKey that throws fails the reconnection with a typed error that names the cause', async () => {
      await droppingPeer(320);
      let calls = 0;
      const s = stream({
        reconnect: {
          maxAttempts: 1,
          baseDelayMs: 0,
          maxDelayMs: 0,
          getApiKey: () => {
            calls += 1;
            if (calls > 1) throw new Error('key service down');
            return SECRET_KEY;
          },
        },
      });
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      s.write(Buffer.alloc(320, 1));
      await until(() => errors.length === 1);
      expect(errors[0]).to.be.instanceOf(SonioxWebSocketError);
      expect(errors[0]!.message).to.match(
        /cannot get an API key for the realtime session: key service down/,
      );
      expect((errors[0]!.cause as Error).message).to.equal('key service down');
      // A write on the failed stream is refused with what failed it.
      const late = await new Promise<Error | null | undefined>((resolve) =>
        s.write(Buffer.alloc(2), resolve),
      );
      expect(late).to.be.instanceOf(Error);
    });
  });

  describe('edges of the machine', () => {
    it('refuses audio after end(), and end() twice is harmless; a container stream has no audio time', async () => {
      await peer((ws) =>
        ws.on('message', (data, isBinary) => {
          if (!isBinary && frameText(data) === '')
            send(ws, { tokens: [], finished: true, request_id: 'req-1' });
        }),
      );
      const s = stream({ audio_format: 'auto', sample_rate: undefined, num_channels: undefined });
      s.resume();
      await s.connect();
      expect(s.phase).to.equal('open');
      s.end();
      await once(s, 'finished');
      expect(s.phase).to.equal('finished');
      expect(s.requestId).to.equal('req-1');
      expect(s.audioMsSent).to.equal(undefined);
      await s.connect();
      // The writable side has ended: Node refuses the write itself, and the stream stays quiet.
      const error = await new Promise<Error | null | undefined>((resolve) => {
        s.on('error', resolve);
        s.write(Buffer.alloc(2), resolve);
      });
      expect(error).to.be.instanceOf(Error);
    });

    it('reports a binary frame from the server as malformed', async () => {
      await peer((ws) => ws.once('message', () => ws.send(Buffer.from([1, 2, 3]))));
      const s = stream();
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      s.write(Buffer.alloc(2));
      await until(() => errors.length === 1);
      expect(errors[0]!.message).to.match(/binary frame/);
      expect(s.phase).to.equal('failed');
      expect(await rejection(s.connect())).to.equal(errors[0]);
    });

    it('opens nothing when destroyed while getApiKey is still minting the key', async () => {
      await peer();
      let release: (key: string) => void = () => undefined;
      const s = stream({
        reconnect: {
          maxAttempts: 1,
          getApiKey: () => new Promise<string>((resolve) => (release = resolve)),
        },
      });
      const connecting = s.connect();
      s.destroy();
      release(SECRET_KEY);
      expect(await rejection(connecting)).to.be.instanceOf(SonioxError);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(peers).to.have.length(0);
      expect(s.phase).to.equal('destroyed');
    });

    it('backs off 250 ms at most before the first reconnection by default (fake timers)', async () => {
      await peer((ws, index) => {
        if (index === 0) ws.once('message', () => setImmediate(() => ws.terminate()));
      });
      const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
      sinon.stub(Math, 'random').returns(0.999);
      t.defer(() => sinon.restore());
      const s = stream({ reconnect: { maxAttempts: 1 } });
      s.on('error', () => undefined);
      await s.connect();
      await until(() => s.phase === 'reconnecting');
      await clock.tickAsync(248);
      expect(peers).to.have.length(1);
      await clock.tickAsync(1);
      await until(() => peers.length === 2);
    });

    it('caps the backoff at a given maxDelayMs below the base delay (fake timers)', async () => {
      await peer((ws, index) => {
        if (index === 0) ws.once('message', () => setImmediate(() => ws.terminate()));
      });
      const clock = fakeClock({ toFake: ['setTimeout', 'clearTimeout'] });
      sinon.stub(Math, 'random').returns(0.5);
      t.defer(() => sinon.restore());
      const s = stream({ reconnect: { maxAttempts: 1, baseDelayMs: 800, maxDelayMs: 40 } });
      s.on('error', () => undefined);
      await s.connect();
      await until(() => s.phase === 'reconnecting');
      await clock.tickAsync(19);
      expect(peers).to.have.length(1);
      await clock.tickAsync(1);
      await until(() => peers.length === 2);
    });

    it('sends finalize with trailing_silence_ms only when given', async () => {
      const texts: string[] = [];
      await peer((ws) =>
        ws.on('message', (data, isBinary) => !isBinary && texts.push(frameText(data))),
      );
      // Not coalesced (control.spec.ts covers that): both go out at once.
      const s = stream({ finalizeMinIntervalMs: 0 });
      await s.connect();
      s.finalize();
      s.finalize({ trailing_silence_ms: 300 });
      await until(() => texts.length === 3);
      expect(texts.slice(1).map((t) => JSON.parse(t))).to.deep.equal([
        { type: 'finalize' },
        { type: 'finalize', trailing_silence_ms: 300 },
      ]);
    });

    it('end() before any audio connects, sends the config and end-of-audio, and finishes', async () => {
      const texts: string[] = [];
      await peer((ws) =>
        ws.on('message', (data, isBinary) => {
          if (isBinary) return;
          texts.push(frameText(data));
          if (frameText(data) === '') send(ws, { tokens: [], finished: true });
        }),
      );
      const s = stream();
      s.resume();
      s.end();
      await once(s, 'finished');
      expect(texts).to.have.length(2);
      expect(texts[1]).to.equal('');
    });

    it('a failed stream refuses end() with what failed it', async () => {
      await peer((ws) => ws.once('message', () => ws.send('{"tokens":[null]}')));
      const s = stream();
      s.on('error', () => undefined);
      await s.connect();
      await until(() => s.phase === 'failed');
      const ended = await new Promise<unknown>((resolve) => s.end(resolve));
      expect(ended).to.be.instanceOf(Error);
    });
  });

  describe('calls made during the handshake and after the end', () => {
    /** A peer that records each connection's text frames and finishes on end-of-audio when `finishing()` allows. */
    async function recordingPeer(finishing: () => boolean = () => true): Promise<string[]> {
      const texts: string[] = [];
      await peer((ws) =>
        ws.on('message', (data, isBinary) => {
          if (isBinary) return texts.push(`${(data as Buffer).length} bytes`);
          texts.push(frameText(data));
          if (frameText(data) === '')
            void until(finishing).then(() => send(ws, { tokens: [], finished: true }));
        }),
      );
      return texts;
    }

    it('connect() twice, a write and end() during the handshake: all wait for it, then the audio and end-of-audio go out', async () => {
      const texts = await recordingPeer();
      const s = stream();
      s.resume();
      const first = s.connect();
      const second = s.connect();
      expect(s.phase).to.equal('connecting');
      const written = new Promise<Error | null | undefined>((resolve) =>
        s.write(Buffer.alloc(320), resolve),
      );
      await Promise.all([first, second]);
      expect(await written).to.equal(null);
      s.end();
      await once(s, 'finished');
      expect(texts.slice(1)).to.deep.equal(['320 bytes', '']);
    });

    it('end() right after connect() sends end-of-audio once the session opens, and connect() resolves before finished', async () => {
      let release = false;
      const texts = await recordingPeer(() => release);
      const s = stream();
      s.resume();
      const connecting = s.connect();
      s.end();
      await connecting;
      await until(() => texts.length === 2);
      expect(s.phase).to.equal('finishing');
      expect(texts[1]).to.equal('');
      // While the server has yet to finish, connect() still resolves (the session is up).
      await s.connect();
      release = true;
      await once(s, 'finished');
    });

    it('opens nothing when destroyed right after connect()', async () => {
      await peer();
      const s = stream();
      const connecting = s.connect();
      s.destroy();
      const error = await rejection(connecting);
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.message).to.equal('the realtime stream was destroyed');
      // A later stream's session is the first (and only) one the server sees.
      await stream().connect();
      await new Promise((resolve) => setImmediate(resolve));
      expect(peers).to.have.length(1);
      expect(s.phase).to.equal('destroyed');
    });

    /** A session that ended and finished on a recording peer. */
    async function finishedSession(): Promise<RealtimeStream> {
      await recordingPeer();
      const s = stream();
      s.resume();
      s.end();
      await once(s, 'finished');
      return s;
    }

    it('closes the socket with a normal closure (1000) once the session finished', async () => {
      await finishedSession();
      const [code] = (await once(connected(), 'close')) as [number];
      expect(code).to.equal(1000);
    });

    it('finalize() after the session finished is harmless', async () => {
      const s = await finishedSession();
      const failures: unknown[] = [];
      const onRejection = (reason: unknown) => failures.push(reason);
      process.on('unhandledRejection', onRejection);
      t.defer(() => process.off('unhandledRejection', onRejection));
      s.finalize();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).to.deep.equal([]);
    });

    it("a 'result' listener may destroy the stream", async () => {
      await peer((ws) =>
        ws.once('message', () =>
          send(ws, { tokens: [{ text: 'hi', is_final: true, start_ms: 0, end_ms: 100 }] }),
        ),
      );
      const s = stream();
      const failures: unknown[] = [];
      const onUncaught = (error: unknown) => failures.push(error);
      process.prependListener('uncaughtException', onUncaught);
      t.defer(() => process.off('uncaughtException', onUncaught));
      s.on('result', () => s.destroy());
      s.write(Buffer.alloc(320));
      await until(() => s.destroyed);
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).to.deep.equal([]);
      expect(s.phase).to.equal('destroyed');
    });

    it('destroy(null) destroys the stream without an error, as destroy() does', async () => {
      await peer();
      const s = stream();
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      await s.connect();
      // JavaScript callers (and Node's own stream utilities) say "no error" with null.
      s.destroy(null as unknown as Error);
      await once(s, 'close');
      expect(errors).to.deep.equal([]);
      expect(s.phase).to.equal('destroyed');
    });

    it('drops the socket of a session it failed rather than closing it as a finished one (1000)', async () => {
      await peer((ws) => ws.once('message', () => ws.send(Buffer.from([1, 2, 3]))));
      const s = stream();
      s.on('error', () => undefined);
      s.write(Buffer.alloc(320));
      await until(() => peers.length === 1);
      const [code] = (await once(connected(), 'close')) as [number];
      expect(s.phase).to.equal('failed');
      expect(code).not.to.equal(1000);
    });

    it('keeps the request id the server gave when later frames carry none', async () => {
      await peer((ws) =>
        ws.once('message', () => {
          send(ws, { tokens: [], request_id: 'req-7' });
          send(ws, { tokens: [{ text: 'hi', is_final: true, start_ms: 0, end_ms: 100 }] });
          send(ws, { error_code: 500, error_message: 'Internal error' });
        }),
      );
      const s = stream();
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      s.resume();
      s.write(Buffer.alloc(320));
      await until(() => errors.length === 1);
      expect(s.requestId).to.equal('req-7');
    });

    it('leaves the key out of a server error message that echoes it', async () => {
      await peer((ws) =>
        ws.once('message', () =>
          send(ws, { error_code: 400, error_message: `Invalid key ${SECRET_KEY} for this model` }),
        ),
      );
      const s = stream();
      const errors: Error[] = [];
      s.on('error', (e: Error) => errors.push(e));
      s.write(Buffer.alloc(320));
      await until(() => errors.length === 1);
      expect(errors[0]!.message).to.include('Invalid key');
      expect(errors[0]!.message).not.to.include(SECRET_KEY);
    });

    it("with auth: 'message' the key goes in the start message only, never in an Authorization header", async () => {
      const headers: Array<string | undefined> = [];
      await peer();
      wss!.on('connection', (_ws, req) => headers.push(req.headers.authorization));
      const s = stream({ auth: 'message' });
      await s.connect();
      await until(() => headers.length === 1);
      expect(headers).to.deep.equal([undefined]);
    });
  });

  it('many streams share one AbortSignal without a listener each (no MaxListenersExceededWarning), and all stop when it fires', async () => {
    await peer();
    const shared = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const streams = Array.from({ length: 20 }, () => stream({ signal: shared.signal }));
      for (const s of streams) s.on('error', () => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      expect(getEventListeners(shared.signal, 'abort')).to.have.length(1);
      shared.abort();
      await until(() => streams.every((s) => s.destroyed));
      expect(streams.every((s) => s.phase === 'failed')).to.equal(true);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.to.include('MaxListenersExceededWarning');
  });
});

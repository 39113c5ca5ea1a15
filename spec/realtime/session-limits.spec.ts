/**
 * Realtime session starts under the client's adaptive limiter: a start the account's limits
 * refuse (429 at the upgrade, or the 429 error frame of the concurrent-session and
 * sessions-per-minute limits) is queued and started again, its audio replayed, instead of
 * failing; `adaptiveRate: false` opts out. The mock enforces the limits; fake setTimeout and
 * Date drive the backoff and the mock's per-minute window, while the sockets are real.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SonioxConnectionError, SonioxWebSocketError } from '../../lib/errors';
import type { SonioxClient } from '../../lib/client';
import { AdaptiveLimiter } from '../../lib/internal/adaptive-rate';
import { DEFAULT_REPLAY_BYTES } from '../../lib/realtime/protocol';
import { RealtimeStream, type ReconnectEvent } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM, fixture as audioFixture } from '../audio';
import { SECRET_KEY, fixture, rejection, until, type Fixture } from '../helpers';
import { onEndOfAudio, sendJson, tok } from './scripted-server';
import { sessionTools, turns } from './session-tools';

const AUDIO = audioFixture('hello-world.wav');
const FAKE: { toFake: Array<'setTimeout' | 'clearTimeout' | 'Date'> } = {
  toFake: ['setTimeout', 'clearTimeout', 'Date'],
};

describe('realtime session starts under the adaptive limiter', () => {
  /**
   * A server that runs `script` on its n-th upgrade and counts the upgrades it saw; a number
   * from `refuseWith(n)` answers that upgrade with that HTTP status instead.
   */
  async function sessions(
    t: Fixture,
    script: (ws: WebSocket, index: number) => void,
    refuseWith: (index: number) => number | undefined = () => undefined,
  ): Promise<{ url: string; seen: () => number }> {
    let seen = 0;
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer();
    server.on('upgrade', (req, socket: net.Socket, head) => {
      const index = seen++;
      const status = refuseWith(index);
      if (status !== undefined)
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: 0\r\n\r\n`);
      else wss.handleUpgrade(req, socket, head, (ws) => script(ws, index));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.defer(async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    return { url: `ws://127.0.0.1:${port}/transcribe-websocket`, seen: () => seen };
  }

  /** The 429 error frame of the sessions-per-minute limit, then the close. */
  function refuse(ws: WebSocket): void {
    sendJson(ws, {
      error_code: 429,
      error_type: 'limit_exceeded',
      error_message: 'Too many requests.',
    });
    ws.close(1000);
  }

  /** Records a session's audio and answers its end-of-audio with one token and `finished`. */
  function recordAudio(ws: WebSocket, audio: Buffer[]): void {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) audio.push(Buffer.from(data));
    });
    onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('hello', 0)], finished: true }));
  }

  describe('the start waits for the limiter (fake timers)', () => {
    const t = fixture({ clock: FAKE });

    /** A limiter the account's 429s slowed to 7 starts a second, its one saved token spent. */
    function slowedLimiter(): AdaptiveLimiter {
      const limiter = new AdaptiveLimiter();
      for (let i = 0; i < 10; i++) void limiter.acquire();
      limiter.onThrottle(Date.now());
      void limiter.acquire();
      return limiter;
    }

    function limited(url: string, limiter: AdaptiveLimiter, config: object = {}) {
      const stream = new RealtimeStream(
        { ...PCM, ...config },
        {
          apiKey: SECRET_KEY,
          realtimeURL: url,
          defaultModel: 'stt-rt-v3',
          sessionLimiter: limiter,
        },
      );
      t.defer(() => stream.destroy());
      return stream;
    }

    it("opens the connection only once the limiter's token is there", async () => {
      const server = await sessions(t, () => undefined);
      const stream = limited(server.url, slowedLimiter(), { acceptanceWindowMs: 0 });
      const connecting = stream.connect();
      await turns();
      // 7 starts a second: the token comes 143 ms later.
      await t.clock.tickAsync(140);
      await turns();
      expect(server.seen()).to.equal(0);
      expect(stream.phase).to.equal('connecting');
      await t.clock.tickAsync(3);
      await connecting;
      expect(server.seen()).to.equal(1);
    });

    it('fails a start still waiting for its token when the client closes, with a typed error naming why', async () => {
      const server = await sessions(t, () => undefined);
      const limiter = slowedLimiter();
      const stream = limited(server.url, limiter, {
        reconnect: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      });
      const reconnects: ReconnectEvent[] = [];
      stream.on('reconnect', (e) => reconnects.push(e));
      const connecting = stream.connect();
      await turns();
      const closed = new SonioxConnectionError('the client is closed');
      limiter.close(closed);
      const error = (await rejection(connecting)) as SonioxWebSocketError;
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.message).to.equal('cannot start the realtime session: the client is closed');
      expect(error.cause).to.equal(closed);
      expect(error.retryable).to.equal(false);
      await t.clock.tickAsync(1000);
      expect(reconnects).to.deep.equal([]);
      expect(server.seen()).to.equal(0);
      expect(stream.phase).to.equal('failed');
    });
  });

  describe('replaying a refused start (fake timers)', () => {
    const t = fixture({ clock: FAKE });

    /** A stream on `url`, its reconnect events, errors and tokens recorded as it is read. */
    function session(url: string, config: object) {
      const client = t.clientWith({ realtimeURL: url });
      const stream = client.realtime({ ...config } as Parameters<SonioxClient['realtime']>[0]);
      t.defer(() => stream.destroy());
      const reconnects: ReconnectEvent[] = [];
      const errors: Error[] = [];
      const tokens: RealtimeToken[] = [];
      stream.on('reconnect', (e) => reconnects.push(e));
      stream.on('error', (e) => errors.push(e));
      stream.on('data', (token: RealtimeToken) => tokens.push(token));
      return { stream, reconnects, errors, tokens };
    }

    it('replays a compressed stream whole, from its first byte, when its start is refused after audio went out', async () => {
      const audio: Buffer[] = [];
      const server = await sessions(t, (ws, index) => {
        if (index === 0) ws.once('message', () => ws.once('message', () => refuse(ws)));
        else recordAudio(ws, audio);
      });
      const { stream, reconnects, errors, tokens } = session(server.url, { audio_format: 'mp3' });
      const first = Buffer.alloc(100, 1);
      stream.write(first);
      await until(() => stream.phase === 'reconnecting');
      stream.end(Buffer.alloc(50, 2));
      await t.clock.tickAsync(1000);
      await until(() => stream.phase === 'finished' && tokens.length === 1);
      expect(errors).to.deep.equal([]);
      expect(Buffer.concat(audio)).to.deep.equal(Buffer.concat([first, Buffer.alloc(50, 2)]));
      expect(reconnects).to.have.length(1);
      expect(reconnects[0]!.error.serverCode).to.equal(429);
      expect(reconnects[0]!.unreplayedAudioMs).to.equal(0);
      expect(tokens[0]!.start_ms).to.equal(0);
    });

    it('fails a compressed stream refused after more audio than it keeps, rather than replaying part of it', async () => {
      const size = DEFAULT_REPLAY_BYTES + 1024;
      const server = await sessions(t, (ws) => {
        let got = 0;
        ws.on('message', (data: Buffer, isBinary) => {
          if (isBinary) got += data.length;
          if (got >= size) refuse(ws);
        });
      });
      const { stream, reconnects, errors } = session(server.url, { audio_format: 'mp3' });
      stream.write(Buffer.alloc(size, 1));
      await until(() => errors.length === 1);
      expect((errors[0] as SonioxWebSocketError).serverCode).to.equal(429);
      expect(reconnects).to.deep.equal([]);
      expect(server.seen()).to.equal(1);
    });

    it('fails a compressed stream refused after audio went out with adaptiveRate: false', async () => {
      const server = await sessions(t, (ws) =>
        ws.once('message', () => ws.once('message', () => refuse(ws))),
      );
      const client = t.clientWith({ realtimeURL: server.url, adaptiveRate: false });
      const stream = client.realtime({ audio_format: 'mp3' });
      t.defer(() => stream.destroy());
      const errors: Error[] = [];
      stream.on('error', (e) => errors.push(e));
      stream.write(Buffer.alloc(100, 1));
      await until(() => errors.length === 1);
      expect((errors[0] as SonioxWebSocketError).serverCode).to.equal(429);
      expect(server.seen()).to.equal(1);
    });

    it('resumes a raw stream refused after more audio than it keeps, reporting the audio lost and shifting the times', async () => {
      const audio: Buffer[] = [];
      const server = await sessions(t, (ws, index) => {
        let got = 0;
        if (index === 0)
          ws.on('message', (data: Buffer, isBinary) => {
            if (isBinary) got += data.length;
            if (got >= 3200) refuse(ws);
          });
        else recordAudio(ws, audio);
      });
      const { stream, reconnects, errors, tokens } = session(server.url, {
        ...PCM,
        reconnect: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0, maxBufferBytes: 640 },
      });
      stream.write(Buffer.alloc(3200, 1));
      await until(() => stream.phase === 'reconnecting');
      stream.end();
      await t.clock.tickAsync(1000);
      await until(() => stream.phase === 'finished' && tokens.length === 1);
      expect(errors).to.deep.equal([]);
      // 640 bytes kept of 3 200: the 2 560 before them (80 ms of 16 kHz s16le) are lost.
      expect(reconnects.map((e) => e.unreplayedAudioMs)).to.deep.equal([80]);
      expect(Buffer.concat(audio).length).to.equal(640);
      // The new session's 0 is the stream's 80 ms.
      expect(tokens[0]!.start_ms).to.equal(80);
    });
  });

  describe('under the concurrent-session limit of the mock (fake timers)', () => {
    const t = fixture({
      // No idle limit: a first session without audio keeps its slot for as long as a spec needs.
      mock: {
        realtimePacing: false,
        realtimeIdleTimeoutMs: 3_600_000,
        rateLimit: { realtimeConcurrentSessions: 1 },
        // The refusal is read by its errorType: the rich error frames.
        realtimeErrorShape: 'rich',
      },
      // The refusal path: a client that read the limit would hold its second start back
      // instead (spec/realtime/session-slots.spec.ts).
      client: { readConcurrencyLimit: false },
      clock: FAKE,
    });
    const { session, drive } = sessionTools(t);

    it('queues a start refused for the concurrent-session limit until a session ends', async () => {
      const first = session();
      first.stream.write(AUDIO.pcm.subarray(0, 3200));
      await until(() => first.stream.phase === 'open');
      await until(() => t.server.rateLimiter.activeSessions(SECRET_KEY) === 1);

      const second = session();
      second.stream.end(AUDIO.pcm);
      await until(() => second.stream.phase === 'reconnecting');
      expect(second.errors).to.deep.equal([]);

      first.stream.end();
      await first.finished;
      await drive(second.done);
      expect(second.stream.transcript).to.equal(AUDIO.text);
      expect(second.errors).to.deep.equal([]);
      expect(second.reconnects.length).to.be.at.least(1);
      const refusal = second.reconnects[0]!.error;
      expect(refusal.serverCode).to.equal(429);
      expect(refusal.errorType).to.equal('max_concurrent_connections_reached');
      expect(second.reconnects[0]!.unreplayedAudioMs).to.equal(0);
    });

    it('fails a refused start at once with adaptiveRate: false', async () => {
      const first = session();
      first.stream.write(AUDIO.pcm.subarray(0, 3200));
      await until(() => t.server.rateLimiter.activeSessions(SECRET_KEY) === 1);
      const second = session(t.clientWith({ adaptiveRate: false }));
      second.stream.end(AUDIO.pcm);
      await until(() => second.errors.length === 1);
      const error = second.errors[0] as SonioxWebSocketError;
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.serverCode).to.equal(429);
      expect(second.reconnects).to.deep.equal([]);
    });

    it('gives up on a start still refused two minutes after its first refusal', async () => {
      const first = session();
      first.stream.write(AUDIO.pcm.subarray(0, 3200));
      await until(() => t.server.rateLimiter.activeSessions(SECRET_KEY) === 1);
      const second = session();
      second.stream.end(AUDIO.pcm);
      await drive(() => second.errors.length > 0, 5000);
      expect((second.errors[0] as SonioxWebSocketError).serverCode).to.equal(429);
      expect(second.reconnects.length).to.be.at.least(5);
    });
  });

  describe('under the sessions-per-minute limit of the mock (fake timers)', () => {
    const t = fixture({
      // The refusals are read by their errorType: the rich error frames.
      mock: {
        realtimePacing: false,
        rateLimit: { realtimeSessionsPerMinute: 1 },
        realtimeErrorShape: 'rich',
      },
      clock: FAKE,
    });
    const { session, drive } = sessionTools(t);

    it('queues a start refused for the sessions-per-minute limit into the next minute', async () => {
      const first = session();
      first.stream.end(AUDIO.pcm);
      await first.finished;
      const startedAt = Date.now();

      const second = session();
      second.stream.end(AUDIO.pcm);
      await drive(second.done, 5000);
      expect(second.stream.transcript).to.equal(AUDIO.text);
      expect(Date.now() - startedAt).to.be.at.least(60_000);
      expect(second.errors).to.deep.equal([]);
      expect(second.reconnects.map((e) => e.error.errorType)).to.include('limit_exceeded');
      expect(second.reconnects.map((e) => e.attempt)).to.deep.equal(
        second.reconnects.map((_, i) => i + 1),
      );
    });
  });

  describe('a 429 answer to the upgrade (fake timers)', () => {
    const t = fixture({ clock: FAKE });

    it('queues a first connection answered 429 at the upgrade, without `reconnect`', async () => {
      let refusals = 1;
      const server = await sessions(
        t,
        (ws) => recordAudio(ws, []),
        () => (refusals-- > 0 ? 429 : undefined),
      );
      const client = t.clientWith({ realtimeURL: server.url });
      const stream = client.realtime({ ...PCM });
      t.defer(() => stream.destroy());
      stream.end(Buffer.alloc(3200));
      await until(() => stream.phase === 'reconnecting');
      await t.clock.tickAsync(1000);
      const tokens: string[] = [];
      for await (const token of stream) tokens.push(token.text);
      expect(tokens).to.deep.equal(['hello']);
      expect(server.seen()).to.equal(2);

      const refusing = t.clientWith({ realtimeURL: server.url, adaptiveRate: false });
      refusals = 1;
      const plain = refusing.realtime({ ...PCM });
      t.defer(() => plain.destroy());
      expect((await rejection(plain.connect())).message).to.include('429');
    });
  });
});

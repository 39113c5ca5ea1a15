/**
 * The first connection, with `reconnect` set, is retried like a reconnection when it fails for
 * a transient reason (an HTTP 429/502/503/504 answer to the upgrade, a refused or reset
 * connection, a 503 error frame), with the same backoff and `reconnect` events; a 4xx answer
 * about the key or the request is final. A loopback HTTP server scripts each upgrade's fate.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SonioxClient } from '../../lib/client';
import { SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeStream, ReconnectEvent } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from '../audio';
import { SECRET_KEY, fixture, rejection } from '../helpers';
import { onEndOfAudio, sendJson, tok } from './scripted-server';

/** What the server does with one upgrade request. */
type Fate = 'accept' | 'reset' | number | ((ws: WebSocket) => void);

/** A server whose n-th upgrade meets `fates[n]` (the last fate repeats). */
async function upgrades(
  fates: Fate[],
): Promise<{ url: string; port: number; seen: () => number; close(): Promise<void> }> {
  let seen = 0;
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer();
  server.on('upgrade', (req, socket: net.Socket, head) => {
    const fate = fates[Math.min(seen, fates.length - 1)] ?? 'accept';
    seen += 1;
    if (fate === 'reset') {
      socket.destroy();
    } else if (typeof fate === 'number') {
      socket.end(`HTTP/1.1 ${fate} ${http.STATUS_CODES[fate]}\r\nContent-Length: 0\r\n\r\n`);
    } else {
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (fate === 'accept') finishOnEnd(ws);
        else fate(ws);
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/transcribe-websocket`,
    port,
    seen: () => seen,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A session that answers the end of audio with one final token and `finished`. */
function finishOnEnd(ws: WebSocket): void {
  onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('hello', 0)], finished: true }));
}

describe('realtime handshake resilience (first connection)', () => {
  const t = fixture();

  function open(url: string, config: Record<string, unknown> = {}): RealtimeStream {
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: url, env: {} });
    const stream = client.realtime({
      ...PCM,
      reconnect: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      ...config,
    });
    t.defer(() => stream.destroy());
    return stream;
  }

  /** Ends a session with a little audio and collects its tokens and reconnect events. */
  async function run(stream: RealtimeStream) {
    const reconnects: ReconnectEvent[] = [];
    stream.on('reconnect', (e) => reconnects.push(e));
    const tokens: RealtimeToken[] = [];
    stream.end(Buffer.alloc(3200));
    for await (const token of stream) tokens.push(token);
    return { reconnects, text: tokens.map((x) => x.text).join('') };
  }

  for (const status of [429, 502, 503, 504]) {
    it(`retries a first connection answered ${status} at the upgrade, with a reconnect event`, async () => {
      const server = await upgrades([status, 'accept']);
      t.defer(() => server.close());
      const { reconnects, text } = await run(open(server.url));
      expect(text).to.equal('hello');
      expect(server.seen()).to.equal(2);
      expect(reconnects).to.have.length(1);
      expect(reconnects[0]!.attempt).to.equal(1);
      expect(reconnects[0]!.error.retryable).to.equal(true);
      expect(reconnects[0]!.error.message).to.include(String(status));
    });
  }

  for (const status of [400, 401, 403]) {
    it(`never retries a first connection answered ${status} at the upgrade`, async () => {
      const server = await upgrades([status, 'accept']);
      t.defer(() => server.close());
      const stream = open(server.url);
      const reconnects: ReconnectEvent[] = [];
      stream.on('reconnect', (e) => reconnects.push(e));
      const error = await rejection(stream.connect());
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect((error as SonioxWebSocketError).retryable).to.equal(false);
      expect(error.message).to.include(String(status));
      expect(server.seen()).to.equal(1);
      expect(reconnects).to.deep.equal([]);
    });
  }

  it('retries a first connection that is refused (nothing listening yet)', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const stream = open(`ws://127.0.0.1:${port}/transcribe-websocket`);
    // The server comes up as the first retry starts (the refused attempt is behind us).
    const started = new Promise<void>((resolve) =>
      stream.once('reconnect', () => {
        const wss = new WebSocketServer({ port, host: '127.0.0.1' });
        wss.on('connection', finishOnEnd);
        t.defer(() => new Promise((done) => wss.close(done)));
        t.defer(() => wss.clients.forEach((c) => c.terminate()));
        wss.once('listening', resolve);
      }),
    );
    stream.once('reconnect', (e) => expect(e.error.message).to.match(/ECONNREFUSED/));
    const done = run(stream);
    await started;
    expect((await done).text).to.equal('hello');
  });

  it('retries a first connection reset before the upgrade is answered', async () => {
    const server = await upgrades(['reset', 'accept']);
    t.defer(() => server.close());
    const { reconnects, text } = await run(open(server.url));
    expect(text).to.equal('hello');
    expect(reconnects).to.have.length(1);
    expect(server.seen()).to.equal(2);
  });

  it('retries a first session that the server ends at once with a 503 error frame', async () => {
    const busy = (ws: WebSocket) => {
      sendJson(ws, { error_code: 503, error_message: 'Service is busy, try again.' });
      ws.close(1000);
    };
    const server = await upgrades([busy, 'accept']);
    t.defer(() => server.close());
    const { reconnects, text } = await run(open(server.url));
    expect(text).to.equal('hello');
    expect(reconnects).to.have.length(1);
    expect(reconnects[0]!.error.serverCode).to.equal(503);
  });

  it('gives up after maxAttempts with the last error, and without reconnect fails at once', async () => {
    const server = await upgrades([503]);
    t.defer(() => server.close());
    const stream = open(server.url, { reconnect: { maxAttempts: 2, baseDelayMs: 0 } });
    const error = await rejection(stream.connect());
    expect(error.message).to.include('503');
    expect(server.seen()).to.equal(3);

    const plain = open(server.url, { reconnect: undefined });
    expect((await rejection(plain.connect())).message).to.include('503');
    expect(server.seen()).to.equal(4);
  });
});

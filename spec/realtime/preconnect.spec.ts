/**
 * Pre-connect (issue 29 item 2): `client.preconnect()` opens sockets before the audio exists,
 * replaced before the server's 20 s idle limit; a stream starts its session on one at its first
 * write, and a reconnection takes one too. A scripted server says on which connection each start
 * message came; the mock's idle limit runs under fake time.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { WebSocketServer } from 'ws';
import { SonioxClient } from '../../lib/client';
import { SonioxValidationError } from '../../lib/errors';
import { DEFAULT_WARM_MAX_AGE_MS, preconnectIssues } from '../../lib/realtime/warm-pool';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from '../audio';
import { SECRET_KEY, fixture, frameText, until } from '../helpers';
import {
  onEndOfAudio,
  scriptedServer,
  sendJson,
  tok,
  type ScriptedServer,
} from './scripted-server';

/** A server that records, per connection, when it opened and whether a start message came. */
async function recordingServer(
  t: { defer(cleanup: () => unknown): void },
  onStart: (peer: import('ws').WebSocket, index: number) => void = () => undefined,
) {
  const starts: number[] = [];
  const startMessages: Array<Record<string, unknown>> = [];
  const server: ScriptedServer = await scriptedServer((peer, index) => {
    let started = false;
    peer.on('message', (data, isBinary) => {
      if (started || isBinary) return;
      started = true;
      starts.push(index);
      startMessages.push(JSON.parse(frameText(data)) as Record<string, unknown>);
      onStart(peer, index);
    });
    onEndOfAudio(peer, () => {
      sendJson(peer, { tokens: [tok('hello', 0)], finished: true });
      peer.close(1000);
    });
  });
  t.defer(() => server.close());
  return { server, starts, startMessages };
}

function client(url: string, t: { defer(cleanup: () => unknown): void }): SonioxClient {
  const made = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: url, env: {} });
  t.defer(() => made.close());
  return made;
}

async function read(stream: AsyncIterable<RealtimeToken>): Promise<string[]> {
  const out: string[] = [];
  for await (const token of stream) out.push(token.text);
  return out;
}

describe('realtime pre-connect', () => {
  describe('preconnectIssues', () => {
    it('takes a size from 1 to 100 and a maxAgeMs from 1 s, naming a bad field', () => {
      expect(preconnectIssues({}, 2 ** 31 - 1)).to.deep.equal([]);
      expect(preconnectIssues({ size: 100, maxAgeMs: 1000 }, 2 ** 31 - 1)).to.deep.equal([]);
      expect(
        preconnectIssues({ size: 0, maxAgeMs: 999 }, 2 ** 31 - 1).map((i) => i.field),
      ).to.deep.equal(['size', 'maxAgeMs']);
      expect(preconnectIssues({ size: 1.5 }, 2 ** 31 - 1).map((i) => i.field)).to.deep.equal([
        'size',
      ]);
      expect(preconnectIssues(null, 2 ** 31 - 1).map((i) => i.field)).to.deep.equal(['options']);
      expect(DEFAULT_WARM_MAX_AGE_MS).to.be.below(20_000);
    });
  });

  describe('against a scripted server', () => {
    const t = fixture();

    it('opens sockets before any audio and sends nothing on them', async () => {
      const { server, starts } = await recordingServer(t);
      const c = client(server.url, t);
      const pool = c.preconnect({ size: 2 });
      await until(() => pool.warm === 2);
      expect(server.peers).to.have.length(2);
      expect(starts).to.deep.equal([]);
      expect(inspect(pool, { depth: 5 })).to.not.include(SECRET_KEY);
      expect(inspect(c, { depth: 5 })).to.not.include(SECRET_KEY);
    });

    it('starts a session on a warm socket at the first write, and refills the pool', async () => {
      const { server, starts } = await recordingServer(t);
      const c = client(server.url, t);
      const pool = c.preconnect();
      await pool.ready();
      expect(server.peers).to.have.length(1);
      const stream = c.realtime({ ...PCM, acceptanceWindowMs: 0 });
      const tokens = read(stream);
      stream.end(Buffer.alloc(3200));
      expect(await tokens).to.deep.equal(['hello']);
      // The session went over connection 0, open before the stream existed.
      expect(starts).to.deep.equal([0]);
      await until(() => pool.warm === 1);
      expect(server.peers).to.have.length(2);
    });

    it('a reconnection takes a warm socket too', async () => {
      const { server, starts } = await recordingServer(t, (peer, index) => {
        // The first session drops once its audio comes.
        if (index === 0) peer.once('message', () => peer.terminate());
      });
      const c = client(server.url, t);
      const pool = c.preconnect();
      await pool.ready();
      const stream = c.realtime({
        ...PCM,
        acceptanceWindowMs: 0,
        reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
      const tokens = read(stream);
      stream.write(Buffer.alloc(3200));
      // The refill (connection 1) is warm before the drop.
      await until(() => pool.warm === 1 && starts.length === 1);
      stream.end(Buffer.alloc(3200));
      expect(await tokens).to.deep.equal(['hello']);
      expect(starts).to.deep.equal([0, 1]);
    });

    it('a stream that authenticates otherwise opens its own socket', async () => {
      const { server, starts, startMessages } = await recordingServer(t);
      const c = client(server.url, t);
      const pool = c.preconnect();
      await pool.ready();
      const stream = c.realtime({ ...PCM, acceptanceWindowMs: 0, auth: 'message' });
      const tokens = read(stream);
      stream.end(Buffer.alloc(3200));
      expect(await tokens).to.deep.equal(['hello']);
      expect(starts).to.deep.equal([1]);
      expect(pool.warm).to.equal(1);
      // Its key travels in the start message instead.
      expect(startMessages[0]).to.include({ api_key: SECRET_KEY });
    });

    it('a finished session on a warm socket is closed politely by the client', async () => {
      const codes: number[] = [];
      const server = await scriptedServer((peer) => {
        peer.on('close', (code) => codes.push(code));
        // Answers end-of-audio with `finished` and leaves the closing to the client.
        onEndOfAudio(peer, () => sendJson(peer, { tokens: [tok('hello', 0)], finished: true }));
      });
      t.defer(() => server.close());
      const c = client(server.url, t);
      const pool = c.preconnect();
      await pool.ready();
      const stream = c.realtime({ ...PCM, acceptanceWindowMs: 0 });
      const tokens = read(stream);
      stream.end(Buffer.alloc(3200));
      expect(await tokens).to.deep.equal(['hello']);
      await until(() => codes.length === 1);
      expect(codes).to.deep.equal([1000]);
    });

    it('is refused with a validation error naming the field; client.close() closes it', async () => {
      const { server } = await recordingServer(t);
      const c = client(server.url, t);
      expect(() => c.preconnect({ size: 0 })).to.throw(SonioxValidationError, /size/);
      const pool = c.preconnect();
      await pool.ready();
      c.close();
      expect(pool.warm).to.equal(0);
      await until(() => server.peers.every((p) => p.readyState === p.CLOSED));
    });
  });

  describe('against the mock: replaced before its idle limit (fake time)', () => {
    const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] } });

    it('keeps one socket warm over a minute of no audio, each under 20 s old', async () => {
      const c = t.clientWith();
      const pool = c.preconnect();
      await until(() => pool.warm === 1);
      for (let second = 0; second < 60; second++) {
        await t.clock.tickAsync(1000);
        await until(() => pool.warm === 1);
      }
      // Opened at 0, 15, 30, 45 and 60 s: the mock's 20 s idle close never came.
      expect(t.server.state.hits['WS /transcribe-websocket']).to.equal(5);
      // Accepted by the mock: the warm socket's key is in its upgrade header.
      const stream = c.realtime({ ...PCM, tokens: 'final' });
      stream.on('error', () => undefined);
      let upgradesAtOpen = 0;
      stream.once(
        'open',
        () => (upgradesAtOpen = t.server.state.hits['WS /transcribe-websocket']!),
      );
      const connecting = stream.connect();
      await t.clock.tickAsync(600);
      await connecting;
      // No upgrade of its own: the session opened on the warm socket (the pool then refilled).
      expect(upgradesAtOpen).to.equal(5);
      stream.destroy();
    });
  });

  describe('when the server refuses the upgrade (fake time)', () => {
    const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] } });

    it('tries again after 1 s, then 2 s (no hammering), and fills once it answers', async () => {
      let refuse = true;
      let upgrades = 0;
      const wss = new WebSocketServer({ noServer: true });
      const server = http.createServer();
      server.on('upgrade', (req, socket: net.Socket, head) => {
        upgrades++;
        if (refuse) socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
        else wss.handleUpgrade(req, socket, head, () => undefined);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      t.defer(async () => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/transcribe-websocket`;
      const c = client(url, t);
      const pool = c.preconnect();
      await until(() => upgrades === 1);
      await t.clock.tickAsync(999);
      expect(upgrades).to.equal(1);
      await t.clock.tickAsync(1);
      await until(() => upgrades === 2);
      await t.clock.tickAsync(1999);
      expect(upgrades).to.equal(2);
      refuse = false;
      await t.clock.tickAsync(1);
      await until(() => pool.warm === 1);
      // A second call changes the pool's options: one more socket.
      expect(c.preconnect({ size: 2 })).to.equal(pool);
      await until(() => pool.warm === 2);
      // A stream with another key opens its own socket.
      expect(upgrades).to.equal(4);
      const stream = c.realtime({
        ...PCM,
        acceptanceWindowMs: 0,
        reconnect: { maxAttempts: 1, getApiKey: () => 'temp:other' },
      });
      stream.on('error', () => undefined);
      await stream.connect();
      expect(upgrades).to.equal(5);
      expect(pool.warm).to.equal(2);
      stream.destroy();
    });
  });
});

describe('realtime pre-connect: a pool that lasts', () => {
  describe('preconnectIssues at its bounds', () => {
    it('refuses more than 100 sockets and an age a timer cannot hold, saying the range', () => {
      const max = 2 ** 31 - 1;
      expect(preconnectIssues({ size: 1, maxAgeMs: max }, max)).to.deep.equal([]);
      expect(preconnectIssues(undefined, max)).to.deep.equal([]);
      expect(preconnectIssues({ size: 101 }, max)).to.deep.equal([
        { field: 'size', message: 'must be an integer from 1 to 100' },
      ]);
      for (const maxAgeMs of [max + 1, Infinity, NaN, '20000'])
        expect(preconnectIssues({ maxAgeMs }, max), String(maxAgeMs)).to.deep.equal([
          { field: 'maxAgeMs', message: `must be a number from 1000 to ${max}` },
        ]);
      expect(preconnectIssues('two', max)).to.deep.equal([
        { field: 'options', message: 'must be an object such as { size: 2 }' },
      ]);
    });
  });

  describe('against a scripted server', () => {
    const t = fixture();

    it('replaces at once a warm socket the server speaks on unasked or closes', async () => {
      const { server, starts } = await recordingServer(t);
      const c = client(server.url, t);
      const pool = c.preconnect();
      await pool.ready();
      // The server's word before any start message is a refusal: that socket is no use.
      server.peers[0]!.send(JSON.stringify({ error_code: 408, error_message: 'idle' }));
      await until(() => server.peers.length === 2 && pool.warm === 1);
      await until(() => server.peers[0]!.readyState === server.peers[0]!.CLOSED);
      server.peers[1]!.close(1000);
      await until(() => server.peers.length === 3 && pool.warm === 1);
      expect(starts).to.deep.equal([]);
    });

    it('closes its open sockets politely (1000) as the client closes', async () => {
      const codes: number[] = [];
      const { server } = await recordingServer(t);
      const c = client(server.url, t);
      const pool = c.preconnect({ size: 2 });
      await until(() => pool.warm === 2);
      // Warm already: ready() does not wait for another socket.
      let ready = false;
      void pool.ready().then(() => (ready = true));
      await until(() => ready, 1000);
      for (const peer of server.peers) peer.on('close', (code) => codes.push(code));
      c.close();
      await until(() => codes.length === 2);
      expect(codes).to.deep.equal([1000, 1000]);
      // Closed: nothing is warm, nothing opens again, and ready() does not wait.
      await pool.ready();
      expect(pool.warm).to.equal(0);
      expect(server.peers).to.have.length(2);
    });

    it('a stream does not take a pool socket still opening: it opens its own', async () => {
      const wss = new WebSocketServer({ noServer: true });
      const held: net.Socket[] = [];
      const starts: number[] = [];
      const server = http.createServer();
      let upgrades = 0;
      server.on('upgrade', (req, socket: net.Socket, head) => {
        // The pool's first upgrade gets no answer; the stream's own is served.
        if (upgrades++ === 0) return void held.push(socket);
        wss.handleUpgrade(req, socket, head, (peer) => {
          const index = upgrades - 1;
          peer.once('message', () => starts.push(index));
          onEndOfAudio(peer, () => {
            sendJson(peer, { tokens: [tok('hello', 0)], finished: true });
            peer.close(1000);
          });
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      t.defer(async () => {
        for (const c of wss.clients) c.terminate();
        for (const socket of held) socket.destroy();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/transcribe-websocket`;
      const c = client(url, t);
      const pool = c.preconnect();
      await until(() => held.length === 1);
      const stream = c.realtime({ ...PCM, acceptanceWindowMs: 0 });
      const tokens = read(stream);
      stream.end(Buffer.alloc(3200));
      expect(await tokens).to.deep.equal(['hello']);
      expect(starts).to.deep.equal([1]);
      expect(pool.warm).to.equal(0);
    });

    it('a pool whose server never answers the upgrade: ready() settles as the client closes', async () => {
      const upgrades: net.Socket[] = [];
      const silent = http.createServer();
      silent.on('upgrade', (_req, socket: net.Socket) => upgrades.push(socket));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      t.defer(async () => {
        silent.closeAllConnections();
        for (const socket of upgrades) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      });
      const port = (silent.address() as AddressInfo).port;
      const c = client(`ws://127.0.0.1:${port}/transcribe-websocket`, t);
      const pool = c.preconnect();
      await until(() => upgrades.length === 1);
      let ready = false;
      void pool.ready().then(() => (ready = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ready).to.equal(false);
      c.close();
      await until(() => ready);
      // The half-open upgrade is dropped, not left to its handshake timeout.
      await until(() => upgrades[0]!.destroyed || upgrades[0]!.readableEnded);
    });
  });

  describe('against a server that refuses (fake time)', () => {
    const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] } });

    /** A server that refuses upgrades while `refuse` says so; counts them. */
    async function refusing() {
      const state = { refuse: true, upgrades: 0, headers: [] as http.IncomingHttpHeaders[] };
      const wss = new WebSocketServer({ noServer: true });
      const server = http.createServer();
      server.on('upgrade', (req, socket: net.Socket, head) => {
        state.upgrades++;
        state.headers.push(req.headers);
        // A client that gives up mid-answer resets the socket: nothing to report.
        socket.on('error', () => undefined);
        if (state.refuse)
          socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
        else wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      t.defer(async () => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/transcribe-websocket`;
      return { state, wss, url };
    }

    /** Advances fake time by `ms` and waits for the upgrades to reach `n` (and no more before). */
    async function nextTryAfter(state: { upgrades: number }, ms: number, n: number) {
      await t.clock.tickAsync(ms - 1);
      // An early try needs real time to reach the server: give it some before saying none came.
      await until(() => state.upgrades >= n, 100).catch(() => undefined);
      expect(state.upgrades, `before ${ms} ms`).to.equal(n - 1);
      await t.clock.tickAsync(1);
      await until(() => state.upgrades === n);
    }

    it('waits twice as long after each refusal, at most 30 s', async () => {
      const { state, url } = await refusing();
      client(url, t).preconnect();
      await until(() => state.upgrades === 1);
      let n = 1;
      for (const wait of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
        await nextTryAfter(state, wait, ++n);
      // Every try carries the key in its upgrade, and asks for no compression (audio gains nothing).
      for (const headers of state.headers) {
        expect(headers.authorization).to.equal(`Bearer ${SECRET_KEY}`);
        expect(headers['sec-websocket-extensions']).to.equal(undefined);
      }
    });

    it('asking for more sockets during the wait after a refusal does not try early', async () => {
      const { state, url } = await refusing();
      const c = client(url, t);
      c.preconnect();
      await until(() => state.upgrades === 1);
      // The refusal reaches the client (real I/O; the fake clock stands still meanwhile).
      await until(() => false, 200).catch(() => undefined);
      c.preconnect({ size: 3 });
      await nextTryAfter(state, 1000, 2);
    });

    it('after a socket opened, the next refusal waits 1 s again', async () => {
      const { state, wss, url } = await refusing();
      const pool = client(url, t).preconnect();
      await until(() => state.upgrades === 1);
      await nextTryAfter(state, 1000, 2);
      state.refuse = false;
      await nextTryAfter(state, 2000, 3);
      await until(() => pool.warm === 1);
      // The server drops the warm socket and refuses the next: the count of refusals starts again.
      state.refuse = true;
      for (const ws of wss.clients) ws.close(1001);
      await until(() => state.upgrades === 4);
      await nextTryAfter(state, 1000, 5);
    });
  });
});

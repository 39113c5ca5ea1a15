/**
 * `finishTimeoutMs` measures the server's silence after end(): time during which the client
 * itself held the socket paused for a slow reader does not count, and every frame from the
 * server starts the count again. Fake setTimeout; the socket I/O is real (loopback).
 */
import { expect } from 'chai';
import { SonioxClient } from '../../lib/client';
import { SonioxTimeoutError } from '../../lib/errors';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from '../audio';
import { SECRET_KEY, fixture, until } from '../helpers';
import {
  onEndOfAudio,
  scriptedServer,
  sendJson,
  tok,
  type Script,
  type ScriptedServer,
} from './scripted-server';

describe('realtime finish deadline (fake timers)', () => {
  const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout'] } });

  async function serve(script: Script): Promise<ScriptedServer> {
    const server = await scriptedServer(script);
    t.defer(() => server.close());
    return server;
  }
  function open(server: ScriptedServer): { stream: RealtimeStream; errors: Error[] } {
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream = client.realtime({ ...PCM, finishTimeoutMs: 30_000 });
    t.defer(() => stream.destroy());
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    return { stream, errors };
  }
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('a reader that pauses longer than the deadline after end() still gets every token and finished', async () => {
    const server = await serve((ws) =>
      onEndOfAudio(ws, () => {
        // More than the readable side holds, and more than one read of the socket: the client
        // pauses the socket for its reader with frames still unread.
        const padding = 'x'.repeat(8 * 1024);
        for (let i = 0; i < 60; i++)
          sendJson(ws, { tokens: [tok(` w${i}`, i * 100, { speaker: padding })] });
        sendJson(ws, { tokens: [], finished: true });
      }),
    );
    const { stream, errors } = open(server);
    let finished = false;
    stream.on('finished', () => (finished = true));
    stream.end(Buffer.alloc(3200));
    await until(() => stream.readableLength >= 16);
    await settle();
    await t.clock.tickAsync(120_000);
    expect(errors).to.deep.equal([]);
    const tokens: RealtimeToken[] = [];
    for await (const token of stream) tokens.push(token);
    expect(tokens).to.have.length(60);
    expect(finished).to.equal(true);
    expect(errors).to.deep.equal([]);
  });

  it('counts from the last frame of the server, and fails once it has been silent for the deadline', async () => {
    const server = await serve((ws) => onEndOfAudio(ws, () => undefined));
    const { stream, errors } = open(server);
    let seen = 0;
    stream.on('data', () => (seen += 1));
    stream.end(Buffer.alloc(3200));
    await until(() => server.peers[0] !== undefined && stream.phase === 'finishing');
    const peer = server.peers[0]!;
    // A frame every 20 s: never 30 s of silence.
    for (let i = 0; i < 3; i++) {
      await t.clock.tickAsync(20_000);
      sendJson(peer, { tokens: [tok(` w${i}`, i * 100, { is_final: false })] });
      await until(() => seen === i + 1 || errors.length > 0);
      expect(errors, `after ${(i + 1) * 20} s`).to.deep.equal([]);
    }
    expect(errors).to.deep.equal([]);
    await t.clock.tickAsync(29_000);
    expect(errors).to.deep.equal([]);
    await t.clock.tickAsync(1_000);
    await until(() => errors.length === 1);
    expect(errors[0]).to.be.instanceOf(SonioxTimeoutError);
  });
});

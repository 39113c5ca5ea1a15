/**
 * Backpressure both ways, against an in-memory socket: a write's callback waits while the
 * socket's buffer is over highWaterMark (so a pipe stops reading its file), and the socket is
 * paused only for a reader that has fallen behind, and resumed when it reads again.
 */
import { expect } from 'chai';
import { SonioxClient } from '../../lib/client';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { SECRET_KEY, until } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

const PCM16 = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('realtime/stream backpressure (scripted socket)', () => {
  let socket: ScriptedSocket;
  let stream: RealtimeStream;

  async function open(config: Record<string, unknown> = {}): Promise<void> {
    socket = new ScriptedSocket();
    const client = new SonioxClient({
      apiKey: SECRET_KEY,
      realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
      env: {},
    });
    stream = client.realtime({ ...PCM16, ...config, webSocketFactory: () => socket });
    stream.on('error', () => undefined);
    const connected = stream.connect();
    await until(() => socket.listenerCount('open') > 0);
    socket.open();
    await connected;
  }
  const result = (i: number) =>
    JSON.stringify({
      tokens: [{ text: ` w${i}`, is_final: true, start_ms: i * 10, end_ms: i * 10 + 5 }],
    });

  afterEach(() => stream?.destroy());

  it("holds a write's callback while the socket's buffer is over highWaterMark, and releases it once drained to it", async () => {
    await open({ highWaterMark: 1000 });
    socket.holdSends = true;
    const done: string[] = [];
    // At the mark exactly: the write is done at once.
    socket.bufferedAmount = 1000;
    stream.write(Buffer.alloc(100), () => done.push('first'));
    await turn();
    expect(done).to.deep.equal(['first']);
    // Over it: held, even when earlier bytes leave, while the buffer stays over the mark.
    socket.bufferedAmount = 5000;
    stream.write(Buffer.alloc(100), () => done.push('second'));
    await turn();
    socket.flushSends(1);
    await turn();
    expect(done).to.deep.equal(['first']);
    // Drained to the mark: the next bytes that leave release it.
    socket.bufferedAmount = 1000;
    socket.flushSends(1);
    await turn();
    expect(done).to.deep.equal(['first', 'second']);
    stream.write(Buffer.alloc(100), () => done.push('third'));
    await until(() => done.length === 3);
    expect(socket.sent.filter((f) => typeof f !== 'string')).to.have.length(3);
  });

  it('never pauses the socket for a reader that keeps up', async () => {
    await open();
    const texts: string[] = [];
    stream.on('data', (t: RealtimeToken) => texts.push(t.text));
    // One result per turn of the event loop, as a socket delivers them.
    for (let i = 0; i < 60; i++) {
      socket.emit('message', Buffer.from(result(i)), false);
      await turn();
    }
    expect(texts).to.have.length(60);
    expect(socket.pauses).to.equal(0);
  });

  it('pauses the socket when the reader falls behind, resumes it when it reads, and pauses again next time', async () => {
    await open();
    for (let i = 0; i < 40; i++) socket.emit('message', Buffer.from(result(i)), false);
    expect(socket.pauses).to.equal(1);
    expect(socket.paused).to.equal(true);
    // The reader catches up: the socket is read again.
    const read: RealtimeToken[] = [];
    while (stream.read() !== null) read.push({} as RealtimeToken);
    await turn();
    expect(socket.resumes).to.equal(1);
    expect(socket.paused).to.equal(false);
    expect(read).to.have.length(40);
    // And falls behind again.
    for (let i = 40; i < 80; i++) socket.emit('message', Buffer.from(result(i)), false);
    expect(socket.pauses).to.equal(2);
  });
});

import { expect } from 'chai';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { SonioxWebSocketError } from '../../lib/errors';
import { ResumeBuffer, msToBytes, shiftToken } from '../../lib/realtime/reconnect';
import type { ReconnectEvent, RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM, chunked, fixture } from '../audio';
import { SECRET_KEY, fixture as testFixture, until } from '../helpers';
import { SonioxClient } from '../../lib/client';
import { onEndOfAudio, scriptedServer, sendJson, tok } from './scripted-server';

async function run(stream: RealtimeStream, pcm: Buffer): Promise<RealtimeToken[]> {
  const tokens: RealtimeToken[] = [];
  chunked(pcm).pipe(stream);
  for await (const t of stream) tokens.push(t);
  return tokens;
}

describe('realtime/reconnect', () => {
  describe('ResumeBuffer', () => {
    it('keeps what was sent after the finalized point, in whole frames', () => {
      const b = new ResumeBuffer(1000, 2);
      b.push(Buffer.from([1, 2, 3, 4]));
      b.push(Buffer.from([5, 6, 7, 8]));
      b.dropTo(3);
      expect(b.start).to.equal(2);
      expect(Buffer.concat(b.contents())).to.deep.equal(Buffer.from([3, 4, 5, 6, 7, 8]));
      b.dropTo(1);
      expect(b.size).to.equal(6);
      b.dropTo(100);
      expect(b.size).to.equal(0);
      expect(b.start).to.equal(8);
    });

    it('keeps exactly its bound without dropping, and drops a chunk that ends at the point whole', () => {
      const b = new ResumeBuffer(4, 2);
      b.push(Buffer.from([1, 2]));
      b.push(Buffer.from([3, 4]));
      expect(b.size).to.equal(4);
      expect(b.overflowed).to.equal(0);
      expect(b.start).to.equal(0);
      b.dropTo(2);
      expect(b.contents()).to.deep.equal([Buffer.from([3, 4])]);
      b.dropTo(2);
      expect(b.contents()).to.deep.equal([Buffer.from([3, 4])]);
    });

    it('stays within its bound, counting what it had to drop', () => {
      const b = new ResumeBuffer(4, 2);
      b.push(Buffer.from([1, 2, 3]));
      b.push(Buffer.from([4, 5, 6]));
      expect(b.size).to.be.at.most(4);
      expect(b.overflowed).to.be.greaterThan(0);
      expect(Buffer.concat(b.contents()).at(-1)).to.equal(6);
    });

    it('keeps a copy of what it keeps: the caller may refill its buffer, even one over the bound', () => {
      const b = new ResumeBuffer(4, 2);
      const reused = Buffer.from([1, 2, 3, 4, 5, 6]);
      b.push(reused);
      reused.fill(0);
      expect(b.contents()).to.deep.equal([Buffer.from([3, 4, 5, 6])]);
      reused.set([7, 8]);
      b.push(reused.subarray(0, 2));
      reused.fill(9);
      expect(Buffer.concat(b.contents())).to.deep.equal(Buffer.from([5, 6, 7, 8]));
    });

    it('hands back the copy it kept, for saveAudio to share; nothing when it keeps nothing', () => {
      const b = new ResumeBuffer(4, 2);
      const chunk = Buffer.from([1, 2]);
      const copy = b.push(chunk);
      expect(copy).to.deep.equal(chunk);
      expect(copy).not.to.equal(chunk);
      expect(b.contents()[0]).to.equal(copy);
      expect(new ResumeBuffer(0, 2).push(chunk)).to.equal(undefined);
    });

    it('shifts timestamps and converts ms to whole-frame byte positions', () => {
      expect(shiftToken({ text: 'a', start_ms: 10, end_ms: 20, is_final: true }, 100)).to.include({
        start_ms: 110,
        end_ms: 120,
      });
      const t = { text: 'a', is_final: true };
      expect(shiftToken(t, 0)).to.equal(t);
      expect(shiftToken(t, 5)).to.deep.equal(t);
      expect(msToBytes(1000, 32, 2)).to.equal(32_000);
      expect(msToBytes(0.55, 32, 2)).to.equal(16);
    });
  });

  describe('against the mock server', () => {
    const t = testFixture({ mock: { realtimePacing: false } });
    const audio = fixture('two-phrases.wav');
    const reconnect = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

    async function baseline(): Promise<RealtimeToken[]> {
      const client = t.clientWith();
      const tokens = await run(client.realtime({ ...PCM, tokens: 'final' }), audio.pcm);
      return tokens;
    }

    it('survives one drop: the same final tokens, continuous timestamps, none twice', async () => {
      const expected = await baseline();
      t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 2500, times: 1 }] });
      const client = t.clientWith();
      const stream = client.realtime({ ...PCM, tokens: 'final', reconnect });
      const events: ReconnectEvent[] = [];
      stream.on('reconnect', (e: ReconnectEvent) => events.push(e));
      const tokens = await run(stream, audio.pcm);
      expect(events.map((e) => e.attempt)).to.deep.equal([1]);
      expect(events[0]!.error.closeCode).to.equal(1006);
      expect(tokens).to.deep.equal(expected);
      expect(stream.transcript).to.equal('good morning how are you');
      expect(t.server.state.hits['WS /transcribe-websocket']).to.equal(3);
    });

    it('survives two failures (a drop, then a 503) within maxAttempts', async () => {
      const expected = await baseline();
      t.server.setFaults({
        ws: [
          { abruptClose: true, afterAudioMs: 1000, times: 1 },
          { errorCode: 503, afterAudioMs: 1500, times: 1 },
        ],
      });
      const client = t.clientWith();
      let keys = 0;
      const stream = client.realtime({
        ...PCM,
        tokens: 'final',
        reconnect: { ...reconnect, getApiKey: () => (keys++, t.server.apiKey) },
      });
      const attempts: number[] = [];
      stream.on('reconnect', (e: ReconnectEvent) => attempts.push(e.attempt));
      const tokens = await run(stream, audio.pcm);
      expect(attempts).to.deep.equal([1, 2]);
      expect(keys).to.equal(3);
      expect(tokens.map((t) => [t.text, t.start_ms])).to.deep.equal(
        expected.map((t) => [t.text, t.start_ms]),
      );
    });

    it('fails with the last error past maxAttempts', async () => {
      t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 500 }] });
      const client = t.clientWith();
      const stream = client.realtime({ ...PCM, reconnect });
      let attempts = 0;
      stream.on('reconnect', () => attempts++);
      stream.resume();
      stream.write(audio.pcm);
      const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [
        SonioxWebSocketError,
      ];
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.closeCode).to.equal(1006);
      expect(attempts).to.equal(2);
    });

    it('does not reconnect after a non-retryable error', async () => {
      t.server.setFaults({ ws: [{ errorCode: 402, afterAudioMs: 100 }] });
      const client = t.clientWith();
      const stream = client.realtime({ ...PCM, reconnect });
      let attempts = 0;
      stream.on('reconnect', () => attempts++);
      stream.resume();
      stream.write(audio.pcm);
      const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [
        SonioxWebSocketError,
      ];
      expect(error.serverCode).to.equal(402);
      expect(attempts).to.equal(0);
    });
  });
});

describe('realtime/reconnect: a source that reuses its buffer', () => {
  const t = testFixture();

  it('replays the bytes as they were written, not what the buffer holds by the reconnect', async () => {
    const FRAME = 640;
    // What each session received, in order.
    const received: Buffer[][] = [[], []];
    const server = await scriptedServer((ws, index) => {
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) received[index]?.push(Buffer.from(data));
      });
      if (index > 0)
        onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('hi', 0)], finished: true }));
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    // saveAudio too: it shares the replay's copy of each chunk, so it must hold the same.
    const sink = new PassThrough();
    const saved: Buffer[] = [];
    sink.on('data', (part: Buffer) => saved.push(part));
    const stream = client.realtime({
      ...PCM,
      pacing: false,
      reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      saveAudio: sink,
    });
    t.defer(() => stream.destroy());
    stream.resume();
    // One buffer, refilled once each write's callback came: a capture loop's frames.
    const frame = Buffer.alloc(FRAME);
    const written: Buffer[] = [];
    const write = async (value: number) => {
      frame.fill(value);
      written.push(Buffer.from(frame));
      await new Promise<void>((resolve, reject) =>
        stream.write(frame, (error) => (error ? reject(error) : resolve())),
      );
    };
    for (let i = 1; i <= 4; i++) await write(i);
    await until(() => Buffer.concat(received[0] as Buffer[]).length === 4 * FRAME);
    // Nothing finalized: the whole of it is replayed to the next session.
    server.peers[0]?.terminate();
    for (let i = 5; i <= 8; i++) await write(i);
    stream.end();
    await once(stream, 'end');
    expect(Buffer.concat(received[1] as Buffer[])).to.deep.equal(Buffer.concat(written));
    expect(Buffer.concat(saved).subarray(44)).to.deep.equal(Buffer.concat(written));
  });
});

describe('realtime/reconnect: replay alignment per format', () => {
  it('cuts the replay of stereo 16-bit audio only on whole 4-byte frames', () => {
    const stereo = new ResumeBuffer(1000, 4);
    stereo.push(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    stereo.dropTo(6);
    expect(stereo.start).to.equal(4);
    expect(Buffer.concat(stereo.contents())[0]).to.equal(4);
    // 1 ms of 16 kHz stereo s16 is 64 bytes; 0.9 ms rounds down to 56 (14 whole frames).
    expect(msToBytes(0.9, 64, 4)).to.equal(56);
  });

  it('cuts mu-law audio on any byte, and keeps the newest bytes of a full buffer on frame boundaries', () => {
    const mulaw = new ResumeBuffer(1000, 1);
    mulaw.push(Buffer.from([1, 2, 3, 4, 5]));
    mulaw.dropTo(3);
    expect(mulaw.start).to.equal(3);
    const full = new ResumeBuffer(8, 4);
    full.push(Buffer.alloc(6, 1));
    full.push(Buffer.alloc(6, 2));
    expect(full.start % 4).to.equal(0);
    expect(full.size).to.be.at.most(8);
  });
});

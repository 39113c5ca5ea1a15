/**
 * Real-time pacing in the library, under fake timers (setTimeout and Date; file and socket I/O
 * stay real): a file piped in goes at its audio time (at most LEAD_MS + one slice ahead of the
 * wall clock, never behind while the file keeps up), a live source is never delayed, `pacing`
 * turns it on for other sources and off, and backpressure still bounds what is read ahead.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SonioxClient } from '../../lib/client';
import { SonioxValidationError } from '../../lib/errors';
import { LEAD_MS, SLICE_MS } from '../../lib/realtime/pacer';
import type { RealtimeStream, RealtimeStreamConfig } from '../../lib/realtime/stream';
import { PCM, fixture as audioFixture } from '../audio';
import { SECRET_KEY, fixture, until } from '../helpers';
import { onEndOfAudio, scriptedServer, sendJson, type ScriptedServer } from './scripted-server';

const RATE = 32_000; // 16 kHz s16le mono, bytes per second

describe('realtime pacing (fake timers)', () => {
  // Timers and Date are fake; file and socket I/O (and setImmediate, which until() turns on) stay real.
  const t = fixture({ clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] } });
  let server: ScriptedServer;
  let tmp: string;
  /** The size of each audio frame the server received, in order. */
  let frames: number[];
  beforeEach(async () => {
    frames = [];
    server = await scriptedServer((ws) => {
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) frames.push(data.length);
      });
      onEndOfAudio(ws, () => sendJson(ws, { tokens: [], finished: true }));
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-pacing-'));
    t.defer(() => server.close());
    t.defer(() => fs.rmSync(tmp, { recursive: true, force: true }));
  });

  function open(config: RealtimeStreamConfig = {}): RealtimeStream {
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream = client.realtime(config);
    stream.resume();
    t.defer(() => stream.destroy());
    return stream;
  }
  /** Lets real I/O (file reads, socket writes) run between fake ticks. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const file = (name: string, bytes: Buffer) => {
    const at = path.join(tmp, name);
    fs.writeFileSync(at, bytes);
    return at;
  };

  /**
   * Ticks the fake clock in slices and checks, after each, that the audio sent is at most
   * LEAD_MS + one slice ahead of the wall clock and not behind it; returns the ms it took.
   */
  async function followPace(stream: RealtimeStream, total: number, rate: number): Promise<number> {
    await until(() => stream.audioBytesSent > 0);
    let wall = 0;
    let maxLead = -Infinity;
    while (stream.audioBytesSent < total) {
      await settle();
      // The fake clock runs far faster than the real file reads and socket callbacks the pacer
      // waits on; on a loaded machine they can lag a few fake ticks. Give them real time (not
      // fake time: the pacer cannot send ahead meanwhile) to reach the wall clock's audio, then
      // judge. A pacer that stalls still fails "behind" once this gives up.
      const due = Math.min(total, Math.ceil((wall * rate) / 1000));
      await until(() => stream.audioBytesSent >= due, 2000).catch(() => undefined);
      const aheadMs = (stream.audioBytesSent / rate) * 1000 - wall;
      maxLead = Math.max(maxLead, aheadMs);
      expect(aheadMs, `at ${wall} ms`).to.be.at.most(LEAD_MS + SLICE_MS + 2);
      expect(aheadMs, `behind at ${wall} ms`).to.be.at.least(0);
      await t.clock.tickAsync(SLICE_MS);
      wall += SLICE_MS;
      if (wall > 60_000) throw new Error('never sent everything');
    }
    expect(maxLead).to.be.at.least(LEAD_MS);
    return wall;
  }

  it('paces a WAV file piped in with no option at its audio time, within the stated lead', async () => {
    const audio = audioFixture('hello-world.wav');
    const stream = open();
    fs.createReadStream(audio.path).pipe(stream);
    const took = await followPace(stream, audio.wav.length, RATE);
    expect(stream.pacingRate).to.equal(RATE);
    expect(took).to.be.within(audio.duration_ms - LEAD_MS - SLICE_MS, audio.duration_ms);
  });

  it("paces a WAV file piped in with audio_format: 'wav' from its header's byte rate", async () => {
    const audio = audioFixture('hello-world.wav');
    const stream = open({ audio_format: 'wav' });
    fs.createReadStream(audio.path).pipe(stream);
    await followPace(stream, audio.wav.length, RATE);
    expect(stream.pacingRate).to.equal(RATE);
  });

  it('paces a raw PCM file from the byte rate of its format, in slices of whole samples', async () => {
    const audio = audioFixture('hello-world.wav');
    const pcm = file('a.pcm', audio.pcm);
    const stream = open({ ...PCM });
    fs.createReadStream(pcm).pipe(stream);
    await followPace(stream, audio.pcm.length, RATE);
    expect(stream.pacingRate).to.equal(RATE);
  });

  it("sends a file in whole slices: a read chunk's short tail joins the next chunk's head, and the last bytes go before end-of-audio", async () => {
    // 97 000 bytes read as 65 536 + 31 464: unjoined, each chunk would end in a short frame.
    const total = 3 * RATE + 1000;
    const pcm = file('c.pcm', Buffer.alloc(total));
    // Room for both chunks, and both read before the fake clock moves: the join must not hang
    // on a real file read racing fake time (a tail whose next chunk is late goes alone, by
    // design, at its own time).
    const stream = open({ ...PCM, highWaterMark: 128 * 1024 });
    const finished = once(stream, 'finished');
    const source = fs.createReadStream(pcm);
    source.pipe(stream);
    await until(() => source.bytesRead === total);
    await followPace(stream, total, RATE);
    await finished;
    expect(frames).to.deep.equal([...Array<number>(30).fill(3200), 1000]);
  });

  it('never delays a live source (a stream that is not a file): a burst goes out at once', async () => {
    const stream = open({ ...PCM });
    const live = new PassThrough();
    live.pipe(stream);
    live.write(Buffer.alloc(3 * RATE));
    await until(() => stream.audioBytesSent === 3 * RATE);
    expect(stream.pacingRate).to.equal(undefined);
  });

  it('paces a Buffer source with pacing: true, and sends a file as read with pacing: false', async () => {
    const audio = audioFixture('hello-world.wav');
    const paced = open({ ...PCM, pacing: true });
    Readable.from([audio.pcm]).pipe(paced);
    await followPace(paced, audio.pcm.length, RATE);

    const unpaced = open({ ...PCM, pacing: false });
    fs.createReadStream(file('b.pcm', audio.pcm)).pipe(unpaced);
    await until(() => unpaced.audioBytesSent === audio.pcm.length);
    expect(unpaced.pacingRate).to.equal(undefined);
  });

  it('keeps backpressure while pacing: the file is read only a buffer or two ahead of what was sent', async () => {
    const tenSeconds = file('long.pcm', Buffer.alloc(10 * RATE));
    const stream = open({ ...PCM, highWaterMark: 16 * 1024 });
    const source = fs.createReadStream(tenSeconds, { highWaterMark: 16 * 1024 });
    source.pipe(stream);
    await until(() => stream.audioBytesSent > 0);
    for (let i = 0; i < 5; i++) {
      await settle();
      expect(source.bytesRead - stream.audioBytesSent).to.be.at.most(3 * 16 * 1024);
      await t.clock.tickAsync(1000);
    }
    expect(stream.audioBytesSent).to.be.below(10 * RATE);
  });

  it('paces audio without a byte rate at the one given as pacing: { bytesPerSecond }', async () => {
    const stream = open({ audio_format: 'mp3', pacing: { bytesPerSecond: 16_000 } });
    stream.end(Buffer.alloc(16_000 * 2));
    await followPace(stream, 32_000, 16_000);
  });

  it('sends a compressed file piped in as read (no byte rate to pace it by), and says so', async () => {
    const mp3 = file('a.mp3', Buffer.alloc(64_000, 7));
    const stream = open({ audio_format: 'mp3' });
    fs.createReadStream(mp3).pipe(stream);
    await until(() => stream.audioBytesSent === 64_000);
    expect(stream.pacingRate).to.equal(undefined);
  });

  it('refuses pacing: true for audio without a byte rate, naming the options that would do', async () => {
    const named = open({ audio_format: 'ogg', pacing: true });
    const [error] = await new Promise<[Error]>((resolve) => named.on('error', (e) => resolve([e])));
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.match(
      /cannot pace ogg audio.*pacing: \{ bytesPerSecond \}.*pacing: false/,
    );

    const sniffed = open({ audio_format: 'auto', pacing: true });
    const failed = new Promise<Error>((resolve) => sniffed.on('error', resolve));
    sniffed.write(Buffer.from('ID3 this is no WAV header'));
    expect((await failed).message).to.match(/cannot pace audio that is not WAV/);
    expect(sniffed.audioBytesSent).to.equal(0);
    const zero = open({ ...PCM, pacing: { bytesPerSecond: 0 } });
    const [bad] = await new Promise<[Error]>((resolve) => zero.on('error', (e) => resolve([e])));
    expect(bad.message).to.match(/pacing must be true, false or \{ bytesPerSecond \}/);
  });

  it('destroyed while a slice waits for its time: the write fails, no timer is left', async () => {
    const stream = open({ ...PCM, pacing: true });
    const written = new Promise<Error | null | undefined>((resolve) =>
      stream.write(Buffer.alloc(5 * RATE), resolve),
    );
    await until(() => stream.audioBytesSent > 0);
    stream.destroy();
    expect(await written).to.be.instanceOf(Error);
    expect(t.clock.countTimers()).to.equal(0);
  });
});

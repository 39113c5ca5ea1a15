/**
 * `saveAudio`: the audio a session sent, kept as a WAV whose timeline is the tokens' (raw formats
 * get a header, its sizes patched as the stream closes), each byte once even across a reconnect's
 * replay. Against scripted loopback servers.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseWav } from '../../lib/audio';
import { SonioxClient } from '../../lib/client';
import { SonioxError } from '../../lib/errors';
import {
  WavRecorder,
  saveAudioIssues,
  toWavSamples,
  wavFormatOf,
} from '../../lib/realtime/save-audio';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeStreamConfig } from '../../lib/realtime/protocol';
import type { RealtimeToken } from '../../lib/types';
import { DEFAULT_BEFORE_CAP_MS, SESSION_CAP_MS } from '../../lib/realtime/rollover';
import { PCM, chunked, fixture as audioFixture } from '../audio';
import { SECRET_KEY, fixture, settle, until } from '../helpers';
import { onEndOfAudio, scriptedServer, sendJson, tok, type Script } from './scripted-server';

/** 1 s of 16 kHz s16le mono whose every frame is distinct (a duplicated stretch shows). */
function ramp(bytes = 32_000): Buffer {
  const audio = Buffer.alloc(bytes);
  for (let i = 0; i < bytes / 2; i++) audio.writeInt16LE((i * 7) % 30_000, i * 2);
  return audio;
}

describe('realtime saveAudio', () => {
  const t = fixture();
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-save-'));
    t.defer(() => fs.rmSync(tmp, { recursive: true, force: true }));
  });

  async function open(script: Script, config: RealtimeStreamConfig): Promise<RealtimeStream> {
    const server = await scriptedServer(script);
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream = client.realtime({ pacing: false, ...config });
    t.defer(() => stream.destroy());
    return stream;
  }
  const finishes: Script = (ws) =>
    onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('hi', 0)], finished: true }));

  async function drain(stream: RealtimeStream, audio: Buffer): Promise<RealtimeToken[]> {
    const tokens: RealtimeToken[] = [];
    chunked(audio, 640).pipe(stream);
    for await (const token of stream) tokens.push(token);
    if (!stream.closed) await once(stream, 'close');
    return tokens;
  }

  it('writes raw PCM as a WAV, its sizes patched by the time the stream closes', async () => {
    const file = path.join(tmp, 'call.wav');
    const audio = ramp();
    await drain(await open(finishes, { ...PCM, saveAudio: file }), audio);
    const saved = fs.readFileSync(file);
    const info = parseWav(saved);
    expect(info).to.include({ audioFormat: 1, sampleRate: 16000, numChannels: 1 });
    expect(info).to.include({ bitsPerSample: 16, dataOffset: 44, dataSize: audio.length });
    expect(saved.readUInt32LE(4)).to.equal(36 + audio.length);
    expect(saved.subarray(44)).to.deep.equal(audio);
  });

  it('keeps each byte once across a reconnect replay: the file is the audio written', async () => {
    const file = path.join(tmp, 'dropped.wav');
    const audio = ramp();
    let received = 0;
    const stream = await open(
      (ws, index) => {
        if (index === 0)
          ws.on('message', (data: Buffer, isBinary) => {
            if (!isBinary) return;
            received += data.length;
            // 400 ms final, then the socket dies: the replay resends what came after it.
            if (received >= 16_000 && received - data.length < 16_000) {
              sendJson(ws, {
                tokens: [tok('one', 0, { end_ms: 400 })],
                final_audio_proc_ms: 400,
                total_audio_proc_ms: 400,
              });
              setTimeout(() => ws.terminate(), 20);
            }
          });
        else finishes(ws, index);
      },
      { ...PCM, saveAudio: file, reconnect: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
    );
    const tokens = await drain(stream, audio);
    expect(tokens.map((x) => x.text.trim())).to.deep.equal(['one', 'hi']);
    // The second session's 0 is the first byte replayed: the file's timeline is the tokens'.
    const replayStartMs = tokens[1]!.start_ms as number;
    expect(replayStartMs).to.be.at.least(400);
    const saved = fs.readFileSync(file);
    expect(parseWav(saved)?.dataSize).to.equal(audio.length);
    expect(saved.subarray(44)).to.deep.equal(audio);
  });

  it('writes to a Writable, a header for a stream of unknown length, and ends it', async () => {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (part: Buffer) => parts.push(part));
    const audio = Buffer.alloc(1600, 0x7f);
    const ended = once(sink, 'end');
    await drain(
      await open(finishes, {
        audio_format: 'mulaw',
        sample_rate: 8000,
        num_channels: 1,
        saveAudio: sink,
      }),
      audio,
    );
    await ended;
    const saved = Buffer.concat(parts);
    const info = parseWav(saved);
    expect(info).to.include({ audioFormat: 7, sampleRate: 8000, bitsPerSample: 8 });
    expect(info?.dataSize).to.equal(undefined);
    expect(saved.subarray(44)).to.deep.equal(audio);
  });

  it('saves a container as it was sent, with no header of its own', async () => {
    const file = path.join(tmp, 'as-sent.ogg');
    const audio = Buffer.from('OggS-not-really-ogg-but-bytes');
    await drain(await open(finishes, { audio_format: 'ogg', saveAudio: file }), audio);
    expect(fs.readFileSync(file)).to.deep.equal(audio);
  });

  it('fails the stream with an SDK error naming the path when the file cannot be written', async () => {
    const file = path.join(tmp, 'no-such-dir', 'x.wav');
    const stream = await open(finishes, { ...PCM, saveAudio: file });
    stream.write(Buffer.alloc(640));
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error).to.be.instanceOf(SonioxError);
    expect(error.message).to.include('saveAudio').and.include('x.wav');
    expect(error.message).not.to.include(SECRET_KEY);
  });

  // /dev/full opens, then fails every write with ENOSPC: a disk that filled up. Linux only.
  const FULL = '/dev/full';
  for (const [what, shape] of [
    ['the header (raw audio)', PCM],
    ['the audio (a container, no header)', { audio_format: 'ogg' }],
  ] as const)
    it(`fails once, naming the path, when the disk is full at ${what}; close still settles`, async function () {
      if (!fs.existsSync(FULL)) this.skip(); // no /dev/full (not Linux): no full disk to ask for
      const failures: Error[] = [];
      const recorder = new WavRecorder(FULL, shape, (e) => failures.push(e));
      recorder.write(Buffer.alloc(640, 1));
      await until(() => failures.length > 0);
      recorder.write(Buffer.alloc(640, 2));
      await recorder.close();
      expect(failures.map((e) => e.message)).to.deep.equal([
        `saveAudio: cannot write the audio to ${FULL}: ENOSPC: no space left on device, write`,
      ]);
      expect(failures[0]).to.be.instanceOf(SonioxError);
    });

  it('refuses a saveAudio that is neither a path nor a Writable', async () => {
    const stream = await open(finishes, { ...PCM, saveAudio: 42 as never });
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error.message).to.include('saveAudio');
  });

  it('takes a non-empty path or a Writable, nothing else that merely has a write()', () => {
    const refused = [{ field: 'saveAudio', message: 'must be a file path or a Writable' }];
    expect(saveAudioIssues(undefined)).to.deep.equal([]);
    expect(saveAudioIssues('call.wav')).to.deep.equal([]);
    expect(saveAudioIssues(new PassThrough())).to.deep.equal([]);
    expect(saveAudioIssues('')).to.deep.equal(refused);
    expect(saveAudioIssues({ write: () => true })).to.deep.equal(refused);
    expect(saveAudioIssues(null)).to.deep.equal(refused);
  });

  it('fails once, naming its Writable, when the Writable fails; the audio after it is not written', () => {
    const sink = new PassThrough();
    const failures: Error[] = [];
    const recorder = new WavRecorder(sink, { audio_format: 'ogg' }, (e) => failures.push(e));
    recorder.write(Buffer.from([1]));
    sink.emit('error', new Error('disk full'));
    sink.emit('error', new Error('still full'));
    recorder.write(Buffer.from([2]));
    expect(failures.map((e) => e.message)).to.deep.equal([
      'saveAudio: cannot write the audio to its Writable: disk full',
    ]);
    expect(failures[0]).to.be.instanceOf(SonioxError);
    expect((failures[0] as Error & { cause?: unknown }).cause).to.be.instanceOf(Error);
    expect(sink.read() as Buffer).to.deep.equal(Buffer.from([1]));
  });

  describe('WAV layout of each raw format', () => {
    it('names the WAV format code and sample size', () => {
      const at = (audio_format: string, num_channels = 1) =>
        wavFormatOf({ audio_format, sample_rate: 8000, num_channels });
      expect(at('mulaw')).to.deep.equal({
        audioFormat: 7,
        bitsPerSample: 8,
        sampleRate: 8000,
        numChannels: 1,
      });
      expect(at('alaw')).to.include({ audioFormat: 6, bitsPerSample: 8 });
      expect(at('pcm_f32le', 2)).to.include({ audioFormat: 3, bitsPerSample: 32, numChannels: 2 });
      expect(at('pcm_f64be')).to.include({ audioFormat: 3, bitsPerSample: 64 });
      expect(at('pcm_s24le')).to.include({ audioFormat: 1, bitsPerSample: 24 });
      expect(at('pcm_u8')).to.include({ audioFormat: 1, bitsPerSample: 8 });
      expect(at('wav')).to.equal(undefined);
      expect(at('auto')).to.equal(undefined);
      expect(wavFormatOf({ audio_format: 'pcm_s16le' })).to.equal(undefined);
      // Either figure missing: no header could say it.
      expect(wavFormatOf({ audio_format: 'pcm_s16le', sample_rate: 8000 })).to.equal(undefined);
      expect(wavFormatOf({ audio_format: 'pcm_s16le', num_channels: 1 })).to.equal(undefined);
    });

    it('turns samples into what WAV holds: little-endian, 8-bit unsigned, wider signed', () => {
      const bytes = Buffer.from([0x01, 0x02, 0x83, 0x04]);
      expect(toWavSamples(bytes, 'pcm_s16le')).to.equal(bytes);
      expect(toWavSamples(bytes, 'mulaw')).to.equal(bytes);
      expect(toWavSamples(bytes, 'pcm_u8')).to.equal(bytes);
      // One byte a sample has no byte order: 8-bit "big-endian" is WAV's layout already.
      expect(toWavSamples(bytes, 'pcm_u8be')).to.equal(bytes);
      expect(toWavSamples(bytes, 'pcm_s8be')).to.deep.equal(Buffer.from([0x81, 0x82, 0x03, 0x84]));
      expect(toWavSamples(bytes, 'pcm_s16be')).to.deep.equal(Buffer.from([2, 1, 4, 0x83]));
      expect(toWavSamples(bytes, 'pcm_s8')).to.deep.equal(Buffer.from([0x81, 0x82, 0x03, 0x84]));
      expect(toWavSamples(bytes, 'pcm_u16le')).to.deep.equal(Buffer.from([1, 0x82, 0x83, 0x84]));
      expect(toWavSamples(bytes, 'pcm_u16be')).to.deep.equal(Buffer.from([2, 0x81, 4, 3]));
      const wide = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(toWavSamples(wide, 'pcm_f32be')).to.deep.equal(Buffer.from([4, 3, 2, 1, 8, 7, 6, 5]));
      expect(toWavSamples(wide.subarray(0, 6), 'pcm_s24be')).to.deep.equal(
        Buffer.from([3, 2, 1, 6, 5, 4]),
      );
      expect(toWavSamples(wide.subarray(0, 6), 'pcm_u24be')).to.deep.equal(
        Buffer.from([3, 2, 0x81, 6, 5, 0x84]),
      );
      expect(toWavSamples(wide, 'pcm_f64be')).to.deep.equal(Buffer.from([8, 7, 6, 5, 4, 3, 2, 1]));
      expect(toWavSamples(bytes, 'pcm_s16be')).not.to.equal(bytes);
      expect(bytes).to.deep.equal(Buffer.from([0x01, 0x02, 0x83, 0x04]));
    });

    it('keeps what was written even when the caller reuses its buffer afterwards', async () => {
      const file = path.join(tmp, 'reused.wav');
      const sink = new PassThrough();
      const parts: Buffer[] = [];
      sink.on('data', (part: Buffer) => parts.push(part));
      const toFile = new WavRecorder(file, PCM, () => undefined);
      const toSink = new WavRecorder(sink, { audio_format: 'ogg' }, () => undefined);
      const reused = Buffer.from([1, 2, 3, 4]);
      toFile.write(reused);
      toSink.write(reused);
      reused.fill(0);
      toFile.write(Buffer.from([5, 6]));
      await Promise.all([toFile.close(), toSink.close()]);
      toFile.write(Buffer.from([7, 8]));
      expect(fs.readFileSync(file).subarray(40)).to.deep.equal(
        Buffer.from([6, 0, 0, 0, 1, 2, 3, 4, 5, 6]),
      );
      expect(Buffer.concat(parts)).to.deep.equal(Buffer.from([1, 2, 3, 4]));
    });

    it('writes big-endian samples as WAV holds them, little-endian, after its header', () => {
      const sink = new PassThrough();
      const shape = { audio_format: 'pcm_s16be', sample_rate: 8000, num_channels: 1 };
      const recorder = new WavRecorder(sink, shape, () => undefined);
      recorder.write(Buffer.from([1, 2, 3, 4]), Buffer.from([1, 2, 3, 4]));
      const saved = sink.read() as Buffer;
      expect(parseWav(saved)).to.include({ audioFormat: 1, bitsPerSample: 16, dataOffset: 44 });
      expect(saved.subarray(44)).to.deep.equal(Buffer.from([2, 1, 4, 3]));
    });

    it("uses the replay's copy of a chunk in place of its own, when it is the whole chunk", () => {
      const sink = new PassThrough();
      const recorder = new WavRecorder(sink, { audio_format: 'ogg' }, () => undefined);
      const chunk = Buffer.from([1, 2, 3, 4]);
      const copy = Buffer.from(chunk);
      recorder.write(chunk, copy);
      recorder.write(chunk, copy.subarray(2));
      chunk.fill(0);
      expect(sink.read(4) as Buffer).to.equal(copy);
      expect(sink.read(4) as Buffer).to.deep.equal(Buffer.from([1, 2, 3, 4]));
    });

    it('closes a recorder that never got audio as an empty, valid WAV', async () => {
      const file = path.join(tmp, 'empty.wav');
      const recorder = new WavRecorder(file, PCM, () => undefined);
      await recorder.close();
      const saved = fs.readFileSync(file);
      expect(saved.length).to.equal(44);
      expect(saved.readUInt32LE(40)).to.equal(0);
      expect(saved.readUInt32LE(4)).to.equal(36);
      await recorder.close();
    });
  });
});

/**
 * The WAV against the tokens' timeline across a hand-over (issue 29 item 5), on the mock: a
 * rollover (the next session's 0 is the hand-over point) and a reconnect's replay (its 0 is the
 * first byte replayed). The file must hold the audio written, once, in order, and end where
 * the tokens' timeline says the audio ends. Fake setTimeout and Date carry the 300-minute cap;
 * the sockets and the file are real.
 */
describe('realtime saveAudio across a rollover and a reconnect (the mock, fake time)', () => {
  const t = fixture({
    mock: { realtimePacing: false, realtimeIdleTimeoutMs: 2 ** 31 - 1 },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });
  const AUDIO = audioFixture('two-phrases.wav');
  /** The fixture's length in ms (16 kHz s16le mono: 32 bytes a ms). */
  const AUDIO_MS = AUDIO.pcm.length / 32;
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-save-'));
    t.defer(() => fs.rmSync(tmp, { recursive: true, force: true }));
  });
  const config = { ...PCM, tokens: 'final' as const, enable_endpoint_detection: true };

  /** The tokens of `stream`, read to its end, its 'close' (the WAV complete) awaited too. */
  async function readAll(stream: RealtimeStream, feed: () => void | Promise<void>) {
    const tokens: RealtimeToken[] = [];
    let done = false;
    let failure: unknown;
    const closed = once(stream, 'close');
    void (async () => {
      for await (const token of stream) tokens.push(token);
    })().then(
      () => (done = true),
      (error: unknown) => ((failure = error), (done = true)),
    );
    await feed();
    await settle(
      t.clock,
      until(() => done, 5000),
      60_000,
    );
    await settle(t.clock, closed, 60_000);
    expect(failure).to.equal(undefined);
    return tokens;
  }
  const lastEnd = (tokens: RealtimeToken[]) => Math.max(...tokens.map((x) => x.end_ms as number));
  /** The fixture alone, in one session: its tokens' end against its length. */
  async function single(): Promise<RealtimeToken[]> {
    const stream = t.client.realtime(config);
    return readAll(stream, () => {
      stream.end(AUDIO.pcm);
    });
  }
  /** The WAV's audio, its header checked, and its length in ms. */
  function saved(file: string): { data: Buffer; ms: number } {
    const wav = fs.readFileSync(file);
    const info = parseWav(wav);
    expect(info).to.include({ audioFormat: 1, sampleRate: 16000, numChannels: 1, dataOffset: 44 });
    expect(info?.dataSize).to.equal(wav.length - 44);
    const data = wav.subarray(44);
    return { data, ms: data.length / 32 };
  }

  it('across a rollover: the audio written once, in order, ending where the tokens say', async () => {
    const alone = await single();
    const file = path.join(tmp, 'rollover.wav');
    const stream = t.client.realtime({ ...config, rollover: {}, saveAudio: file });
    const rollovers: unknown[] = [];
    stream.on('rollover', (e) => rollovers.push(e));
    const tokens = await readAll(stream, async () => {
      stream.write(AUDIO.pcm);
      await settle(
        t.clock,
        until(() => stream.audioProcessed.finalMs >= lastEnd(alone), 5000),
      );
      // Past the rollover point: the next session takes the second copy.
      await t.clock.tickAsync(SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS);
      stream.write(AUDIO.pcm);
      stream.end();
    });
    expect(rollovers).to.have.length(1);
    expect(t.server.received.sessions.slice(-2).map((s) => s.audioBytes)).to.deep.equal([
      AUDIO.pcm.length,
      AUDIO.pcm.length,
    ]);
    expect(tokens).to.have.length(2 * alone.length);
    const { data, ms } = saved(file);
    expect(data.equals(Buffer.concat([AUDIO.pcm, AUDIO.pcm]))).to.equal(true);
    expect(ms).to.equal(2 * AUDIO_MS);
    // The last word ends as far from the file's end as it does from the fixture's alone.
    expect(ms - lastEnd(tokens)).to.be.closeTo(AUDIO_MS - lastEnd(alone), 1);
  });

  it('across a reconnect replay after a rollover: each byte once, on the tokens timeline', async () => {
    const alone = await single();
    const file = path.join(tmp, 'replayed.wav');
    const stream = t.client.realtime({
      ...config,
      rollover: {},
      reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      saveAudio: file,
    });
    const events: string[] = [];
    stream.on('rollover', () => events.push('rollover'));
    stream.on('reconnect', () => events.push('reconnect'));
    const tokens = await readAll(stream, async () => {
      stream.write(AUDIO.pcm);
      await settle(
        t.clock,
        until(() => stream.audioProcessed.finalMs >= lastEnd(alone), 5000),
      );
      // The next session drops 2 s into its audio: what it had not finalized is replayed.
      t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 2000, times: 1 }] });
      await t.clock.tickAsync(SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS);
      await settle(
        t.clock,
        until(() => events.length === 1, 5000),
      );
      stream.write(AUDIO.pcm);
      stream.end();
    });
    expect(events).to.deep.equal(['rollover', 'reconnect']);
    // The server got some of the second copy twice; the file, once.
    const sent = t.server.received.sessions.slice(-3).map((s) => s.audioBytes);
    expect(sent[1]! + sent[2]!).to.be.greaterThan(AUDIO.pcm.length);
    expect(tokens).to.have.length(2 * alone.length);
    const { data, ms } = saved(file);
    expect(data.equals(Buffer.concat([AUDIO.pcm, AUDIO.pcm]))).to.equal(true);
    expect(ms - lastEnd(tokens)).to.be.closeTo(AUDIO_MS - lastEnd(alone), 1);
  });

  it('across a reconnect replay alone: the file is the audio written, the tokens on its timeline', async () => {
    const alone = await single();
    const file = path.join(tmp, 'dropped.wav');
    // Mid-"good morning", nothing finalized: all of it replayed. (A replay that starts in the
    // fixture's 2 s pause gets the mock's placeholder words: it decides within 1 s of audio.)
    t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 800, times: 1 }] });
    const stream = t.client.realtime({
      ...config,
      reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      saveAudio: file,
    });
    let reconnects = 0;
    stream.on('reconnect', () => reconnects++);
    const tokens = await readAll(stream, () => {
      chunked(AUDIO.pcm).pipe(stream);
    });
    expect(reconnects).to.equal(1);
    const sent = t.server.received.sessions.slice(-2).map((s) => s.audioBytes);
    expect(sent[0]! + sent[1]!).to.be.greaterThan(AUDIO.pcm.length);
    expect(tokens.map((x) => [x.text, x.start_ms, x.end_ms])).to.deep.equal(
      alone.map((x) => [x.text, x.start_ms, x.end_ms]),
    );
    const { data, ms } = saved(file);
    expect(data.equals(AUDIO.pcm)).to.equal(true);
    expect(ms - lastEnd(tokens)).to.be.closeTo(AUDIO_MS - lastEnd(alone), 1);
  });
});

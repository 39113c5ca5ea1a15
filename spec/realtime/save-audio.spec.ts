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
import { PCM, chunked } from '../audio';
import { SECRET_KEY, fixture } from '../helpers';
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
    });

    it('turns samples into what WAV holds: little-endian, 8-bit unsigned, wider signed', () => {
      const bytes = Buffer.from([0x01, 0x02, 0x83, 0x04]);
      expect(toWavSamples(bytes, 'pcm_s16le')).to.equal(bytes);
      expect(toWavSamples(bytes, 'mulaw')).to.equal(bytes);
      expect(toWavSamples(bytes, 'pcm_u8')).to.equal(bytes);
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

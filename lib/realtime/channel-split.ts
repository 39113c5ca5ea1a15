/**
 * ChannelSplitStream (`channels: 'split'`): interleaved stereo audio (raw PCM with
 * `num_channels: 2`, or a stereo WAV) split into two mono realtime sessions, left (channel 0)
 * and right (channel 1), whose tokens come out labelled with their `channel` and, the final
 * ones, merged in time order (ChannelMerge). The usual contact-centre recording: agent on one
 * channel, customer on the other. It costs two sessions: each channel is billed as its own
 * stream of the whole duration.
 */
import { Duplex } from 'node:stream';
import { bytesPerSample, isRawAudioFormat, parseWav, type WavInfo } from '../audio';
import { SonioxValidationError } from '../errors';
import type { RealtimeToken } from '../types';
import { ChannelMerge, type ChannelToken } from './channel-merge';
import type { RealtimeStream, RealtimeStreamConfig } from './stream';

/** What `client.realtime({ ..., channels: 'split' })` takes: a stereo config, without the options that cannot be split. */
export type ChannelSplitConfig = Omit<RealtimeStreamConfig, 'markers' | 'saveAudio'> & {
  channels: 'split';
};

/** Opens one channel's mono session. */
export type OpenChannelSession = (config: RealtimeStreamConfig) => RealtimeStream;

/** The raw format of a WAV's samples; undefined when the realtime API has none for it. */
export function rawFormatOfWav(info: WavInfo): string | undefined {
  const { audioFormat, bitsPerSample } = info;
  if (audioFormat === 7 && bitsPerSample === 8) return 'mulaw';
  if (audioFormat === 6 && bitsPerSample === 8) return 'alaw';
  if (audioFormat === 3 && (bitsPerSample === 32 || bitsPerSample === 64))
    return `pcm_f${bitsPerSample}le`;
  if (audioFormat !== 1) return undefined;
  if (bitsPerSample === 8) return 'pcm_u8';
  return [16, 24, 32].includes(bitsPerSample) ? `pcm_s${bitsPerSample}le` : undefined;
}

/** Splits interleaved two-channel frames into the left and right samples. */
export function deinterleave(frames: Buffer, sampleBytes: number): [Buffer, Buffer] {
  const count = Math.floor(frames.length / (2 * sampleBytes));
  const left = Buffer.allocUnsafe(count * sampleBytes);
  const right = Buffer.allocUnsafe(count * sampleBytes);
  for (let i = 0; i < count; i++) {
    const at = i * 2 * sampleBytes;
    frames.copy(left, i * sampleBytes, at, at + sampleBytes);
    frames.copy(right, i * sampleBytes, at + sampleBytes, at + 2 * sampleBytes);
  }
  return [left, right];
}

type Callback = (error?: Error | null) => void;

/** The mono format of each channel's session. */
interface MonoFormat {
  audio_format: string;
  sample_rate: number;
}

const WAV_HEAD_LIMIT = 64 * 1024;

/** Stereo audio in, two mono sessions, labelled tokens out (see the file comment). */
export class ChannelSplitStream extends Duplex {
  private readonly config: RealtimeStreamConfig;
  private sessions: [RealtimeStream, RealtimeStream] | undefined;
  private readonly merge = new ChannelMerge((token) => {
    if (!this.push(token)) for (const session of this.sessions ?? []) session.pause();
  });
  /** Bytes of a WAV header still being read, or of a frame cut between writes. */
  private pending: Buffer = Buffer.alloc(0);
  private sampleBytes = 0;
  /** Whether the audio starts with a WAV header to read (a stereo WAV rather than raw PCM). */
  private readonly wav: boolean;
  /** Bytes of the WAV's data chunk still to come: what follows it is another chunk, not audio. */
  private dataLeft: number | undefined;

  /** `open` makes each channel's session; `client.realtime()` passes the client's. */
  constructor(
    config: ChannelSplitConfig,
    private readonly open: OpenChannelSession,
  ) {
    super({ readableObjectMode: true });
    const { channels: _split, ...rest } = config;
    this.config = rest as RealtimeStreamConfig;
    const format = rest.audio_format ?? 'auto';
    this.wav = format === 'wav' || format === 'auto';
    const problem = this.wav ? undefined : rawProblem(this.config);
    if (problem) process.nextTick(() => this.destroy(problem));
    else if (!this.wav)
      this.startSessions({ audio_format: format, sample_rate: rest.sample_rate as number });
  }

  /** Each channel's session (left, right), once the audio format is known. */
  get channelSessions(): readonly RealtimeStream[] {
    return this.sessions ?? [];
  }

  /** The final transcript so far of each channel (left, right). */
  get transcripts(): [string, string] {
    const [left, right] = this.sessions ?? [];
    return [left?.transcript ?? '', right?.transcript ?? ''];
  }

  private startSessions(format: MonoFormat): void {
    this.sampleBytes = bytesPerSample(format.audio_format);
    const open = (channel: 0 | 1) => {
      const mono = { ...this.config, ...format, num_channels: 1 } as RealtimeStreamConfig;
      const session = this.open(mono);
      session.on('data', (token: RealtimeToken) => this.merge.token(channel, token));
      // Once the result's tokens are all read, the channel is final as far as its server said.
      session.on('result', () =>
        queueMicrotask(() => {
          if (session.readableLength === 0) this.merge.progress(channel, session.finalizedAudioMs);
        }),
      );
      session.on('end', () => {
        this.merge.progress(channel, Infinity);
        if (this.sessions?.every((s) => s.readableEnded)) this.push(null);
      });
      session.on('error', (error: Error) => this.destroy(error));
      for (const event of ['endpoint', 'finalized'] as const)
        session.on(event, () => this.emit(event, channel));
      return session;
    };
    this.sessions = [open(0), open(1)];
  }

  /** @internal Node's Writable hook: input in. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    let audio: Buffer;
    if (!this.sessions) {
      const head = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
      const info = parseWav(head);
      if (!info) {
        this.pending = head;
        const tooLong = head.length > WAV_HEAD_LIMIT;
        return callback(tooLong ? splitError('needs raw PCM or a WAV header') : undefined);
      }
      const format = rawFormatOfWav(info);
      if (info.numChannels !== 2 || format === undefined)
        return callback(
          splitError('needs a stereo (two-channel) WAV of PCM, float, mu-law or A-law'),
        );
      this.startSessions({ audio_format: format, sample_rate: info.sampleRate });
      this.dataLeft = info.dataSize;
      audio = this.inData(head.subarray(info.dataOffset));
    } else {
      // The pending cut frame was counted as it came: only the chunk's bytes count now.
      const data = this.inData(chunk);
      audio = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    }
    const frame = 2 * this.sampleBytes;
    const whole = audio.length - (audio.length % frame);
    this.pending = Buffer.from(audio.subarray(whole));
    // Not a whole frame yet: nothing to send (an empty frame would mean end-of-audio to some).
    if (whole === 0) return callback();
    const [left, right] = deinterleave(audio.subarray(0, whole), this.sampleBytes);
    const [a, b] = this.sessions as [RealtimeStream, RealtimeStream];
    let waiting = 2;
    const done = (error?: Error | null) => {
      // The first error settles the write; the other channel's callback then does nothing.
      if (waiting === 0) return;
      waiting = error ? 0 : waiting - 1;
      if (waiting === 0) callback(error);
    };
    a.write(left, done);
    b.write(right, done);
  }

  /** The part of `bytes` inside the WAV's data chunk (all of it for raw audio or a WAV of unknown length). */
  private inData(bytes: Buffer): Buffer {
    if (this.dataLeft === undefined) return bytes;
    const kept = bytes.subarray(0, this.dataLeft);
    this.dataLeft -= kept.length;
    return kept;
  }

  /** @internal Node's Writable hook: end(). */
  override _final(callback: Callback): void {
    if (!this.sessions) this.push(null);
    for (const session of this.sessions ?? []) session.end();
    callback();
  }

  /** @internal Node's Readable hook: output pulled. */
  override _read(): void {
    for (const session of this.sessions ?? []) session.resume();
  }

  /** @internal Node's stream hook: destroy(). */
  override _destroy(error: Error | null, callback: Callback): void {
    for (const session of this.sessions ?? []) session.destroy();
    callback(error);
  }
}

/** The tokens a split stream yields. */
export type { ChannelToken };

/** What keeps raw audio of `config` from being split, if anything. */
function rawProblem(config: RealtimeStreamConfig): SonioxValidationError | undefined {
  const format = config.audio_format;
  if (!isRawAudioFormat(format))
    return splitError(`needs raw PCM or WAV audio, not "${String(format)}"`);
  if (config.num_channels !== 2) return splitError('needs num_channels: 2 (stereo)');
  return undefined;
}

function splitError(message: string): SonioxValidationError {
  return new SonioxValidationError(`channels: 'split' ${message}`, [
    { field: 'channels', message },
  ]);
}

/**
 * `saveAudio`: the audio a realtime session sent, kept as a WAV file. The stream hands every
 * chunk over once, as it first goes to the server (a reconnect's replay is not handed over
 * again), so the file's byte positions are the stream's clock, the one token times are on.
 * Raw formats get a 44-byte header (sizes patched on close for a path; a stream-of-unknown-length
 * header for a Writable, which cannot be rewound); containers are kept as sent, header included.
 */
import fs from 'node:fs/promises';
import { Stream, type Writable } from 'node:stream';
import { bytesPerSample, isRawAudioFormat, wavHeader, type WavFormat } from '../audio';
import { SonioxError, type FieldIssue } from '../errors';

/** Where `saveAudio` writes: a file path, or a Writable (ended as the stream closes). */
export type SaveAudioTarget = string | Writable;

/** The problem with a `saveAudio` option, if any: it takes a non-empty path or a Writable. */
export function saveAudioIssues(target: unknown): FieldIssue[] {
  if (target === undefined || (typeof target === 'string' && target !== '')) return [];
  const writable = target instanceof Stream && typeof (target as Writable).write === 'function';
  return writable ? [] : [{ field: 'saveAudio', message: 'must be a file path or a Writable' }];
}

/** The start-message fields that say what the audio is. */
export interface SavedAudioShape {
  audio_format?: string | undefined;
  sample_rate?: number | undefined;
  num_channels?: number | undefined;
}

/** The WAV format of a raw audio format; undefined for containers (kept as sent) or without rate and channels. */
export function wavFormatOf(shape: SavedAudioShape): Required<WavFormat> | undefined {
  const { audio_format: format, sample_rate: sampleRate, num_channels: numChannels } = shape;
  if (!isRawAudioFormat(format) || !sampleRate || !numChannels) return undefined;
  const bitsPerSample = bytesPerSample(format) * 8;
  // WAV's codes: 1 integer PCM, 3 IEEE float, 6 A-law, 7 mu-law.
  const audioFormat =
    format === 'mulaw' ? 7 : format === 'alaw' ? 6 : /^pcm_f/.test(format) ? 3 : 1;
  return { audioFormat, bitsPerSample, sampleRate, numChannels };
}

/**
 * `chunk` as a WAV holds it: WAV integer PCM is little-endian, unsigned at 8 bits and signed
 * above. Big-endian samples are swapped, signed 8-bit and unsigned wider ones have their sign
 * bit flipped. Formats already in WAV's layout come back as the same Buffer (no copy).
 */
export function toWavSamples(chunk: Buffer, format: string): Buffer {
  const width = bytesPerSample(format);
  const bigEndian = width > 1 && format.endsWith('be');
  const signed8 = width === 1 && /^pcm_s8/.test(format);
  const unsignedWide = width > 1 && /^pcm_u/.test(format);
  if (!bigEndian && !signed8 && !unsignedWide) return chunk;
  const out = Buffer.from(chunk);
  if (bigEndian) {
    if (width === 2) out.swap16();
    else if (width === 4) out.swap32();
    else if (width === 8) out.swap64();
    else for (let i = 0; i + width <= out.length; i += width) out.subarray(i, i + width).reverse();
  }
  // The sign bit is in the last (most significant) byte of each little-endian sample.
  if (signed8 || unsignedWide)
    for (let i = width - 1; i < out.length; i += width) out[i] = (out[i] as number) ^ 0x80;
  return out;
}

/** Writes the audio a stream sends to its `saveAudio` target (see the file comment). */
export class WavRecorder {
  private readonly format: Required<WavFormat> | undefined;
  private readonly audioFormat: string;
  /** Bytes of audio (header excluded) handed to the target. */
  private dataBytes = 0;
  /** Bytes of audio written to the file so far. */
  private written = 0;
  /** Chunks waiting for the file write in flight (path targets): written together, in order. */
  private pending: Buffer[] = [];
  /** The file's handle, the header written (path targets). */
  private readonly file: Promise<fs.FileHandle | undefined> | undefined;
  /** The write in flight to the file, if any. */
  private flushing: Promise<void> | undefined;
  private failed = false;
  private closing: Promise<void> | undefined;

  /** `onFailure` is told (once) when the target cannot be written. */
  constructor(
    private readonly target: SaveAudioTarget,
    shape: SavedAudioShape,
    private readonly onFailure: (error: SonioxError) => void,
  ) {
    this.format = wavFormatOf(shape);
    this.audioFormat = shape.audio_format ?? 'auto';
    const header = this.format ? wavHeader(this.format) : undefined;
    if (typeof target === 'string') {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path the user gave as saveAudio
      this.file = fs.open(target, 'w').then(
        (handle) => this.withHeader(handle, header),
        (error: unknown) => this.fail(error),
      );
    } else {
      target.on('error', (error) => this.fail(error));
      if (header) target.write(header);
    }
  }

  /**
   * The opened file, its header written; undefined (the failure told, the handle closed) when
   * the header cannot be: a write that rejected here went unheard, and close() never settled.
   */
  private async withHeader(
    handle: fs.FileHandle,
    header: Buffer | undefined,
  ): Promise<fs.FileHandle | undefined> {
    try {
      // Sizes of a stream of unknown length until close: a file cut short still plays.
      if (header) await handle.write(header, 0, 44, 0);
      return handle;
    } catch (error) {
      await handle.close().catch(() => undefined);
      return this.fail(error);
    }
  }

  /**
   * Keeps `chunk` (just sent to the server). `copy`, when given, is a copy of it no one writes
   * to (the replay buffer's): used in place of a copy of our own.
   */
  write(chunk: Buffer, copy?: Buffer): void {
    if (this.failed || this.closing) return;
    const converted = this.format ? toWavSamples(chunk, this.audioFormat) : chunk;
    // A copy when no conversion made one: the caller may reuse its buffer once its write is done.
    const shared = copy?.length === chunk.length ? copy : undefined;
    const samples = converted === chunk ? (shared ?? Buffer.from(chunk)) : converted;
    this.dataBytes += samples.length;
    if (typeof this.target !== 'string') {
      this.target.write(samples);
      return;
    }
    this.pending.push(samples);
    this.flushing ??= this.flush();
  }

  /** Writes the pending chunks to the file, one writev at a time, until none is left. */
  private async flush(): Promise<void> {
    const handle = await this.file;
    while (handle && !this.failed && this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        // Positional: the header's write (at 0) moved no file pointer.
        const start = (this.format ? 44 : 0) + this.written;
        this.written += (await handle.writev(batch, start)).bytesWritten;
      } catch (error) {
        this.fail(error);
      }
    }
    this.pending = [];
    this.flushing = undefined;
  }

  /** Finishes the file: the remaining audio written, the header's sizes patched, the handle closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (typeof this.target !== 'string') {
      this.target.end();
      return;
    }
    await this.flushing;
    const handle = await this.file;
    if (!handle) return;
    try {
      if (this.format && !this.failed) {
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(36 + this.dataBytes);
        await handle.write(sizes, 0, 4, 4);
        sizes.writeUInt32LE(this.dataBytes);
        await handle.write(sizes, 0, 4, 40);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      await handle.close();
    }
  }

  private fail(error: unknown): undefined {
    if (this.failed) return undefined;
    this.failed = true;
    const where = typeof this.target === 'string' ? this.target : 'its Writable';
    const reason = error instanceof Error ? error.message : String(error);
    this.onFailure(
      new SonioxError(`saveAudio: cannot write the audio to ${where}: ${reason}`, { cause: error }),
    );
    return undefined;
  }
}

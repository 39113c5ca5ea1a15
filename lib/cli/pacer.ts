/**
 * Sends audio at real-time pace. The realtime API expects audio at (near) real-time pace: a
 * file read at disk speed is a burst that can get the session dropped. The pacer slices what
 * it reads into 100 ms frames and lets each through when its audio time has come (at most
 * LEAD_MS ahead of the wall clock). Live audio (a microphone on stdin) is never ahead of the
 * clock, so it passes without delay.
 *
 * The byte rate comes from the raw format (`pcm_s16le` at 16 kHz mono: 32 000 bytes/s) or, for
 * `auto` and `wav`, from the WAV header of the first bytes. Other containers (mp3, ogg, ...)
 * have no fixed byte rate: they pass unpaced (`rate()` says so).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { parseWav } from '../mock/wav';
import { bytesPerSample } from '../types';

/** How far ahead of real time audio may be sent. */
export const LEAD_MS = 200;
const FRAME_MS = 100;

/** Audio bytes per second of a raw format, or undefined for containers. */
export function rawByteRate(
  format: string,
  sampleRate: number | undefined,
  channels: number | undefined,
): number | undefined {
  const bytes = bytesPerSample(format);
  return bytes > 0 && sampleRate && channels ? bytes * sampleRate * channels : undefined;
}

/** A Transform that passes audio at real-time pace (see the file comment). */
export class Pacer extends Transform {
  private start = 0;
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private sniffed: boolean;

  /**
   * @param byteRate bytes per second; undefined: read it from a WAV header in the first bytes
   * @param sniff whether a WAV header may carry the rate (formats `auto` and `wav`)
   */
  constructor(
    private byteRate: number | undefined,
    sniff: boolean,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.sniffed = byteRate !== undefined || !sniff;
  }

  /** Bytes per second it paces at, once known (undefined: unpaced). */
  get rate(): number | undefined {
    return this.byteRate;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.sniffed) {
      this.sniffed = true;
      this.byteRate = parseWav(chunk)?.byteRate;
    }
    if (!this.byteRate) {
      done(null, chunk);
      return;
    }
    if (this.start === 0) this.start = this.now();
    const frame = Math.max(1, Math.round((this.byteRate * FRAME_MS) / 1000));
    const slices: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += frame) slices.push(chunk.subarray(at, at + frame));
    this.sendSlices(slices, done);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }

  private sendSlices(slices: Buffer[], done: TransformCallback): void {
    while (slices.length) {
      const due = this.start + (this.sent / (this.byteRate as number)) * 1000 - LEAD_MS;
      const wait = due - this.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.sendSlices(slices, done), wait);
        return;
      }
      const slice = slices.shift() as Buffer;
      this.sent += slice.length;
      this.push(slice);
    }
    done();
  }
}

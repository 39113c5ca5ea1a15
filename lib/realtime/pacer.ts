/**
 * Real-time pacing of the audio a realtime stream sends. The realtime API expects audio at
 * (near) real-time pace: a file read at disk speed is a burst that can get the session dropped.
 * The pacer cuts each write into 100 ms slices and lets each go when its audio time has come,
 * at most LEAD_MS ahead of the wall clock (counted from when the first slice went). Audio that is not
 * ahead of the clock (a live source) goes at once, so pacing a live source never delays it.
 *
 * The byte rate comes from the raw format (`pcm_s16le` at 16 kHz mono: 32 000 bytes/s), from a
 * rate the caller gives, or, for `auto` and `wav`, from the WAV header in the first bytes.
 * Compressed containers (mp3, ogg, ...) have no fixed byte rate: the pacer cannot time them
 * (`bytesPerSecond` stays undefined), and the stream either sends them as read or, when pacing
 * was asked for explicitly, fails with an error that names the option to set.
 */
import { byteRate, isRawAudioFormat, looksLikeWav, parseWav } from '../audio';
import { SonioxValidationError } from '../errors';
import type { RealtimeStartMessage } from '../types';

/** How far ahead of real time audio may be sent, in ms. */
export const LEAD_MS = 200;
/** Audio per slice, in ms. */
export const SLICE_MS = 100;
/** A WAV header not complete within this many bytes is not one the pacer can use. */
const MAX_HEADER_BYTES = 64 * 1024;

/** Where the pacer's byte rate comes from. */
export interface PaceRate {
  /** Known up front (raw formats, or given by the caller). */
  bytesPerSecond?: number | undefined;
  /** Bytes of one sample frame: slices are cut on frames (default 1). */
  blockAlign?: number | undefined;
  /** Read it from a WAV header in the first bytes (`auto`, `wav`). */
  sniffWav?: boolean;
  /** Pacing was asked for explicitly: audio it cannot time is an error, not sent as read. */
  required?: boolean;
}

/** Why audio cannot be paced, and the options that would do. */
export function unpaceableMessage(what: string): string {
  return `cannot pace ${what} at real time: it has no fixed byte rate; give its average rate as pacing: { bytesPerSecond } (file size / duration), or send it as read with pacing: false`;
}

type Done = (error?: Error | null) => void;
/** Sends one slice now; calls back once the stream may take the next (its own backpressure). */
export type SendSlice = (slice: Buffer, done: Done) => void;

/** Paces the audio of one stream (see the file comment). */
export class Pacer {
  private rate: number | undefined;
  private block: number;
  private sniffing: boolean;
  private readonly required: boolean;
  private head: Buffer | undefined;
  private startedAt: number | undefined;
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Done | undefined;
  /** Bumped by cancel(): a slice's callback from before it is stale. */
  private generation = 0;
  /**
   * A write's last, short slice, ahead of its time: the next writes fill it up to a whole slice.
   * Its bytes are copied into `bytes` (a slice's room), once each: the caller may reuse its
   * buffer once its write called back, and small frames (20 ms) join without copying the tail
   * again for each. Its timer sends it at its own time: joining more audio does not move that
   * time (the audio before it is unchanged), so the timer is armed once per tail, not per write.
   */
  private tail:
    { bytes: Buffer; length: number; send: SendSlice; timer: NodeJS.Timeout } | undefined;
  /** A held tail went on its own (no write came in time) and its send has not called back. */
  private tailOut = false;
  /** The write or flush that came while the tail was out: run again once it is back. */
  private afterTail: (() => void) | undefined;
  /** The held tail's send failed: the next write or flush reports it. */
  private tailError: Error | undefined;

  constructor(
    from: PaceRate,
    private readonly now: () => number = Date.now,
  ) {
    this.rate = from.bytesPerSecond && from.bytesPerSecond > 0 ? from.bytesPerSecond : undefined;
    this.block = Math.max(1, from.blockAlign ?? 1);
    this.sniffing = this.rate === undefined && from.sniffWav === true;
    this.required = from.required === true;
  }

  /** Bytes per second it paces at; undefined while unknown or when the audio cannot be timed. */
  get bytesPerSecond(): number | undefined {
    return this.rate;
  }

  /** Whether the rate may still come (a WAV header not yet seen whole). */
  get undecided(): boolean {
    return this.sniffing;
  }

  /**
   * Passes `chunk` to `send` slice by slice, each when its audio time has come; `done` once the
   * last slice went (or was held as a tail, see flush), or with the first error `send` reports.
   * One chunk at a time (like _write).
   */
  write(chunk: Buffer, send: SendSlice, done: Done): void {
    if (this.waitForTail(done, () => this.write(chunk, send, done))) return;
    if (this.sniffing) this.sniff(chunk);
    if (this.rate === undefined) {
      if (this.required && !this.sniffing) {
        const message = unpaceableMessage('audio that is not WAV');
        done(new SonioxValidationError(message, [{ field: 'pacing', message }]));
        return;
      }
      this.sent += chunk.length;
      send(chunk, done);
      return;
    }
    const rate = this.rate;
    const size = Math.max(
      this.block,
      Math.round((rate * SLICE_MS) / 1000 / this.block) * this.block,
    );
    // A held tail and this chunk's first bytes make one slice (copying only this chunk's part).
    let first: Buffer | undefined;
    let at = 0;
    const tail = this.tail;
    if (tail) {
      at = Math.min(size - tail.length, chunk.length);
      chunk.copy(tail.bytes, tail.length, 0, at);
      tail.length += at;
      tail.send = send;
      first = tail.bytes.subarray(0, tail.length);
    }
    let went = false;
    this.pending = done;
    const generation = this.generation;
    const next = (error?: Error | null): void => {
      if (generation !== this.generation) return;
      // The clock starts once the first slice has gone (its send called back): a stream's first
      // write waits for the socket to open, and counting that wait as audio time would send
      // the audio of the whole handshake at once when it opens.
      if (went) this.startedAt ??= this.now();
      const length = first ? first.length : Math.min(size, chunk.length - at);
      if (error || length === 0) {
        this.pending = undefined;
        done(error);
        return;
      }
      // The first paced slice goes at once (the clock has not started).
      const wait =
        this.startedAt === undefined
          ? 0
          : this.startedAt + (this.sent / rate) * 1000 - LEAD_MS - this.now();
      if (wait > 0 && length < size) {
        // A short last slice ahead of its time: the next write's head would make it whole (one
        // frame, not two). Held until then, or until its own time if no write comes first.
        if (!first) this.holdTail(chunk.subarray(at), send, size, wait);
        this.pending = undefined;
        done();
        return;
      }
      // The held tail goes now (whole, or its time has come): it is no longer held.
      if (first && this.tail) {
        clearTimeout(this.tail.timer);
        this.tail = undefined;
      }
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          next();
        }, wait);
        return;
      }
      const slice = first ?? chunk.subarray(at, at + size);
      if (first) first = undefined;
      else at += slice.length;
      this.sent += slice.length;
      went = true;
      send(slice, next);
    };
    next();
  }

  /** Sends a held tail at its time, then calls `done`: the end of the audio (like _final). */
  flush(send: SendSlice, done: Done): void {
    if (this.waitForTail(done, () => this.flush(send, done))) return;
    if (!this.tail) {
      done();
      return;
    }
    // Its timer sends it at its time; this flush waits for that send as a write would.
    this.tail.send = send;
    this.pending = done;
    this.afterTail = () => this.flush(send, done);
  }

  /** Stops: the slice waiting for its time is dropped; returns the held write's callback, if any. */
  cancel(): Done | undefined {
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tail) clearTimeout(this.tail.timer);
    this.tail = undefined;
    this.tailOut = false;
    this.afterTail = undefined;
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  /**
   * Holds a copy of `bytes` as the tail, in a slice's room (`size`), to go at its own time
   * (`wait` ms) unless writes fill it first.
   */
  private holdTail(bytes: Buffer, send: SendSlice, size: number, wait: number): void {
    const room = Buffer.allocUnsafe(size);
    bytes.copy(room);
    const timer = setTimeout(() => this.sendTail(), wait);
    this.tail = { bytes: room, length: bytes.length, send, timer };
  }

  /** No write came before the held tail's time: it goes as a frame of its own. */
  private sendTail(): void {
    const tail = this.tail as NonNullable<Pacer['tail']>;
    this.tail = undefined;
    this.tailOut = true;
    this.sent += tail.length;
    const generation = this.generation;
    tail.send(tail.bytes.subarray(0, tail.length), (error) => {
      if (generation !== this.generation) return;
      this.tailOut = false;
      if (error) this.tailError = error;
      const after = this.afterTail;
      this.afterTail = undefined;
      after?.();
    });
  }

  /**
   * Whether a write or flush must wait: the held tail is still out (then `retry` runs once it is
   * back), or its send failed (then `done` gets that error).
   */
  private waitForTail(done: Done, retry: () => void): boolean {
    if (this.tailOut) {
      this.pending = done;
      this.afterTail = retry;
      return true;
    }
    const error = this.tailError;
    if (!error) return false;
    this.tailError = undefined;
    done(error);
    return true;
  }

  /** Looks for a WAV header across the first chunks; gives up at the first bytes that are not one. */
  private sniff(chunk: Buffer): void {
    this.head = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const wav = parseWav(this.head);
    if (wav) {
      this.rate = wav.byteRate;
      this.block = Math.max(1, (wav.numChannels * wav.bitsPerSample) / 8);
    }
    if (
      wav ||
      (this.head.length >= 4 && !looksLikeWav(this.head)) ||
      this.head.length > MAX_HEADER_BYTES
    ) {
      this.sniffing = false;
      this.head = undefined;
    }
  }
}

/**
 * The pacer of a stream's audio: at an explicit `bytesPerSecond`, at a raw format's byte rate
 * (`blockAlign` its frame), else at the rate a WAV header gives. `required` (pacing asked
 * for): audio it cannot time fails the stream; an explicit rate always can.
 */
export function pacerFor(
  start: RealtimeStartMessage,
  pacing: boolean | { bytesPerSecond: number } | undefined,
  frameBytes: number,
  required: boolean,
): Pacer {
  const format = start.audio_format ?? 'auto';
  if (typeof pacing === 'object') return new Pacer({ bytesPerSecond: pacing.bytesPerSecond });
  if (isRawAudioFormat(format))
    return new Pacer({
      bytesPerSecond: byteRate(format, start.sample_rate, start.num_channels),
      blockAlign: frameBytes,
    });
  return new Pacer({ sniffWav: format === 'wav' || format === 'auto', required });
}

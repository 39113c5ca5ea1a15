/**
 * What makes a reconnect lossless: a bounded buffer of the audio not yet finalized (to replay
 * to the next session), and the bookkeeping that shifts the next session's timestamps and drops
 * final tokens already delivered.
 */
import type { RealtimeToken } from '../types';

/** Audio sent since the last finalized point, bounded. Positions are in bytes from the stream start. */
export class ResumeBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Stream position of the first byte kept. */
  start = 0;
  /** Bytes dropped because the buffer was full (replay would be incomplete). */
  overflowed = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly frameBytes: number,
  ) {}

  /** Bytes kept. */
  get size(): number {
    return this.bytes;
  }

  /** Keeps a chunk just sent; drops the oldest bytes beyond the bound. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      const excess = this.bytes - this.maxBytes;
      this.overflowed += excess;
      this.dropTo(this.start + excess);
    }
  }

  /** Forgets everything before stream position `position` (rounded down to a whole frame). */
  dropTo(position: number): void {
    const target = position - (position % this.frameBytes);
    let drop = Math.min(target - this.start, this.bytes);
    if (drop <= 0) return;
    this.start += drop;
    this.bytes -= drop;
    while (drop > 0) {
      const first = this.chunks[0];
      // Never true: `drop` is at most `bytes`, the sum of the chunks' lengths.
      if (first === undefined) break;
      if (first.length <= drop) {
        drop -= first.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(drop);
        drop = 0;
      }
    }
  }

  /** The kept audio, in order (for replay). */
  contents(): Buffer[] {
    return [...this.chunks];
  }
}

/** Adds `offsetMs` to a token's timestamps (tokens of a resumed session start at its own 0). */
export function shiftToken(token: RealtimeToken, offsetMs: number): RealtimeToken {
  if (offsetMs === 0) return token;
  const out = { ...token };
  if (out.start_ms !== undefined) out.start_ms += offsetMs;
  if (out.end_ms !== undefined) out.end_ms += offsetMs;
  return out;
}

/** The stream position (bytes, whole frames) of audio time `ms` (lives with the rest of the audio arithmetic). */
export { msToBytes } from '../audio';

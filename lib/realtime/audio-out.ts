/**
 * The write path of a realtime session onto its socket: a write that came while no connection
 * was open waits for one; a sent write's callback is held while the socket's buffer is over the
 * highWaterMark (backpressure), and released as the buffer drains or the connection changes.
 */
import type { Connection } from './connection';

/** A write's callback, as Node's Writable gives it. */
export type Callback = (error?: Error | null) => void;

/** Audio writes onto the stream's current connection (see the file comment). */
export class AudioOut {
  /** A write that came while no connection was open: sent once one is. */
  private queued: { chunk: Buffer; callback: Callback } | undefined;
  /** The callback of a sent write, held while the socket's buffer is over the highWaterMark. */
  private held: Callback | undefined;
  /** Each frame's write callback: made once, not once a frame (20 ms frames are 50 a second). */
  private readonly written = (): void => this.release();

  /**
   * `connection` is the stream's current one (or none); `sent` is told of every chunk as it
   * goes (the replay buffer and the byte count).
   */
  constructor(
    private readonly highWaterMark: number,
    private readonly connection: () => Connection | undefined,
    private readonly sent: (chunk: Buffer) => void,
  ) {}

  /** Keeps the write for the connection on its way. */
  queue(chunk: Buffer, callback: Callback): void {
    this.queued = { chunk, callback };
  }

  /** Sends `chunk` on the open connection; its callback now, or once the buffer drains. */
  send(chunk: Buffer, callback: Callback): void {
    const connection = this.connection() as Connection;
    this.sent(chunk);
    connection.send(chunk, this.written);
    if (connection.bufferedAmount <= this.highWaterMark) callback();
    else this.held = callback;
  }

  /** Sends the write that waited for a connection, and releases a write held over a dropped one. */
  flush(): void {
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.send(queued.chunk, queued.callback);
    this.release();
  }

  /** Runs the held write's callback once the current connection's buffer is low enough. */
  release(): void {
    if (!this.held) return;
    const connection = this.connection();
    if (connection && connection.bufferedAmount > this.highWaterMark) return;
    const release = this.held;
    this.held = undefined;
    release();
  }

  /**
   * The session is over: the held write is released (its audio went out) and the queued
   * write's callback handed back, for the caller to settle with the failure.
   */
  drop(): Callback | undefined {
    const queued = this.queued;
    const held = this.held;
    this.queued = undefined;
    this.held = undefined;
    held?.();
    return queued?.callback;
  }
}

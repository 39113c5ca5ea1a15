/**
 * A session the server ended in failure, held until the reader has taken the tokens sent
 * before it (RealtimeStream's failAfterReader), and the write and end() callbacks parked until
 * the stream is destroyed.
 */
import type { Callback } from './audio-out';

/** The failure held for the reader, and the callbacks parked meanwhile (see the file comment). */
export class HeldFailure {
  /** Set while the failure waits for the reader: `quiet` when a connect() promise reported it. */
  private holding: { quiet: boolean } | undefined;
  /**
   * Callbacks of writes and of end() pending as the session failed, or made while its failure
   * waits for the reader: they settle with the failure as the stream is destroyed (_destroy).
   * An error given to one earlier would destroy the stream with it: the tokens still buffered
   * dropped, and an 'error' emitted that a connect() promise already reported.
   */
  private readonly parked: Callback[] = [];

  /** Holds the failure for the reader; `quiet` when a connect() promise reported it. */
  hold(quiet: boolean): void {
    this.holding = { quiet };
  }

  /** Whether a failure waits for the reader. */
  get held(): boolean {
    return this.holding !== undefined;
  }

  /** Whether the held failure was reported by a connect() promise already. */
  get quiet(): boolean {
    return this.holding?.quiet === true;
  }

  /** Parks a callback until `settle()`. */
  park(callback: Callback | undefined): void {
    if (callback) this.parked.push(callback);
  }

  /** The stream is destroyed: nothing is held any more, and every parked callback gets `failure`. */
  settle(failure: Error): void {
    this.holding = undefined;
    for (const parked of this.parked.splice(0)) parked(failure);
  }
}

/**
 * Promises waiting on a moment of a realtime session (the server's verdict, an open socket),
 * settled all at once as the moment comes or the session ends.
 */
import type { RealtimeStreamError } from './events';

/** The pending promises of one moment. */
export class Waiters {
  private pending: Array<{ resolve(): void; reject(error: RealtimeStreamError): void }> = [];

  /** A promise settled with the others, by `resolve()` or `reject()`. */
  wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  /** How many wait now. */
  get count(): number {
    return this.pending.length;
  }

  /** Resolves every pending promise. */
  resolve(): void {
    // Called for every result message (each one is the server's verdict): none waits then.
    if (this.pending.length === 0) return;
    for (const waiter of this.pending.splice(0)) waiter.resolve();
  }

  /** Rejects every pending promise with `error`. */
  reject(error: RealtimeStreamError): void {
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}

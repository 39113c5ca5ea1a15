/**
 * The SDK's admission in front of a client's socket pool: at most `limit` attempts at once (the
 * agent's maxSockets), the others waiting here rather than in the agent's first-in-first-out
 * queue, and served oldest flow first. A flow is one `transcribe()` call or one
 * `transcribeMany` input: its requests carry the ticket it took when it started, so a flow
 * further along (its upload done, its transcript due) is not queued behind the first request of
 * a flow that just started, and flows finish in the order they started as far as the pool
 * allows. A call that is part of no flow takes its own ticket when issued: later flows never
 * pass it, so it is not starved. Throughput is the pool's either way: only the order changes.
 */
import { PriorityQueue, type QueueEntry } from '../internal/priority-queue';

let tickets = 0;

/**
 * The next flow ticket: the order of flows (and of calls outside any flow) by when they started.
 * A counter, not a clock: flows started in one millisecond (or under fake timers) keep their order.
 */
export function flowTicket(): number {
  return ++tickets;
}

interface Waiter {
  admit(): void;
  fail(reason: Error): void;
}

/** At most `limit` holders at once; waiters admitted smallest age first, ties in arrival order. */
export class Admission {
  #active = 0;
  readonly #waiting = new PriorityQueue<Waiter>();

  constructor(readonly limit: number) {}

  /** Holders admitted and not yet gone. */
  get active(): number {
    return this.#active;
  }

  /** Waiters not yet admitted. */
  get queued(): number {
    return this.#waiting.size;
  }

  /** Whether an `enter` now would wait (every place taken, or others already waiting). */
  get full(): boolean {
    return this.#active >= this.limit || this.#waiting.size > 0;
  }

  /**
   * Enters with `age` (a {@link flowTicket}): undefined when admitted at once (no promise made),
   * else a promise that resolves when admitted, or rejects with the signal's reason when it
   * aborts first (the waiter then leaves the queue). Each admission owes one `leave()`.
   */
  enter(age: number, signal?: AbortSignal): Promise<void> | undefined {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (!this.full) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      let entry: QueueEntry<Waiter> | undefined = undefined;
      const onAbort = () => {
        if (entry && this.#waiting.remove(entry)) reject(signal?.reason as Error);
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      entry = this.#waiting.push(age, {
        admit: () => {
          done();
          resolve();
        },
        fail: (reason) => {
          done();
          reject(reason);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a holder's place to the oldest waiter, or frees it. */
  leave(): void {
    const next = this.#waiting.shift();
    if (next) next.admit();
    else this.#active = Math.max(0, this.#active - 1);
  }

  /**
   * Rejects every waiter with `reason`: the client is closing (its calls without a signal of
   * their own need not each listen to the client's shared one while they wait).
   */
  close(reason: Error): void {
    for (let w = this.#waiting.shift(); w; w = this.#waiting.shift()) w.fail(reason);
  }
}

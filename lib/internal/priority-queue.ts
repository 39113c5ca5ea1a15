/**
 * A min-heap of entries by a numeric key, ties in insertion order, with removal of any entry in
 * O(log n): the waiting room of the fair queue (lib/http/admission.ts), where a waiter whose
 * signal aborts must leave at once rather than linger until popped.
 */

/** One entry of a {@link PriorityQueue}; keep it to remove the entry later. */
export interface QueueEntry<T> {
  readonly value: T;
  readonly key: number;
  /** Insertion order: breaks ties of `key`. */
  readonly seq: number;
  /** Place in the heap; -1 once out of it. */
  index: number;
}

/** Entries out smallest key first, ties first in first out. */
export class PriorityQueue<T> {
  readonly #heap: QueueEntry<T>[] = [];
  #seq = 0;

  /** Entries waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Adds `value` under `key`; returns the entry (to `remove` it). */
  push(key: number, value: T): QueueEntry<T> {
    const entry: QueueEntry<T> = { value, key, seq: this.#seq++, index: this.#heap.length };
    this.#heap.push(entry);
    this.#up(entry.index);
    return entry;
  }

  /** Takes out the entry of smallest key (the first in among equals). */
  shift(): T | undefined {
    const top = this.#heap[0];
    if (top) this.remove(top);
    return top?.value;
  }

  /** Takes `entry` out; false if it was not in. */
  remove(entry: QueueEntry<T>): boolean {
    const i = entry.index;
    if (i < 0 || this.#heap[i] !== entry) return false;
    const last = this.#heap.pop() as QueueEntry<T>;
    entry.index = -1;
    if (last !== entry) {
      this.#heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    return true;
  }

  #before(a: QueueEntry<T>, b: QueueEntry<T>): boolean {
    return a.key < b.key || (a.key === b.key && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i] as QueueEntry<T>;
    const b = heap[j] as QueueEntry<T>;
    heap[i] = b;
    heap[j] = a;
    b.index = i;
    a.index = j;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(this.#heap[i] as QueueEntry<T>, this.#heap[parent] as QueueEntry<T>))
        return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && this.#before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && this.#before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      this.#swap(i, least);
      i = least;
    }
  }
}

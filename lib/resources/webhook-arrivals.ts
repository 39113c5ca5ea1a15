/**
 * Where verified webhook deliveries meet the waits that expect them: `client.webhooks` announces
 * each delivery its handler verified (or that you `notify()` after verifying it yourself), and a
 * `transcriptions.wait(id, { webhook })` ends on the first for its id. A delivery that came
 * before its wait began is remembered (the last thousand ids); a second one for the same id is
 * dropped (Soniox retries a delivery it thinks failed, and receivers see duplicates).
 */
import { abortError } from '../internal/abort-error';
import type { WebhookEvent } from '../types';

/** What `transcriptions.wait` needs of a webhook source: the delivery for an id, when it comes. */
export interface WebhookArrivalSource {
  /** Resolves with the first delivery for `id`; rejects when `signal` aborts. */
  arrival(id: string, signal: AbortSignal): Promise<WebhookEvent>;
}

/** How many delivered ids are remembered for waits that begin after their delivery. */
const REMEMBERED = 1_000;

/** Deliveries announced, and the waits expecting them. */
export class WebhookArrivals implements WebhookArrivalSource {
  readonly #delivered = new Map<string, WebhookEvent>();
  readonly #waiting = new Map<string, Set<(event: WebhookEvent) => void>>();

  /** Announces a verified delivery; returns false for a duplicate (an id already announced). */
  notify(event: WebhookEvent): boolean {
    if (this.#delivered.has(event.id)) return false;
    this.#delivered.set(event.id, event);
    if (this.#delivered.size > REMEMBERED)
      this.#delivered.delete(this.#delivered.keys().next().value as string);
    const waits = this.#waiting.get(event.id);
    this.#waiting.delete(event.id);
    for (const resolve of waits ?? []) resolve(event);
    return true;
  }

  /** Resolves with the delivery for `id` (at once if it came already); rejects when `signal` aborts. */
  arrival(id: string, signal: AbortSignal): Promise<WebhookEvent> {
    const known = this.#delivered.get(id);
    if (known) return Promise.resolve(known);
    if (signal.aborted) return Promise.reject(abortError(signal, `webhook for ${id}`));
    return new Promise((resolve, reject) => {
      const waits = this.#waiting.get(id) ?? new Set();
      const done = (event: WebhookEvent) => {
        signal.removeEventListener('abort', onAbort);
        resolve(event);
      };
      const onAbort = () => {
        waits.delete(done);
        if (waits.size === 0) this.#waiting.delete(id);
        reject(abortError(signal, `webhook for ${id}`));
      };
      waits.add(done);
      this.#waiting.set(id, waits);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

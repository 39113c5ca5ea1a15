/**
 * The client's ceiling on its own concurrent realtime sessions, shared by all its streams: the
 * account's configured limit (`GET /v1/concurrency-limits`, read lazily, cached for
 * LIMIT_REFRESH_MS), lowered by a start the server refused (429), raised back at the next read.
 * A start over the ceiling waits in a FIFO queue for a session of the client to end, instead of
 * being refused and retried into more refusals.
 *
 * A read never holds a session up for long and never storms: a lone session fits any limit and
 * reads nothing (a client of one session at a time never calls the endpoint); a start while
 * another is open makes the first read and waits for it at most LIMIT_READ_TIMEOUT_MS, a
 * stale value serves while it is read again, a failed read
 * is tried again only after the refresh interval, and a key that may not read the limits (a
 * temporary key: 401/403) is never asked again. Without a known limit, starts go as before.
 */

/** How long a read limit serves before the next start reads it again (ms). */
export const LIMIT_REFRESH_MS = 60_000;
/** How long a read may take before starts stop waiting for it (ms); it is never retried. */
export const LIMIT_READ_TIMEOUT_MS = 2_000;

/**
 * Reads the account's limit of concurrent realtime sessions: a number, or null when none is
 * configured; rejects with the API error otherwise (a `status` of 401 or 403: never again).
 */
export type LimitRead = (signal: AbortSignal) => Promise<number | null>;

interface Waiter {
  resolve: () => void;
  reject: (reason: Error) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** The reason `signal` aborted with, as an Error. */
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}

/** One client's session slots (see the file comment). */
export class SessionSlots {
  /** Slots taken by the client's streams. */
  private held = 0;
  /** The most sessions the client opens at once; undefined: unknown, no ceiling. */
  private ceiling: number | undefined;
  /** When the last read started (ms); -Infinity: never. */
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;
  /** The key may not read the limits: no read any more. */
  private forbidden = false;
  private closedWith: Error | undefined;
  private readonly waiters: Waiter[] = [];
  /** Reads the limit again while starts wait for a slot (a raise lets them go). */
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** A read has ended (answered, failed or timed out): starts no longer wait for one. */
  private everRead = false;

  constructor(
    private readonly read: LimitRead,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Resolves when a new session may start (its slot taken); rejects if `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    this.assertOpen();
    // One session fits any limit: the limit is read (and waited for, the first time, bounded by
    // the read's timeout) only for a start while another session of the client is open.
    if (this.held > 0) this.refresh();
    if (this.held > 0 && !this.everRead && this.reading) await this.reading;
    if (signal.aborted) throw reasonOf(signal);
    this.assertOpen();
    if (this.waiters.length === 0 && this.fits()) {
      this.held += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.drop(waiter);
          reject(reasonOf(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.scheduleRefresh();
    });
  }

  /** A session that held a slot ended (or its start was refused): the next waiting start goes. */
  release(): void {
    if (this.held > 0) this.held -= 1;
    this.pump();
  }

  /**
   * The server refused a start (429) while the client held `taken` slots, the refused one among
   * them: fewer fit than the ceiling said (other clients of the account hold the rest). Only a
   * ceiling read from the account is lowered; the next read raises it back.
   */
  refused(): void {
    if (this.ceiling !== undefined) this.ceiling = Math.max(1, this.held - 1);
  }

  /** Rejects every waiting start and stops reading (the client is closing). */
  close(reason: Error): void {
    this.closedWith = reason;
    clearTimeout(this.refreshTimer);
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(reason);
    }
  }

  /** Throws the reason the client closed with, if it did. */
  private assertOpen(): void {
    if (this.closedWith) throw this.closedWith;
  }

  private fits(): boolean {
    return this.ceiling === undefined || this.held < this.ceiling;
  }

  /** Starts a read when the value read last is stale (or none was), unless one is in flight. */
  private refresh(): void {
    if (this.forbidden || this.closedWith || this.reading) return;
    if (this.now() - this.readAt < LIMIT_REFRESH_MS) return;
    this.readAt = this.now();
    this.reading = this.readOnce().finally(() => {
      this.reading = undefined;
      this.pump();
      if (this.waiters.length > 0) this.scheduleRefresh();
    });
  }

  /** One read, bounded by LIMIT_READ_TIMEOUT_MS; a failure leaves the ceiling as it was. */
  private async readOnce(): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('concurrency limit read timed out')),
      LIMIT_READ_TIMEOUT_MS,
    );
    const timedOut = new Promise<void>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const read = this.read(controller.signal).then(
      (limit) => {
        this.ceiling = limit === null ? undefined : Math.max(1, limit);
      },
      (error: unknown) => {
        const status = (error as { status?: unknown } | undefined)?.status;
        if (status === 401 || status === 403) this.forbidden = true;
      },
    );
    await Promise.race([read, timedOut]);
    clearTimeout(timer);
    // A read past its time is cancelled: no late answer, no socket left behind.
    controller.abort();
    this.everRead = true;
  }

  /** Lets waiting starts go while slots fit. */
  private pump(): void {
    while (this.waiters.length > 0 && this.fits()) {
      const waiter = this.waiters.shift() as Waiter;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.held += 1;
      waiter.resolve();
    }
    if (this.waiters.length === 0) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = undefined;
    }
  }

  /** While starts wait, the limit is read again when it turns stale (a raise lets them go). */
  private scheduleRefresh(): void {
    if (this.refreshTimer || this.reading || this.forbidden) return;
    const due = Math.max(0, this.readAt + LIMIT_REFRESH_MS - this.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, due);
    this.refreshTimer.unref?.();
  }

  private drop(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at >= 0) this.waiters.splice(at, 1);
    if (this.waiters.length > 0) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }
}

/**
 * Whether the limits read from `baseURL` are those of the account `realtimeURL` serves: the
 * same host, or hosts that differ only in their first label (`api.soniox.com` and
 * `stt-rt.soniox.com`). A realtime URL of its own (a relay, a test server) next to the default
 * REST host is another deployment: its limits are not read.
 */
export function sameDeployment(baseURL: string, realtimeURL: string): boolean {
  const rest = new URL(baseURL).hostname;
  const realtime = new URL(realtimeURL).hostname;
  const parent = (host: string) => host.split('.').slice(1).join('.');
  return rest === realtime || (parent(rest).includes('.') && parent(rest) === parent(realtime));
}

/**
 * Pre-connected realtime sockets (`client.preconnect()`). The API lets a connection be opened
 * early, authenticated in the upgrade's Authorization header, and sent its start message later
 * (docs/api.md §8.1); what costs time when a caller starts to speak is DNS, TLS and the
 * upgrade, so they are paid beforehand. The pool keeps `size` sockets open, each replaced once
 * it is `maxAgeMs` old, before the server would close it idle (20 s without a message, §8.6);
 * a socket taken by a stream is replaced at once. A stream takes one as it starts a session
 * (the first, a reconnection or a rollover) when the session would open the same socket: the
 * client's key in the header, its URL, its own factory and agent.
 */
import { userAgent } from '../internal/package-info';
import type { Agent } from 'node:http';
import type { FieldIssue } from '../errors';
import type { RealtimeSocket, WebSocketFactory } from './connection';

/** Options of `client.preconnect()`. */
export interface PreconnectOptions {
  /** Sockets kept open (default 1, at most 100: open sockets count against the account's connection limit). */
  size?: number;
  /** Age at which a warm socket is replaced, before the server closes it idle (default 15 000 ms). */
  maxAgeMs?: number;
}

/** Default age at which a warm socket is replaced: under the API's 20 s idle limit. */
export const DEFAULT_WARM_MAX_AGE_MS = 15_000;
/** Most sockets a pool keeps. */
export const MAX_WARM_SIZE = 100;
/** Waits before opening again after a failed opening: from 1 s, doubling, at most 30 s. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Problems of `client.preconnect()`'s options. */
export function preconnectIssues(options: unknown, maxTimerMs: number): FieldIssue[] {
  if (options === undefined) return [];
  if (options === null || typeof options !== 'object')
    return [{ field: 'options', message: 'must be an object such as { size: 2 }' }];
  const { size, maxAgeMs } = options as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  if (
    size !== undefined &&
    (!Number.isInteger(size) || (size as number) < 1 || (size as number) > MAX_WARM_SIZE)
  )
    issues.push({ field: 'size', message: `must be an integer from 1 to ${MAX_WARM_SIZE}` });
  if (
    maxAgeMs !== undefined &&
    (typeof maxAgeMs !== 'number' ||
      !Number.isFinite(maxAgeMs) ||
      maxAgeMs < 1000 ||
      maxAgeMs > maxTimerMs)
  )
    issues.push({ field: 'maxAgeMs', message: `must be a number from 1000 to ${maxTimerMs}` });
  return issues;
}

/** How the pool opens a socket: the client's URL, key, handshake timeout and agent. */
export interface WarmSocketSource {
  url: string;
  /** The key in the upgrade's Authorization header; a stream takes a socket only with the same key. */
  key: string;
  handshakeTimeoutMs: number;
  /** The agent of one upgrade (the client's proxy), if any. */
  agent?: ((signal: AbortSignal) => Agent) | undefined;
  factory: WebSocketFactory;
  /** The client's `headers`, sent on each upgrade as on a stream's own. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** One socket of the pool. */
interface Warm {
  socket: RealtimeSocket;
  open: boolean;
  /** Replaces it at maxAgeMs; aborts its proxy tunnel when it is dropped unopened. */
  timer: NodeJS.Timeout | undefined;
  tunnel: AbortController | undefined;
}

const OPEN = 1;

/** The warm sockets of one client (see the file comment). */
export class WarmPool {
  // `#private`: the sockets' upgrade requests and the source hold the key, kept out of util.inspect.
  readonly #sockets = new Set<Warm>();
  readonly #source: WarmSocketSource;
  private size: number;
  private maxAgeMs: number;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readyWaiters: Array<() => void> = [];

  constructor(source: WarmSocketSource, options: PreconnectOptions = {}) {
    this.#source = source;
    this.size = options.size ?? 1;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_WARM_MAX_AGE_MS;
    this.fill();
  }

  /** Sockets open now and ready for a session. */
  get warm(): number {
    let n = 0;
    for (const w of this.#sockets) if (w.open) n++;
    return n;
  }

  /** Resolves once a socket is open (at once if one is), or the pool is closed. */
  ready(): Promise<void> {
    if (this.warm > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** New options for the pool: sockets are added now, or dropped as they are replaced. */
  configure(options: PreconnectOptions): void {
    this.size = options.size ?? this.size;
    this.maxAgeMs = options.maxAgeMs ?? this.maxAgeMs;
    this.fill();
  }

  /**
   * An open socket for a session with `key`, taken out of the pool (its listeners removed: the
   * taker's Connection adds its own), or undefined when none is warm or the key differs.
   */
  take(key: string): RealtimeSocket | undefined {
    if (this.closed || key !== this.#source.key) return undefined;
    for (const w of this.#sockets) {
      if (!w.open || w.socket.readyState !== OPEN) continue;
      this.forget(w);
      w.socket.removeAllListeners();
      this.fill();
      return w.socket;
    }
    return undefined;
  }

  /** Closes every warm socket and opens no more; idempotent. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const w of [...this.#sockets]) this.drop(w);
    this.wake();
  }

  /** Opens sockets until `size` are open or opening. */
  private fill(): void {
    if (this.closed || this.retry) return;
    while (this.#sockets.size < this.size) this.openOne();
  }

  private openOne(): void {
    const { url, key, handshakeTimeoutMs, agent, factory, headers } = this.#source;
    const tunnel = agent ? new AbortController() : undefined;
    const socket = factory(url, {
      perMessageDeflate: false,
      handshakeTimeout: handshakeTimeoutMs,
      // As a stream's own upgrade (connection.ts): the caller's User-Agent wins, never its Authorization.
      headers: { 'User-Agent': userAgent(), ...headers, Authorization: `Bearer ${key}` },
      ...(agent && tunnel && { agent: agent(tunnel.signal) }),
    });
    const w: Warm = { socket, open: false, timer: undefined, tunnel };
    this.#sockets.add(w);
    socket.once('open', () => {
      w.open = true;
      this.failures = 0;
      // Replaced before the server closes it idle; a pool never keeps the process alive.
      w.timer = setTimeout(() => this.replace(w), this.maxAgeMs);
      w.timer.unref?.();
      this.wake();
    });
    // A warm socket that fails or closes is dropped; one that never opened is tried again later.
    socket.on('error', () => this.lost(w));
    socket.on('close', () => this.lost(w));
    socket.on('message', () => this.lost(w));
  }

  /** A socket failed, closed or was spoken to unasked (the server refused it): out, and opened again. */
  private lost(w: Warm): void {
    if (!this.#sockets.has(w)) return;
    const opened = w.open;
    this.drop(w);
    if (opened) return this.fill();
    // Never opened: the server or the network refuses; do not hammer it.
    this.failures += 1;
    const wait = Math.min(RETRY_BASE_MS * 2 ** (this.failures - 1), RETRY_MAX_MS);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.fill();
    }, wait);
    this.retry.unref?.();
  }

  /** Its age is up: closed politely, a fresh one opened. */
  private replace(w: Warm): void {
    this.drop(w);
    this.fill();
  }

  private forget(w: Warm): void {
    clearTimeout(w.timer);
    this.#sockets.delete(w);
  }

  private drop(w: Warm): void {
    this.forget(w);
    w.socket.removeAllListeners();
    w.socket.on('error', () => undefined);
    if (w.open && w.socket.readyState === OPEN) w.socket.close(1000);
    else {
      w.tunnel?.abort();
      w.socket.terminate();
    }
  }

  private wake(): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}

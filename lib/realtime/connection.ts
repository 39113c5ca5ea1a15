/**
 * One WebSocket of a realtime stream, with everything that lives and dies with it: the socket,
 * its keepalive, heartbeat and finish timers, and its paused and liveness flags. `retire()` is
 * its one teardown; a stream holds at most one Connection at a time.
 *
 * Liveness: any frame from the server (result or pong) is a sign of life. A ping counts as
 * unanswered only once it has left (its write callback ran: audio queued ahead of it does not
 * count against the server) and only while we read the socket (a socket we paused for a slow
 * reader cannot show us a pong).
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { SonioxWebSocketError, redact } from '../errors';
import { userAgent } from '../internal/package-info';
import { KEEPALIVE_MESSAGE } from './control';

/** WebSocket ready states (the standard's numbers): constants here, so ws loads only to connect. */
const OPEN = 1;
const CLOSED = 3;

/** A frame's payload as ws delivers it. */
export type RealtimeSocketData = Buffer | ArrayBuffer | Buffer[];

/** What the SDK asks of the factory: a subset of ws's `ClientOptions`. */
export interface RealtimeSocketOptions {
  perMessageDeflate: false;
  handshakeTimeout: number;
  /** The upgrade request's headers (`Authorization` unless the key travels in the start message). */
  headers?: Record<string, string>;
  /** The agent of the upgrade request (a proxy's tunnel, or the caller's own), when there is one. */
  agent?: Agent;
}

/**
 * What the SDK uses of a socket. ws's `WebSocket` is one; declared here so the package's types
 * need no `@types/ws`, and a test double or another client can stand in.
 */
export interface RealtimeSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Sends a frame (text for control messages, binary for audio); `done` once it is written. */
  send(data: string | Buffer, options: { binary: boolean }, done?: (error?: Error) => void): void;
  /** Sends a ping (the keepalive); `done` once it is written. */
  ping(data: undefined, mask: undefined, done?: (error?: Error) => void): void;
  /** Stops reading frames (backpressure from a slow reader). */
  pause(): void;
  /** Reads frames again after {@link RealtimeSocket.pause}. */
  resume(): void;
  /** Starts the closing handshake. */
  close(code?: number): void;
  /** Drops the connection at once (no closing handshake). */
  terminate(): void;
  /** A frame arrived. */
  on(event: 'message', listener: (data: RealtimeSocketData, isBinary: boolean) => void): unknown;
  /** The answer to a ping arrived. */
  on(event: 'pong', listener: () => void): unknown;
  /** The socket failed. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** The socket closed, with the close frame's code. */
  on(event: 'close', listener: (code: number) => void): unknown;
  /**
   * The server answered the upgrade with another status than 101 (ws's event: with a listener,
   * ws raises no 'error' for it). A socket of another kind may never emit it.
   */
  on(
    event: 'unexpected-response',
    listener: (request: ClientRequest, response: IncomingMessage) => void,
  ): unknown;
  /** The handshake completed. */
  once(event: 'open', listener: () => void): unknown;
  /** Detaches the SDK's listeners from a socket it has let go. */
  removeAllListeners(): unknown;
}

/** Makes the socket; the default is ws's `new WebSocket(url, options)` (a seam for tests). */
export type WebSocketFactory = (url: string, options: RealtimeSocketOptions) => RealtimeSocket;

/** What a Connection reports to its stream. */
export interface ConnectionEvents {
  /** The handshake completed. */
  open(): void;
  /** A text frame (undefined for a binary frame, which the API never sends). */
  message(text: string | undefined): void;
  /** The connection failed or closed before the stream was done with it. */
  failure(error: SonioxWebSocketError): void;
}

/** Timing of one connection. */
export interface ConnectionTiming {
  handshakeTimeoutMs: number;
  keepaliveIntervalMs: number;
  heartbeatIntervalMs: number;
}

const noop = (): void => undefined;
/** ws's send options, made once (not once a frame). */
const BINARY = Object.freeze({ binary: true });
const TEXT = Object.freeze({ binary: false });

/** HTTP answers to the upgrade worth another attempt: the server is busy or a proxy in front of it is. */
const TRANSIENT_UPGRADE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Socket errors of a connection that may well succeed next time. */
const TRANSIENT_SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What a failed opening handshake carries: the upgrade's HTTP status, or the socket error's code. */
export interface HandshakeFault {
  /** The status of a server's answer that was not `101 Switching Protocols`. */
  status?: number;
  /** The code of a socket error (`ECONNREFUSED`, ...). */
  code?: string | undefined;
}

/**
 * What a failed opening handshake says about the next attempt, from what it carries, never from
 * the words of its message (ws's wording is not a contract): the status becomes serverCode. A
 * 4xx about the key or the request will not change; a busy server or a refused or reset
 * connection may. A handshake that times out is the connection's own deadline, retryable.
 */
export function handshakeFailure(fault: HandshakeFault): {
  serverCode?: number;
  retryable: boolean;
} {
  const { status, code } = fault;
  if (status !== undefined)
    return { serverCode: status, retryable: TRANSIENT_UPGRADE_STATUS.has(status) };
  return { retryable: code !== undefined && TRANSIENT_SOCKET_ERRORS.has(code) };
}

/** One socket and its timers (see the file comment). */
export class Connection {
  /** The socket's upgrade request holds the key in its headers: `#private` keeps it out of util.inspect. */
  readonly #ws: RealtimeSocket;
  // Kept apart so each is cleared by its own function (a faked clearTimeout cannot clear a real interval).
  private readonly intervals: NodeJS.Timeout[] = [];
  private finishDeadline: NodeJS.Timeout | undefined;
  /**
   * The deadline of the whole way to an open socket. ws's handshakeTimeout starts only once the
   * agent hands over a socket: a proxy that takes the connection and never answers the CONNECT
   * would hold the attempt forever.
   */
  private handshakeDeadline: NodeJS.Timeout | undefined;
  /** Aborts the socket of a proxy tunnel made for this connection (see the constructor). */
  readonly #tunnel: AbortController | undefined;
  /** The wait for a refusal after the start message (see armAcceptance). */
  private acceptanceWait: NodeJS.Timeout | undefined;
  /** The deadline for `finished`, once armed: restarted by each server frame, stopped while paused. */
  private finishWait: { ms: number; onTimeout: () => void } | undefined;
  private paused = false;
  private awaitingPong = false;
  private pingLeft = false;
  private lastAudioAt = Date.now();
  private retired = false;
  private opened = false;

  /** `key` is only used to keep it out of error messages (the caller puts it in `headers` or the start message). */
  constructor(
    url: string,
    headers: Record<string, string> | undefined,
    key: string,
    private readonly timing: ConnectionTiming,
    private readonly events: ConnectionEvents,
    factory: WebSocketFactory,
    agent?: Agent | ((signal: AbortSignal) => Agent),
  ) {
    if (typeof agent === 'function') {
      // A tunnel made for this connection: retire() closes its socket, answered or not.
      this.#tunnel = new AbortController();
      agent = agent(this.#tunnel.signal);
    }
    const ws = factory(url, {
      perMessageDeflate: false,
      handshakeTimeout: timing.handshakeTimeoutMs,
      headers: { 'User-Agent': userAgent(), ...headers },
      ...(agent && { agent }),
    });
    this.#ws = ws;
    const ms = timing.handshakeTimeoutMs;
    // Transient, as ws's own timeout: an error with no server code is retryable.
    this.handshakeDeadline = setTimeout(
      () =>
        this.fail(
          new SonioxWebSocketError(
            `cannot open the realtime session: the opening handshake (proxy included) timed out after ${ms} ms`,
          ),
        ),
      ms,
    );
    // A pre-connected socket (client.preconnect()) is open already: it opens on the next tick,
    // once the caller holds this Connection.
    if (ws.readyState === OPEN) process.nextTick(() => this.retired || this.onOpen());
    else ws.once('open', () => this.onOpen());
    ws.on('message', (data: RealtimeSocketData, isBinary: boolean) =>
      this.onMessage(data, isBinary),
    );
    ws.on('pong', () => this.sawLife());
    // An answer to the upgrade other than 101: ws hands it over here, status and all, and
    // raises no 'error' (it would carry the status only in its words). retire() drops the request.
    ws.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
      response.resume();
      const status = response.statusCode ?? 0;
      this.fail(
        new SonioxWebSocketError(
          `cannot open the realtime session: Unexpected server response: ${status}`,
          handshakeFailure({ status }),
        ),
      );
    });
    ws.on('error', (error: Error) => {
      const reason = redact(error.message, [key]);
      this.fail(
        this.opened
          ? new SonioxWebSocketError(`the realtime connection failed: ${reason}`)
          : new SonioxWebSocketError(
              `cannot open the realtime session: ${reason}`,
              handshakeFailure({ code: (error as NodeJS.ErrnoException).code }),
            ),
      );
    });
    ws.on('close', (code: number) =>
      this.fail(
        new SonioxWebSocketError(
          `the realtime connection closed unexpectedly (code ${code}) before the session finished`,
          { closeCode: code },
        ),
      ),
    );
  }

  /** Bytes queued in the socket, not yet written. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** Sends a text or binary frame; `done` runs once it is written (or failed). */
  send(data: string | Buffer, done: (error?: Error) => void = noop): void {
    if (this.retired || this.#ws.readyState !== OPEN) {
      done(new SonioxWebSocketError('the realtime connection is not open'));
      return;
    }
    if (typeof data === 'string') {
      this.#ws.send(data, TEXT, done);
      return;
    }
    this.lastAudioAt = Date.now();
    this.#ws.send(data, BINARY, done);
  }

  /** Stops reading the socket (the reader is slow); the heartbeat rests meanwhile. */
  pause(): void {
    if (this.paused || this.retired) return;
    this.paused = true;
    this.awaitingPong = false;
    this.#ws.pause();
    // Time we hold the socket for our reader is not the server's silence.
    this.restartFinishDeadline();
  }

  /** Reads the socket again. */
  resume(): void {
    if (!this.paused || this.retired) return;
    this.paused = false;
    this.#ws.resume();
    this.restartFinishDeadline();
  }

  /**
   * Calls `onTimeout` once the server has been silent for `ms` after end-of-audio: counted from
   * its last result frame (pongs only show it is alive, not that it is finishing), and not while
   * the socket is paused for a slow reader.
   */
  armFinishDeadline(ms: number, onTimeout: () => void): void {
    if (this.retired) return;
    this.finishWait = { ms, onTimeout };
    this.restartFinishDeadline();
  }

  /**
   * Calls `onAccepted` once `ms` pass without a frame from the server: the API says nothing when
   * it accepts a session, and refuses one with an error frame. Any frame ends the wait (the
   * stream reads the verdict in it), as does retire().
   */
  armAcceptance(ms: number, onAccepted: () => void): void {
    if (this.retired) return;
    this.acceptanceWait = setTimeout(onAccepted, ms);
  }

  private restartFinishDeadline(): void {
    clearTimeout(this.finishDeadline);
    this.finishDeadline = undefined;
    if (!this.finishWait || this.paused || this.retired) return;
    this.finishDeadline = setTimeout(this.finishWait.onTimeout, this.finishWait.ms);
  }

  /**
   * Tears everything down: timers, listeners, the socket (closed politely when `graceful`
   * and open, else terminated). Idempotent; nothing is reported after it.
   */
  retire(graceful = false): void {
    if (this.retired) return;
    this.retired = true;
    for (const timer of this.intervals) clearInterval(timer);
    this.intervals.length = 0;
    clearTimeout(this.finishDeadline);
    clearTimeout(this.handshakeDeadline);
    clearTimeout(this.acceptanceWait);
    this.#ws.removeAllListeners();
    this.#ws.on('error', noop);
    // Once open, the tunnel's socket is the WebSocket's own: closed with it, politely.
    if (!this.opened) this.#tunnel?.abort();
    if (graceful && this.#ws.readyState === OPEN) {
      // Read again (a slow reader may have paused it), or the server's close frame is never seen.
      this.#ws.resume();
      this.#ws.close(1000);
    } else if (this.#ws.readyState !== CLOSED) {
      this.#ws.terminate();
    }
  }

  // Neither handler below can run after retire(): it removes the socket's listeners.
  private onOpen(): void {
    this.opened = true;
    clearTimeout(this.handshakeDeadline);
    const { keepaliveIntervalMs, heartbeatIntervalMs } = this.timing;
    this.lastAudioAt = Date.now();
    this.intervals.push(
      setInterval(() => this.idleKeepalive(), keepaliveIntervalMs),
      setInterval(() => this.heartbeat(), heartbeatIntervalMs),
    );
    this.events.open();
  }

  /**
   * Sends the keepalive frame now (the automatic keepalive's sender and `stream.keepAlive()`'s);
   * false when the socket is not open.
   */
  keepAlive(): boolean {
    if (this.retired || this.#ws.readyState !== OPEN) return false;
    this.send(KEEPALIVE_MESSAGE);
    return true;
  }

  private idleKeepalive(): void {
    if (Date.now() - this.lastAudioAt >= this.timing.keepaliveIntervalMs) this.keepAlive();
  }

  private heartbeat(): void {
    if (this.paused) return;
    if (this.awaitingPong) {
      // A ping still queued behind audio has not been given a chance: wait for it to leave.
      if (!this.pingLeft) return;
      this.fail(
        new SonioxWebSocketError(
          `no pong (nor any other frame) from the server within ${this.timing.heartbeatIntervalMs} ms of a ping: the connection is dead`,
          { closeCode: 1006 },
        ),
      );
      return;
    }
    this.awaitingPong = true;
    this.pingLeft = false;
    this.#ws.ping(undefined, undefined, (error?: Error) => {
      if (!error) this.pingLeft = true;
    });
  }

  private sawLife(): void {
    this.awaitingPong = false;
  }

  private onMessage(data: RealtimeSocketData, isBinary: boolean): void {
    clearTimeout(this.acceptanceWait);
    this.sawLife();
    this.restartFinishDeadline();
    if (isBinary) return this.events.message(undefined);
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    this.events.message(text);
  }

  private fail(error: SonioxWebSocketError): void {
    this.retire();
    this.events.failure(error);
  }
}

/** ws's WebSocket, once the first connection has loaded it. */
let WebSocketClass: typeof import('ws') | undefined;

/**
 * `new WebSocket(url, options)` of ws, loaded with the first connection rather than at `require`
 * time, and kept: `require` resolves its path anew on every call (file system lookups: about a
 * tenth of a short session's client JavaScript in a profile, when it ran per connection).
 */
export const defaultWebSocketFactory: WebSocketFactory = (url, options) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  WebSocketClass ??= require('ws') as typeof import('ws');
  return new WebSocketClass(url, options);
};

/**
 * The opening of each session of a realtime stream (the first, a reconnect's, a rollover's
 * next): the key and the session limiter's admission (the Reconnector's), the socket on the
 * stream's link (one at a time: session-link.ts), and as the socket opens its first frames (the
 * start message, then after a reconnect the audio kept for a replay), the rollover's timer and
 * the acceptance window, after which a session the server did not refuse counts as accepted
 * (acceptanceWindowMs). It moves no phase: told the socket is open, the stream does.
 */
import { SonioxWebSocketError } from '../errors';
import type { RealtimeStartMessage } from '../types';
import type { Connection } from './connection';
import type { ResolvedRealtimeOptions, RealtimeOptions } from './protocol';
import type { Reconnector } from './reconnect';
import type { Rollover } from './rollover';
import { SessionLink, type DrainEvents } from './session-link';
import type { RealtimeContext } from './surface';
import type { RealtimeStreamError } from './events';
import { Waiters } from './waiters';

/** What the opening asks of its stream and tells it (the stream alone moves the phase). */
export interface OpeningHost extends DrainEvents {
  /** Whether the stream still waits for a connection (not destroyed while the key was awaited). */
  wanted(): boolean;
  /** Whether the session resumes a dropped one: the audio kept is sent again. */
  resuming(): boolean;
  /** A socket opened, the start message sent: it is paused while the reader is behind. */
  paced(connection: Connection): void;
  /** The socket is open, its first frames sent: the phase moves, the queued audio goes. */
  opened(): void;
}

/** The stream's parts the opening works with. */
export interface OpeningParts {
  reconnector: Pick<Reconnector, 'admission' | 'replayed'>;
  rollover: Pick<Rollover, 'opened' | 'arm'> | undefined;
}

/** One stream's session openings (see the file comment). */
export class SessionOpening {
  /** The connection to the server, one at a time (its key `#private` there). */
  readonly link: SessionLink;
  private isAccepted = false;
  /** connect() promises: settled by the server's verdict on the session (or the stream's end). */
  private readonly verdicts = new Waiters();
  /** Aborted as the stream ends: a start waiting for the session limiter stops waiting. */
  private readonly lifetime = new AbortController();
  // The context (the API key) is `#private`: out of util.inspect, JSON and enumeration.
  readonly #context: RealtimeContext;

  constructor(
    context: RealtimeContext,
    private readonly options: RealtimeOptions,
    private readonly resolved: ResolvedRealtimeOptions,
    private readonly start: RealtimeStartMessage,
    private readonly parts: OpeningParts,
    private readonly host: OpeningHost,
  ) {
    this.#context = context;
    const agent = options.agent ?? context.proxyAgent;
    // Warm sockets are the client's: not for a stream that opens its own another way.
    const own =
      options.webSocketFactory !== undefined ||
      options.agent !== undefined ||
      options.headers !== undefined;
    this.link = new SessionLink(
      context.realtimeURL,
      { ...resolved, headers: { ...context.headers, ...options.headers } },
      options.webSocketFactory,
      agent,
      {
        open: (connection, first) => this.opened(connection, first),
        message: (text) => host.message(text),
        failure: (error) => host.failure(error),
      },
      own ? undefined : context.warmSocket,
    );
  }

  /** Whether the server accepted the current session (see acceptanceWindowMs): connect() resolves. */
  get accepted(): boolean {
    return this.isAccepted;
  }

  /** The server accepted the current session (a result came, or no refusal in the window). */
  accept(): void {
    this.isAccepted = true;
    this.verdicts.resolve();
  }

  /** A connect() promise: settled by the server's verdict, or by the stream's end (refused()). */
  verdict(): Promise<void> {
    return this.verdicts.wait();
  }

  /** Whether a connect() promise waits (it reports a failure: no 'error' needed for it). */
  get awaited(): boolean {
    return this.verdicts.count > 0;
  }

  /** The stream ended before an acceptance: every connect() promise rejects with `failure`. */
  refused(failure: RealtimeStreamError): void {
    this.verdicts.reject(failure);
  }

  /** Opens a connection (the first, or a reconnection after the backoff). */
  async open(): Promise<void> {
    const getKey = this.options.rollover?.getApiKey ?? this.options.reconnect?.getApiKey;
    const key = await this.parts.reconnector.admission(
      this.#context.apiKey,
      getKey,
      this.lifetime.signal,
    );
    // Destroyed meanwhile (while the key was minted or the token awaited): open nothing.
    if (!this.host.wanted()) return;
    if (key instanceof SonioxWebSocketError) {
      this.host.failure(key);
      return;
    }
    this.link.open(key, this.start);
  }

  /** The stream ended: a start waiting for the session limiter stops waiting. */
  cancel(): void {
    this.lifetime.abort();
  }

  /** The socket opened: the start message (with the key, when it travels there) goes first. */
  private opened(connection: Connection, start: RealtimeStartMessage): void {
    connection.send(JSON.stringify(start));
    this.host.paced(connection);
    if (this.host.resuming()) {
      for (const chunk of this.parts.reconnector.replayed()) connection.send(chunk);
    }
    this.isAccepted = false;
    this.parts.rollover?.opened();
    this.parts.rollover?.arm(this.#context.keySessionMs?.(this.link.key as string));
    this.host.opened();
    const window = this.resolved.acceptanceWindowMs;
    if (window === 0) this.accept();
    else connection.armAcceptance(window, () => this.accept());
  }
}

/**
 * A realtime stream's link to the server: at most one Connection at a time, opened with the key
 * the session was admitted with (in the upgrade's Authorization header, or in the start
 * message), retired before the next. The key and the connection (its upgrade request holds the
 * key) are `#private`: out of util.inspect, JSON and property enumeration.
 */
import type { Agent } from 'node:http';
import type { SonioxWebSocketError } from '../errors';
import type { RealtimeStartMessage } from '../types';
import {
  Connection,
  defaultWebSocketFactory,
  type ConnectionTiming,
  type RealtimeSocket,
  type WebSocketFactory,
} from './connection';

/** A pre-connected socket for a session with `key`, if one is warm (client.preconnect()). */
export type WarmSource = (key: string) => RealtimeSocket | undefined;

/** What the link tells its stream. */
export interface LinkEvents {
  /** The socket opened: `start` (with the key, when it travels in the message) goes first. */
  open(connection: Connection, start: RealtimeStartMessage): void;
  message(text: string | undefined): void;
  /** The current connection failed or dropped (a retired one reports nothing). */
  failure(error: SonioxWebSocketError): void;
}

/** Where the frames of a connection taken out of the link by detach() go. */
export type DrainEvents = Pick<LinkEvents, 'message' | 'failure'>;

/** One connection at a time to the realtime URL (see the file comment). */
export class SessionLink {
  #connection: Connection | undefined;
  #key: string | undefined;
  /** The key of the connection before the latest (a rollover's draining one). */
  #previousKey: string | undefined;
  /** Connections taken out by detach() (a rollover's draining session), and where they report. */
  readonly #drains = new WeakMap<Connection, DrainEvents>();

  constructor(
    private readonly url: string,
    private readonly settings: ConnectionTiming & {
      auth: 'header' | 'message';
      /** The caller's upgrade headers (the client's, the stream's over them). */
      headers?: Readonly<Record<string, string>> | undefined;
    },
    private readonly factory: WebSocketFactory | undefined,
    private readonly agent: Agent | ((signal: AbortSignal) => Agent) | undefined,
    private readonly events: LinkEvents,
    private readonly warm?: WarmSource,
  ) {}

  /** The open or opening connection, if any. */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** The key of the latest connection (redacted from what the server says). */
  get key(): string | undefined {
    return this.#key;
  }

  /** The keys of the latest two connections: redacted from what the server says. */
  get keys(): Array<string | undefined> {
    return [this.#key, this.#previousKey];
  }

  /** Opens a connection with `key`, which will send `start` as it opens. */
  open(key: string, start: RealtimeStartMessage): void {
    this.#previousKey = this.#key;
    this.#key = key;
    const byHeader = this.settings.auth === 'header';
    const first = byHeader ? start : { ...start, api_key: key };
    // A warm socket carries its key in the header: only for a session by header, with that key.
    const warm = byHeader ? this.warm?.(key) : undefined;
    const connection: Connection = new Connection(
      this.url,
      // The caller's headers never replace the key's (refused by the checks, and set last).
      { ...this.settings.headers, ...(byHeader && { Authorization: `Bearer ${key}` }) },
      key,
      this.settings,
      {
        open: () => this.events.open(connection, first),
        message: (text) => (this.#drains.get(connection) ?? this.events).message(text),
        failure: (error) => {
          const drain = this.#drains.get(connection);
          if (drain) drain.failure(error);
          else if (this.#connection === connection) this.events.failure(error);
        },
      },
      warm ? () => warm : (this.factory ?? defaultWebSocketFactory),
      warm ? undefined : this.agent,
    );
    this.#connection = connection;
  }

  /**
   * Takes the current connection out of the link, still open, its frames and failure now
   * reported to `events` (a rollover drains it while the next one opens); the link is empty.
   */
  detach(events: DrainEvents): Connection | undefined {
    const connection = this.#connection;
    if (connection) this.#drains.set(connection, events);
    this.#connection = undefined;
    return connection;
  }

  /** Retires the connection (closed politely when `graceful`); the link is then empty. */
  retire(graceful: boolean): void {
    this.#connection?.retire(graceful);
    this.#connection = undefined;
  }
}

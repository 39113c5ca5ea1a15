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
  type WebSocketFactory,
} from './connection';

/** What the link tells its stream. */
export interface LinkEvents {
  /** The socket opened: `start` (with the key, when it travels in the message) goes first. */
  open(connection: Connection, start: RealtimeStartMessage): void;
  message(text: string | undefined): void;
  /** The current connection failed or dropped (a retired one reports nothing). */
  failure(error: SonioxWebSocketError): void;
}

/** One connection at a time to the realtime URL (see the file comment). */
export class SessionLink {
  #connection: Connection | undefined;
  #key: string | undefined;

  constructor(
    private readonly url: string,
    private readonly settings: ConnectionTiming & { auth: 'header' | 'message' },
    private readonly factory: WebSocketFactory | undefined,
    private readonly agent: Agent | ((signal: AbortSignal) => Agent) | undefined,
    private readonly events: LinkEvents,
  ) {}

  /** The open or opening connection, if any. */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** The key of the latest connection (redacted from what the server says). */
  get key(): string | undefined {
    return this.#key;
  }

  /** Opens a connection with `key`, which will send `start` as it opens. */
  open(key: string, start: RealtimeStartMessage): void {
    this.#key = key;
    const byHeader = this.settings.auth === 'header';
    const first = byHeader ? start : { ...start, api_key: key };
    const connection: Connection = new Connection(
      this.url,
      byHeader ? { Authorization: `Bearer ${key}` } : undefined,
      key,
      this.settings,
      {
        open: () => this.events.open(connection, first),
        message: (text) => this.events.message(text),
        failure: (error) => {
          if (this.#connection === connection) this.events.failure(error);
        },
      },
      this.factory ?? defaultWebSocketFactory,
      this.agent,
    );
    this.#connection = connection;
  }

  /** Retires the connection (closed politely when `graceful`); the link is then empty. */
  retire(graceful: boolean): void {
    this.#connection?.retire(graceful);
    this.#connection = undefined;
  }
}

/**
 * The mock's replay book (`replay` option, `soniox mock --replay dir`): the cassettes of a
 * directory, looked up by request. REST exchanges by method, path and query, realtime sessions
 * by their start message (less `api_key`); several recordings under one key are answered in the
 * order they were recorded, the last one again once all were used (a client that polls once
 * more than when it was recorded sees the final state again). A request with no recording is a
 * miss: answered with an error naming it, and kept in `misses`.
 */
import {
  exchangeKey,
  loadCassettes,
  sessionKey,
  type RecordedExchange,
  type RecordedSession,
} from '../cassette';

/** How replayed realtime frames are timed. */
export type ReplayPace = 'recorded' | 'instant';

/** The `replay` option: a cassette directory, or one with how to pace realtime frames. */
export interface ReplayOptions {
  /** The directory of cassettes (`*.json`, as `record` / SONIOX_RECORD writes them). */
  dir: string;
  /**
   * `'recorded'` (default): each realtime frame at the time it arrived when recorded (and not
   * before the audio, finalizes and end of audio that preceded it); `'instant'`: as soon as
   * what preceded it has come.
   */
  pace?: ReplayPace | undefined;
  /** Called with each miss as it happens (the CLI prints them). */
  onMiss?: ((miss: string) => void) | undefined;
}

/** Recordings under one key, handed out in order. */
class Queue<T> {
  private next = 0;
  constructor(readonly items: T[]) {}
  take(): T {
    const item = this.items[Math.min(this.next, this.items.length - 1)] as T;
    this.next += 1;
    return item;
  }
}

/** The cassettes of a directory, by request (see the file comment). */
export class ReplayBook {
  /** Each request that had no recording, as `METHOD /path?query` or `realtime session {config}`. */
  readonly misses: string[] = [];
  readonly pace: ReplayPace;
  private readonly exchanges = new Map<string, Queue<RecordedExchange>>();
  private readonly sessions = new Map<string, Queue<RecordedSession>>();
  private readonly dir: string;
  private readonly onMiss: ((miss: string) => void) | undefined;

  /** Loads every cassette of the directory; throws naming a file that is not one. */
  constructor(options: string | ReplayOptions) {
    const { dir, pace, onMiss } = typeof options === 'string' ? { dir: options } : options;
    this.dir = dir;
    this.pace = pace ?? 'recorded';
    this.onMiss = onMiss;
    const exchanges = new Map<string, RecordedExchange[]>();
    const sessions = new Map<string, RecordedSession[]>();
    for (const { cassette } of loadCassettes(dir)) {
      for (const e of cassette.exchanges) {
        const key = exchangeKey(e.request.method, e.request.path, e.request.query);
        exchanges.set(key, [...(exchanges.get(key) ?? []), e]);
      }
      for (const s of cassette.sessions) {
        const key = sessionKey(s.start);
        sessions.set(key, [...(sessions.get(key) ?? []), s]);
      }
    }
    for (const [key, list] of exchanges) this.exchanges.set(key, new Queue(list));
    for (const [key, list] of sessions) this.sessions.set(key, new Queue(list));
  }

  /** The recorded exchange for a request, or the message of a miss. */
  exchange(
    method: string,
    path: string,
    query: Record<string, string>,
  ): RecordedExchange | { miss: string } {
    const key = exchangeKey(method, path, query);
    const found = this.exchanges.get(key);
    if (found) return found.take();
    const recorded = [...this.exchanges.keys()];
    return this.missed(
      `no recording of ${key} in ${this.dir}` +
        (recorded.length
          ? ` (recorded: ${recorded.slice(0, 8).join(', ')}${recorded.length > 8 ? ', ...' : ''})`
          : ' (it holds no REST exchange)'),
      key,
    );
  }

  /** The recorded session for a start message, or the message of a miss. */
  session(start: Record<string, unknown>): RecordedSession | { miss: string } {
    const key = sessionKey(start);
    const found = this.sessions.get(key);
    if (found) return found.take();
    return this.missed(
      `no recorded realtime session with the config ${key} in ${this.dir}` +
        (this.sessions.size
          ? ` (recorded: ${[...this.sessions.keys()].slice(0, 3).join(', ')})`
          : ' (it holds no realtime session)'),
      `realtime session ${key}`,
    );
  }

  private missed(message: string, what: string): { miss: string } {
    this.misses.push(what);
    this.onMiss?.(message);
    return { miss: `replay: ${message}` };
  }
}

/**
 * Recording of realtime sessions (`record` option / SONIOX_RECORD): a WebSocketFactory around
 * the stream's own whose sockets note what goes each way: the start message (its key redacted
 * by the writer), the audio as a running digest and its timing, control messages, every server
 * frame with when it came and how much audio had been sent by then, and the close. The session
 * is written to the cassette as its socket closes.
 */

import { EventEmitter } from 'node:events';
import type { CassetteJson, CassetteWriter, RecordedSession } from '../cassette';
import type {
  RealtimeSocket,
  RealtimeSocketData,
  RealtimeSocketOptions,
  WebSocketFactory,
} from './connection';
import { nodeCrypto } from '../internal/node-builtins';

function parse(text: string): { json: CassetteJson } | { text: string } {
  try {
    return { json: JSON.parse(text) as CassetteJson };
  } catch {
    return { text };
  }
}

function textOf(data: RealtimeSocketData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** One socket, recorded: forwards everything to the real one, noting what passes. */
class RecordingSocket extends EventEmitter implements RealtimeSocket {
  private readonly audioHash = nodeCrypto().createHash('sha256');
  private readonly session: RecordedSession;
  private openedAt: number | undefined;
  private finalizes = 0;
  private started = false;
  /** The session's place in the cassette once written (see write()). */
  private slot: number | undefined;
  private closed = false;
  /** Whether the socket's 'unexpected-response' is forwarded (see the constructor). */
  private forwardsResponse = false;

  constructor(
    private readonly inner: RealtimeSocket,
    url: string,
    private readonly writer: CassetteWriter,
  ) {
    super();
    this.session = {
      atMs: writer.elapsedMs(),
      path: URL.canParse(url) ? new URL(url).pathname : url,
      start: {},
      audio: { bytes: 0, sha256: '', chunks: 0 },
      controls: [],
      frames: [],
    };
    inner.once('open', () => {
      this.openedAt = Date.now();
      this.session.atMs = writer.elapsedMs();
      this.emit('open');
    });
    inner.on('message', (data, isBinary) => {
      if (!isBinary) {
        const s = this.session;
        const frame = parse(textOf(data));
        s.frames.push({
          atMs: this.now(),
          afterAudioBytes: s.audio.bytes,
          afterFinalizes: this.finalizes,
          afterEndOfAudio: s.endOfAudioAtMs !== undefined,
          ...frame,
        });
        // The last frame of a session: written now, so a caller that moves on when the stream
        // ends (before the socket's close) finds it in the cassette.
        const last =
          'json' in frame
            ? (frame.json as { finished?: unknown; error_code?: unknown } | null)
            : null;
        if (last?.finished === true || last?.error_code !== undefined) this.write();
      }
      this.emit('message', data, isBinary);
    });
    inner.on('pong', () => this.emit('pong'));
    // ws raises a refused upgrade's status only to an 'unexpected-response' listener (else an
    // 'error' that names it in words alone, which the stream cannot classify): listened to on
    // the socket as soon as the stream listens here, so a recorded 503 is retried like any.
    this.on('newListener', (event: string | symbol) => {
      if (event !== 'unexpected-response' || this.forwardsResponse) return;
      this.forwardsResponse = true;
      inner.on('unexpected-response', (request, response) =>
        this.emit('unexpected-response', request, response),
      );
    });
    inner.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    inner.on('close', (code) => {
      this.session.close = { atMs: this.now(), code };
      this.write();
      this.closed = true;
      this.emit('close', code);
    });
  }

  get readyState(): number {
    return this.inner.readyState;
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  send(data: string | Buffer, options: { binary: boolean }, done?: (error?: Error) => void): void {
    this.note(data);
    this.inner.send(data, options, done);
  }

  ping(data: undefined, mask: undefined, done?: (error?: Error) => void): void {
    this.inner.ping(data, mask, done);
  }

  pause(): void {
    this.inner.pause();
  }

  resume(): void {
    this.inner.resume();
  }

  close(code?: number): void {
    this.inner.close(code);
  }

  terminate(): void {
    this.inner.terminate();
  }

  /** Milliseconds since the socket opened. */
  private now(): number {
    return this.openedAt === undefined ? 0 : Date.now() - this.openedAt;
  }

  private note(data: string | Buffer): void {
    const s = this.session;
    const at = this.now();
    if (typeof data !== 'string') {
      this.audioHash.update(data);
      s.audio.bytes += data.length;
      s.audio.chunks += 1;
      s.audio.firstAtMs ??= at;
      s.audio.lastAtMs = at;
    } else if (data === '') {
      s.endOfAudioAtMs = at;
    } else if (!this.started) {
      // The first text frame is the start message (the stream sends it as the socket opens).
      this.started = true;
      const parsed = parse(data);
      s.start =
        'json' in parsed &&
        parsed.json !== null &&
        typeof parsed.json === 'object' &&
        !Array.isArray(parsed.json)
          ? parsed.json
          : { text: data };
    } else {
      const parsed = parse(data);
      const message = 'json' in parsed ? parsed.json : data;
      if ((message as { type?: unknown } | null)?.type === 'finalize') this.finalizes += 1;
      s.controls.push({ atMs: at, message });
    }
  }

  /** Writes the session as it stands (again, in its place, when it was written before). */
  private write(): void {
    if (this.closed) return;
    this.session.audio.sha256 = this.audioHash.copy().digest('hex');
    this.slot = this.writer.saveSession(this.session, this.slot);
  }
}

/** `inner`, with each socket it makes recorded to `writer`. */
export function recordingFactory(
  inner: WebSocketFactory,
  writer: CassetteWriter,
): WebSocketFactory {
  return (url: string, options: RealtimeSocketOptions) =>
    new RecordingSocket(inner(url, options), url, writer);
}

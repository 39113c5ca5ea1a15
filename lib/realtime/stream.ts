/**
 * RealtimeStream: a realtime session as a Duplex. Audio bytes in (binary frames, held back
 * while the socket's bufferedAmount is over the highWaterMark), token objects out (the socket
 * is paused while the reader is slow). Keepalive while no audio flows, a ping heartbeat for
 * dead connections, a deadline for `finished` after end(), and opt-in lossless reconnection.
 */
import { Duplex } from 'node:stream';
import WebSocket, { type RawData } from 'ws';
import { SonioxAbortError, SonioxTimeoutError, SonioxValidationError, SonioxWebSocketError, redact } from '../errors';
import { backoffDelay } from '../http/retry';
import type { RealtimeConfig, RealtimeMessage, RealtimeToken } from '../types';
import {
  bytesPerMs, checkConfig, frameBytes, isRawFormat, parseServerMessage, specialToken, splitConfig,
  type RealtimeOptions, type RealtimeStreamConfig,
} from './protocol';
import { ResumeBuffer, msToBytes, shiftToken } from './reconnect';

export type { RealtimeOptions, RealtimeStreamConfig, ReconnectOptions } from './protocol';

/** What the client gives every stream. */
export interface RealtimeContext {
  apiKey: string;
  realtimeURL: string;
  defaultModel: string;
}

/** Payload of the `reconnect` event. */
export interface ReconnectEvent {
  attempt: number;
  error: SonioxWebSocketError;
}

const DEFAULTS = {
  keepaliveIntervalMs: 5_000,
  heartbeatIntervalMs: 10_000,
  handshakeTimeoutMs: 10_000,
  finishTimeoutMs: 30_000,
  highWaterMark: 64 * 1024,
  reconnectBaseDelayMs: 250,
  reconnectMaxDelayMs: 5_000,
  maxBufferBytes: 16 * 1024 * 1024,
};

/** Scripts that separate words with spaces. */
const SPACED_WORD_START = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{N}]/u;

/**
 * A resumed session starts a new token stream, whose first word carries no leading space.
 * Where the transcript so far ends a word in a spaced script, give it the space the original
 * session would have sent, so joined transcripts read the same.
 */
export function joinAfterResume(token: RealtimeToken, before: string): RealtimeToken {
  if (before === '' || /\s$/.test(before) || !SPACED_WORD_START.test(token.text)) return token;
  return { ...token, text: ` ${token.text}` };
}

/** A realtime transcription session (see the file comment). */
export class RealtimeStream extends Duplex {
  private readonly start: RealtimeConfig;
  private readonly options: RealtimeOptions;
  private readonly configError: SonioxValidationError | undefined;
  private readonly hwm: number;
  private readonly replay: ResumeBuffer | undefined;
  private ws: WebSocket | undefined;
  private connecting: Promise<void> | undefined;
  private attempts = 0;
  private offsetMs = 0;
  private bytesSent = 0;
  private lastFinalEndMs = -Infinity;
  private joinPending = false;
  private finalText = '';
  private finalizedMs = 0;
  private sessionRequestId: string | undefined;
  private ending = false;
  private finished = false;
  private finishCallback: ((error?: Error | null) => void) | undefined;
  private pendingWrite: (() => void) | undefined;
  private readerPaused = false;
  private awaitingPong = false;
  private lastAudioAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sessionTimers: NodeJS.Timeout[] = [];
  private readonly onAbort = () => this.destroy(new SonioxAbortError('realtime session aborted'));

  constructor(config: RealtimeStreamConfig, private readonly context: RealtimeContext) {
    const { start, options } = splitConfig(config, context.defaultModel);
    const hwm = typeof options.highWaterMark === 'number' && options.highWaterMark > 0 ? options.highWaterMark : DEFAULTS.highWaterMark;
    super({ readableObjectMode: true, writableHighWaterMark: hwm, allowHalfOpen: true });
    this.start = start;
    this.options = options;
    this.hwm = hwm;
    // The context holds the API key: keep it out of util.inspect.
    Object.defineProperty(this, 'context', { enumerable: false });
    const issues = checkConfig(start, options);
    if (issues.length) {
      this.configError = new SonioxValidationError(
        `invalid realtime config: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
      // Emitted on the next tick so the caller can attach an 'error' listener first.
      process.nextTick(() => this.destroy(this.configError));
    } else if (options.reconnect) {
      this.replay = new ResumeBuffer(options.reconnect.maxBufferBytes ?? DEFAULTS.maxBufferBytes, frameBytes(start));
    }
    if (options.signal) {
      if (options.signal.aborted) process.nextTick(this.onAbort);
      else options.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** The final transcript so far (final tokens' text, specials excluded). */
  get transcript(): string {
    return this.finalText;
  }

  /** Audio sent so far, in ms (raw formats; undefined for containers). */
  get audioMsSent(): number | undefined {
    const perMs = bytesPerMs(this.start);
    return perMs > 0 ? Math.floor(this.bytesSent / perMs) : undefined;
  }

  /** Audio bytes sent so far. */
  get audioBytesSent(): number {
    return this.bytesSent;
  }

  /** Audio the server has finalized, in ms from the stream start. */
  get finalizedAudioMs(): number {
    return this.finalizedMs;
  }

  /** The server's request id, once it gave one. */
  get requestId(): string | undefined {
    return this.sessionRequestId;
  }

  /** Opens the connection and sends the config; resolves when the session is open. Idempotent. */
  connect(): Promise<void> {
    if (this.configError) return Promise.reject(this.configError);
    if (this.destroyed) return Promise.reject(new SonioxWebSocketError('the realtime stream is destroyed'));
    this.connecting ??= this.openSession();
    return this.connecting;
  }

  /** Asks the server to finalize everything so far; it answers with a `finalized` event. */
  finalize(options: { trailing_silence_ms?: number } = {}): void {
    const message: Record<string, unknown> = { type: 'finalize' };
    if (options.trailing_silence_ms !== undefined) message.trailing_silence_ms = options.trailing_silence_ms;
    void this.ready().then((ws) => ws.send(JSON.stringify(message)), () => undefined);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.ready().then((ws) => {
      this.replay?.push(chunk);
      this.bytesSent += chunk.length;
      this.lastAudioAt = Date.now();
      ws.send(chunk, { binary: true }, () => this.releaseWrite());
      if (ws.bufferedAmount <= this.hwm) callback();
      else this.pendingWrite = () => callback();
    }, (error: Error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ending = true;
    this.ready().then((ws) => {
      this.finishCallback = callback;
      ws.send('');
      const ms = this.options.finishTimeoutMs ?? DEFAULTS.finishTimeoutMs;
      this.later(ms, () => this.destroy(new SonioxTimeoutError(`no 'finished' from the server within ${ms} ms of end()`, ms)));
    }, (error: Error) => callback(error));
  }

  override _read(): void {
    if (this.readerPaused) {
      this.readerPaused = false;
      this.ws?.resume();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stopSessionTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    }
    const pending = this.pendingWrite;
    this.pendingWrite = undefined;
    pending?.();
    callback(error);
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  /** The open socket, connecting (or waiting for a reconnect) first. */
  private async ready(): Promise<WebSocket> {
    while (true) {
      await this.connect();
      if (this.ws && this.ws.readyState === WebSocket.OPEN) return this.ws;
      if (this.destroyed) throw new SonioxWebSocketError('the realtime stream is destroyed');
      // A reconnect replaced `connecting`: wait for it.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private releaseWrite(): void {
    if (this.pendingWrite && (!this.ws || this.ws.bufferedAmount <= this.hwm)) {
      const release = this.pendingWrite;
      this.pendingWrite = undefined;
      release();
    }
  }

  private async openSession(): Promise<void> {
    const getKey = this.options.reconnect?.getApiKey;
    const key = getKey ? await getKey() : this.context.apiKey;
    const auth = this.options.auth ?? 'header';
    const ws = new WebSocket(this.context.realtimeURL, {
      perMessageDeflate: false,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      headers: auth === 'header' ? { Authorization: `Bearer ${key}` } : undefined,
    });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const onOpen = () => {
        ws.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        ws.off('open', onOpen);
        reject(new SonioxWebSocketError(`cannot open the realtime session: ${redact(error.message, [key])}`));
      };
      ws.once('open', onOpen);
      ws.once('error', onError);
    });
    if (this.ws !== ws || this.destroyed) {
      ws.terminate();
      throw new SonioxWebSocketError('the realtime stream was destroyed while connecting');
    }
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on('close', (code: number) => this.onClose(ws, code));
    ws.on('error', () => undefined);
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.send(JSON.stringify(auth === 'message' ? { ...this.start, api_key: key } : this.start));
    this.startSessionTimers(ws);
    this.emit('open');
  }

  private startSessionTimers(ws: WebSocket): void {
    const keepalive = this.options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs;
    const heartbeat = this.options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs;
    this.lastAudioAt = Date.now();
    this.awaitingPong = false;
    this.sessionTimers = [
      setInterval(() => {
        if (Date.now() - this.lastAudioAt >= keepalive && ws.readyState === WebSocket.OPEN) ws.send('{"type":"keepalive"}');
      }, keepalive),
      setInterval(() => {
        if (this.awaitingPong) {
          this.fail(ws, new SonioxWebSocketError(`no pong from the server within ${heartbeat} ms: the connection is dead`, { closeCode: 1006 }));
          return;
        }
        this.awaitingPong = true;
        ws.ping();
      }, heartbeat),
    ];
  }

  private stopSessionTimers(): void {
    for (const timer of this.sessionTimers) clearInterval(timer);
    this.sessionTimers = [];
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
    const parsed = isBinary ? new SonioxWebSocketError('malformed message from the server (a binary frame)') : parseServerMessage(text);
    if (parsed instanceof SonioxWebSocketError) {
      if (parsed.requestId) this.sessionRequestId = parsed.requestId;
      this.fail(ws, parsed);
      return;
    }
    this.handleResult(parsed);
  }

  private handleResult(message: RealtimeMessage): void {
    if (message.request_id) this.sessionRequestId = message.request_id;
    this.emit('result', message);
    if (typeof message.final_audio_proc_ms === 'number') {
      this.finalizedMs = Math.max(this.finalizedMs, this.offsetMs + message.final_audio_proc_ms);
      if (this.replay) this.replay.dropTo(Math.min(this.bytesSent, msToBytes(this.finalizedMs, bytesPerMs(this.start), frameBytes(this.start))));
    }
    let more = true;
    let first = true;
    for (const raw of message.tokens) {
      const special = specialToken(raw);
      if (special) {
        this.emit(special);
        continue;
      }
      let token: RealtimeToken = shiftToken(raw, this.offsetMs);
      if (this.joinPending && first) token = joinAfterResume(token, this.finalText);
      first = false;
      if (token.is_final) {
        // After a reconnect the replayed audio may finalize a token again: deliver it once.
        if (token.end_ms !== undefined && token.end_ms <= this.lastFinalEndMs) continue;
        if (token.end_ms !== undefined) this.lastFinalEndMs = token.end_ms;
        this.finalText += token.text;
        this.joinPending = false;
      } else if (this.options.tokens === 'final') {
        continue;
      }
      more = this.push(token) && more;
    }
    if (!more && this.ws && !this.readerPaused) {
      this.readerPaused = true;
      this.ws.pause();
    }
    if (message.finished) {
      this.finished = true;
      this.stopSessionTimers();
      this.emit('finished', message);
      this.push(null);
      const done = this.finishCallback;
      this.finishCallback = undefined;
      done?.();
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws || this.finished || this.destroyed) return;
    this.fail(ws, new SonioxWebSocketError(`the realtime connection closed unexpectedly (code ${code}) before the session finished`, { closeCode: code }));
  }

  /** A session failed: reconnect when allowed, else destroy the stream with the error. */
  private fail(ws: WebSocket | undefined, error: SonioxWebSocketError): void {
    if (ws !== this.ws || this.destroyed) return;
    this.stopSessionTimers();
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
    const policy = this.options.reconnect;
    if (policy && error.retryable && this.attempts < policy.maxAttempts && isRawFormat(this.start.audio_format)) {
      this.attempts += 1;
      this.emit('reconnect', { attempt: this.attempts, error } satisfies ReconnectEvent);
      this.connecting = this.reconnect(policy.baseDelayMs ?? DEFAULTS.reconnectBaseDelayMs, policy.maxDelayMs ?? DEFAULTS.reconnectMaxDelayMs);
      this.connecting.catch(() => undefined);
      return;
    }
    this.destroy(error);
  }

  private async reconnect(baseDelayMs: number, maxDelayMs: number): Promise<void> {
    const delay = backoffDelay(this.attempts, { baseDelayMs, maxDelayMs });
    await new Promise<void>((resolve) => this.later(delay, resolve));
    const replay = this.replay as ResumeBuffer;
    // The new session's 0 is the first byte we replay.
    this.offsetMs = replay.start / bytesPerMs(this.start);
    try {
      await this.openSession();
    } catch (error) {
      const failure = error instanceof SonioxWebSocketError ? error : new SonioxWebSocketError(`cannot reconnect: ${(error as Error).message}`);
      // A failed reconnect counts as a failed session: try again, or give up, the same way.
      this.ws = undefined;
      this.fail(undefined, failure);
      return this.connecting;
    }
    const ws = this.ws as WebSocket;
    this.joinPending = this.finalText !== '';
    for (const chunk of replay.contents()) ws.send(chunk, { binary: true });
    if (this.ending) ws.send('');
    this.releaseWrite();
  }
}

/**
 * RealtimeStream: a realtime session as a Duplex. Audio bytes in (binary frames, held back
 * while the socket's bufferedAmount is over the highWaterMark), token objects out (the socket
 * is paused while the reader is slow). Keepalive while no audio flows, a heartbeat for dead
 * connections, a deadline for `finished` after end(), and opt-in lossless reconnection.
 *
 * The session is an explicit state machine. `phase` changes only in `transition()`, which
 * settles every waiter (connect() promises, the held write, end()'s callback):
 *
 *   idle --connect()/write()/end()--> connecting --open--> open --end()--> finishing
 *                                         |                 |  ^              |
 *                                         |        drop/503 |  | reopened     | 'finished'
 *                                         |                 v  |              v
 *                                         |            reconnecting        finished
 *                                         |                 | attempts spent
 *                                         +-----------------+----> failed / destroyed
 *
 * A Connection owns one socket and its timers; the stream holds at most one. Token
 * bookkeeping lives in TokenAssembler (pure).
 */
import { ReadStream } from 'node:fs';
import { Duplex, type Readable } from 'node:stream';
import { byteRate, isRawAudioFormat } from '../audio';
import {
  SonioxAbortError,
  SonioxTimeoutError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../errors';
import { follow } from '../http/follow-signal';
import { backoffDelay } from '../http/retry';
import type { RealtimeMessage, RealtimeStartMessage, RealtimeToken } from '../types';
import { Connection, type WebSocketFactory } from './connection';
import {
  QueuedMarker,
  afterDrained,
  type MarkerKind,
  type RealtimeItem,
  type RealtimeMarker,
} from './markers';
import {
  bytesPerMs,
  checkConfig,
  frameBytes,
  isRawFormat,
  parseServerMessage,
  splitConfig,
  type RealtimeOptions,
  type RealtimeStreamConfig,
} from './protocol';
import { ResumeBuffer, msToBytes } from './reconnect';
import { Pacer } from './pacer';
import { TokenAssembler } from './token-assembler';
import type { TranslationPair } from './translation';

export type { RealtimeOptions, RealtimeStreamConfig, ReconnectOptions } from './protocol';
export type {
  WebSocketFactory,
  RealtimeSocket,
  RealtimeSocketOptions,
  RealtimeSocketData,
} from './connection';
export { joinAfterResume } from './token-assembler';
export type { RealtimeMarker, RealtimeItem, MarkerDelivery } from './markers';
export type { TranslationPair } from './translation';
export { isRealtimeMarker } from './markers';

/** What the client gives every stream. */
export interface RealtimeContext {
  apiKey: string;
  realtimeURL: string;
  defaultModel: string;
}

/** Payload of the `reconnect` event, emitted as a new connection attempt starts. */
export interface ReconnectEvent {
  /** 1 for the first reconnection of the stream. */
  attempt: number;
  /** Why the previous connection ended. */
  error: SonioxWebSocketError;
  /** Audio sent but never finalized that the bounded replay buffer no longer held: it is lost (0 normally). */
  unreplayedAudioMs: number;
}

/**
 * Audio the server has processed, in ms on the stream's clock (from final_audio_proc_ms and
 * total_audio_proc_ms; after a reconnection, counted from the stream's start).
 */
export interface RealtimeUsage {
  /** Audio finalized: its final tokens are out. */
  finalMs: number;
  /** Audio processed, finalized or not. */
  totalMs: number;
}

/**
 * The events of a RealtimeStream and their arguments (a misspelt event name fails to compile).
 * `endpoint`, `finalized` and `finished` come in stream order: after the reader has taken every
 * token before them (while nobody reads the tokens yet, as they arrive).
 */
export interface RealtimeStreamEvents<T extends RealtimeItem = RealtimeToken> {
  open: [];
  result: [message: RealtimeMessage];
  endpoint: [];
  finalized: [];
  reconnect: [event: ReconnectEvent];
  finished: [message: RealtimeMessage, usage: RealtimeUsage];
  error: [error: Error];
  close: [];
  data: [item: T];
  end: [];
  drain: [];
  finish: [];
  pause: [];
  resume: [];
  readable: [];
  pipe: [source: Readable];
  unpipe: [source: Readable];
}

type Listener<T extends RealtimeItem, E extends keyof RealtimeStreamEvents<T>> = (
  ...args: RealtimeStreamEvents<T>[E]
) => void;

/** Where a stream is in its life (see the file comment). */
export type RealtimePhase =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'finishing'
  | 'finished'
  | 'failed'
  | 'destroyed';

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

type Callback = (error?: Error | null) => void;
interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** `new WebSocket(url, options)` of ws, loaded with the first connection rather than at `require` time. */
const defaultFactory: WebSocketFactory = (url, options) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const WebSocket = require('ws') as typeof import('ws');
  return new WebSocket(url, options);
};

/**
 * A realtime transcription session (see the file comment). `T` is what the readable side
 * yields: tokens, and marker objects too with `markers: 'inband'`.
 */
export class RealtimeStream<T extends RealtimeItem = RealtimeToken> extends Duplex {
  private readonly start: RealtimeStartMessage;
  private readonly options: RealtimeOptions;
  private readonly configError: SonioxValidationError | undefined;
  private readonly hwm: number;
  private readonly replay: ResumeBuffer | undefined;
  private readonly tokens = new TokenAssembler();
  private state: RealtimePhase = 'idle';
  private failure: Error | undefined;
  // The context (the API key), the connection (its upgrade request) and the key in use are
  // `#private`: out of util.inspect, JSON and property enumeration.
  readonly #context: RealtimeContext;
  #connection: Connection | undefined;
  #currentKey: string | undefined;
  private waiters: Waiter[] = [];
  /** A write that came while no connection was open: sent once one is. */
  private queuedWrite: { chunk: Buffer; callback: Callback } | undefined;
  /** The callback of a sent write, held while the socket's buffer is over the highWaterMark. */
  private heldWrite: Callback | undefined;
  /** end()'s callback, run on `finished`. */
  private finishCallback: Callback | undefined;
  private endRequested = false;
  private readerPaused = false;
  private attempts = 0;
  private backoff: NodeJS.Timeout | undefined;
  private bytesSent = 0;
  private sessionRequestId: string | undefined;
  private readonly onAbort = () => this.destroy(new SonioxAbortError('realtime session aborted'));
  /** Stops following the caller's signal (many streams may share one: one listener in all). */
  private unfollow: () => void = () => undefined;
  /** Where pipe() sends the tokens: a marker waits for them to write what came before it. */
  private readonly destinations = new Set<NodeJS.WritableStream>();
  /** Paces the audio sent, when pacing applies (see RealtimeOptions.pacing). */
  private pacer: Pacer | undefined;

  constructor(config: RealtimeStreamConfig, context: RealtimeContext) {
    const { start, options } = splitConfig(config, context.defaultModel);
    const hwm =
      typeof options.highWaterMark === 'number' && options.highWaterMark > 0
        ? options.highWaterMark
        : DEFAULTS.highWaterMark;
    super({ readableObjectMode: true, writableHighWaterMark: hwm, allowHalfOpen: true });
    this.#context = context;
    this.start = start;
    this.options = options;
    this.hwm = hwm;
    const issues = checkConfig(start, options);
    if (issues.length) {
      this.configError = new SonioxValidationError(
        `invalid realtime config: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
      // Emitted on the next tick so the caller can attach an 'error' listener first.
      process.nextTick(() => this.destroy(this.configError));
    } else if (options.reconnect) {
      this.replay = new ResumeBuffer(
        options.reconnect.maxBufferBytes ?? DEFAULTS.maxBufferBytes,
        frameBytes(start),
      );
    }
    if (options.pacing === true || typeof options.pacing === 'object') {
      this.pacer = this.makePacer(options.pacing === true);
    } else if (options.pacing === undefined) {
      // A file piped in is pre-recorded: pace it. Any other source may be live: never delay it.
      this.on('pipe', (source) => {
        if (source instanceof ReadStream && !this.configError) this.pacer ??= this.makePacer(false);
      });
    }
    if (options.signal instanceof AbortSignal) {
      if (options.signal.aborted) process.nextTick(this.onAbort);
      else {
        const aborted = new AbortController();
        aborted.signal.addEventListener('abort', this.onAbort, { once: true });
        this.unfollow = follow(options.signal, aborted);
      }
    }
  }

  /** Adds a listener of a known event, its arguments typed. */
  override on<E extends keyof RealtimeStreamEvents<T>>(event: E, listener: Listener<T, E>): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Adds a one-time listener of a known event, its arguments typed. */
  override once<E extends keyof RealtimeStreamEvents<T>>(event: E, listener: Listener<T, E>): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  /** Removes a listener. */
  override off<E extends keyof RealtimeStreamEvents<T>>(event: E, listener: Listener<T, E>): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  /** Iterates over the tokens (and markers, when in-band): `for await (const token of stream)`. */
  override [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return super[Symbol.asyncIterator]() as AsyncIterableIterator<T>;
  }

  /** Reads the next token (or in-band marker); a marker met on the way has its event emitted first. */
  override read(size?: number): T | null {
    for (;;) {
      const item: unknown = super.read(size);
      if (!(item instanceof QueuedMarker)) return item as T | null;
      // Its event was emitted as super.read() gave it out as 'data' (see emit()).
      if (item.waiting) return null;
      if (item.shown) return item.shown as T;
    }
  }

  /** Sends the tokens to `destination`; markers wait for it to have written the tokens before them. */
  override pipe<W extends NodeJS.WritableStream>(destination: W, options?: { end?: boolean }): W {
    this.destinations.add(destination);
    return super.pipe(destination, options);
  }

  /** Stops sending to `destination` (to every destination when none is named). */
  override unpipe(destination?: NodeJS.WritableStream): this {
    if (destination) this.destinations.delete(destination);
    else this.destinations.clear();
    return super.unpipe(destination);
  }

  /**
   * Every item leaves the readable buffer as a 'data' event (read(), flowing mode, pipe):
   * a queued marker is caught here, where it reaches the reader, and becomes its event.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const item = args[0];
    if (event === 'data' && item instanceof QueuedMarker) {
      this.deliverMarker(item);
      return true;
    }
    return super.emit(event, ...args);
  }

  /** Where the session is in its life. */
  get phase(): RealtimePhase {
    return this.state;
  }

  /** The final transcript so far: final tokens' text in the spoken language(s), specials and translations excluded. */
  get transcript(): string {
    return this.tokens.transcript;
  }

  /**
   * The final translation so far, for one-way translation (empty without translation). With
   * two-way translation it is empty: each direction is in `translations`, never glued together.
   */
  get translation(): string {
    const config = this.start.translation as { type?: unknown } | undefined;
    return config?.type === 'two_way' ? '' : this.tokens.translation;
  }

  /** The final translation so far per target language (`{ es: 'Buenos días' }`). */
  get translations(): Record<string, string> {
    return this.tokens.translations;
  }

  /** The final original text so far per spoken language (with language identification or translation). */
  get originals(): Record<string, string> {
    return this.tokens.originals;
  }

  /** The translated segments so far, each original with its translation, in the order spoken. */
  get translationPairs(): TranslationPair[] {
    return this.tokens.translationPairs;
  }

  /** Audio sent so far, in ms (raw formats; undefined for containers). */
  get audioMsSent(): number | undefined {
    const perMs = bytesPerMs(this.start);
    return perMs > 0 ? Math.floor(this.bytesSent / perMs) : undefined;
  }

  /** Bytes per second the audio is paced at; undefined while not paced (or not yet known). */
  get pacingRate(): number | undefined {
    return this.pacer?.bytesPerSecond;
  }

  /** Audio bytes sent so far. */
  get audioBytesSent(): number {
    return this.bytesSent;
  }

  /** Audio the server has processed so far: finalized (`finalMs`) and in all (`totalMs`). */
  get audioProcessed(): RealtimeUsage {
    return { finalMs: this.tokens.finalizedAudioMs, totalMs: this.tokens.processedAudioMs };
  }

  /** Audio the server has finalized, in ms from the stream start. */
  get finalizedAudioMs(): number {
    return this.tokens.finalizedAudioMs;
  }

  /** The server's request id, once it gave one. */
  get requestId(): string | undefined {
    return this.sessionRequestId;
  }

  /** Opens the connection and sends the config; resolves when the session is open. Idempotent. */
  connect(): Promise<void> {
    if (this.configError) return Promise.reject(this.configError);
    switch (this.state) {
      case 'idle':
        this.transition('connecting');
        void this.openConnection();
        return this.waitForOpen();
      case 'connecting':
      case 'reconnecting':
        return this.waitForOpen();
      case 'open':
      case 'finishing':
      case 'finished':
        return Promise.resolve();
      default:
        return Promise.reject(this.terminalError());
    }
  }

  /** Asks the server to finalize everything so far; it answers with a `finalized` event. */
  finalize(options: { trailing_silence_ms?: number } = {}): void {
    const message: Record<string, unknown> = { type: 'finalize' };
    if (options.trailing_silence_ms !== undefined)
      message.trailing_silence_ms = options.trailing_silence_ms;
    this.connect().then(
      () => this.#connection?.send(JSON.stringify(message)),
      () => undefined,
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    if (this.pacer) this.pacer.write(chunk, (slice, done) => this.writeNow(slice, done), callback);
    else this.writeNow(chunk, callback);
  }

  /** Sends audio now, or queues it for the connection on its way. */
  private writeNow(chunk: Buffer, callback: Callback): void {
    switch (this.state) {
      case 'open':
        this.sendAudio(chunk, callback);
        return;
      case 'idle':
      case 'connecting':
      case 'reconnecting':
        this.queuedWrite = { chunk, callback };
        this.connect().catch(() => undefined);
        return;
      default:
        // Finished (the server ended the session; Node itself refuses writes to a failed or destroyed stream).
        callback(
          new SonioxWebSocketError('cannot write audio: the realtime session has already finished'),
        );
    }
  }

  override _final(callback: Callback): void {
    switch (this.state) {
      case 'open':
        this.finishCallback = callback;
        this.sendEndOfAudio();
        return;
      case 'idle':
      case 'connecting':
      case 'reconnecting':
        // Sent once a connection is open (after any replay), exactly once.
        this.endRequested = true;
        this.finishCallback = callback;
        this.connect().catch(() => undefined);
        return;
      default:
        // Finished already (the server ended the session first): nothing left to send.
        callback();
    }
  }

  override _read(): void {
    if (this.readerPaused) {
      this.readerPaused = false;
      this.#connection?.resume();
    }
  }

  override _destroy(error: Error | null, callback: Callback): void {
    this.unfollow();
    // A finished session closing its stream (both sides done) stays 'finished'.
    if (error || this.state !== 'finished')
      this.transition(
        error ? 'failed' : 'destroyed',
        error ?? new SonioxWebSocketError('the realtime stream was destroyed'),
      );
    callback(error);
  }

  /** Moves to `next`; settles every waiter that `next` decides. The only writer of `state`. */
  private transition(next: RealtimePhase, error?: Error): void {
    if (this.state === 'failed' || this.state === 'destroyed') return;
    this.state = next;
    if (next === 'open' || next === 'finishing' || next === 'finished') {
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
      if (next === 'finished') this.retireConnection(true);
      return;
    }
    if (next !== 'failed' && next !== 'destroyed') return;
    this.failure = error;
    clearTimeout(this.backoff);
    this.backoff = undefined;
    this.retireConnection(false);
    const failure = this.terminalError();
    for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    const queued = this.queuedWrite;
    const held = this.heldWrite;
    const finish = this.finishCallback;
    this.queuedWrite = undefined;
    this.heldWrite = undefined;
    this.finishCallback = undefined;
    queued?.callback(failure);
    held?.();
    this.pacer?.cancel()?.(failure);
    finish?.(failure);
  }

  /** A pacer for this stream's audio; `required`: audio it cannot time fails the stream. */
  private makePacer(required: boolean): Pacer {
    const pacing = this.options.pacing;
    const format = this.start.audio_format ?? 'auto';
    if (typeof pacing === 'object') return new Pacer({ bytesPerSecond: pacing.bytesPerSecond });
    if (isRawAudioFormat(format))
      return new Pacer({
        bytesPerSecond: byteRate(format, this.start.sample_rate, this.start.num_channels),
        blockAlign: frameBytes(this.start),
      });
    return new Pacer({ sniffWav: format === 'wav' || format === 'auto', required });
  }

  private terminalError(): Error {
    return this.failure ?? new SonioxWebSocketError('the realtime stream is destroyed');
  }

  private waitForOpen(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private retireConnection(graceful: boolean): void {
    this.#connection?.retire(graceful);
    this.#connection = undefined;
  }

  /** Opens a connection (the first, or a reconnection after the backoff). */
  private async openConnection(): Promise<void> {
    let key: string;
    try {
      const getKey = this.options.reconnect?.getApiKey;
      key = getKey ? await getKey() : this.#context.apiKey;
    } catch (error) {
      this.onConnectionFailure(
        new SonioxWebSocketError(
          `cannot get an API key for the realtime session: ${(error as Error).message}`,
          { cause: error },
        ),
      );
      return;
    }
    if (this.state !== 'connecting' && this.state !== 'reconnecting') return;
    this.#currentKey = key;
    const auth = this.options.auth ?? 'header';
    const connection: Connection = new Connection(
      this.#context.realtimeURL,
      auth === 'header' ? { Authorization: `Bearer ${key}` } : undefined,
      key,
      {
        handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
        keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
      },
      {
        open: () =>
          this.onOpen(
            connection,
            auth === 'message' ? { ...this.start, api_key: key } : this.start,
          ),
        message: (text) => this.onMessage(text),
        failure: (error) => {
          if (this.#connection === connection) this.onConnectionFailure(error);
        },
      },
      this.options.webSocketFactory ?? defaultFactory,
    );
    this.#connection = connection;
  }

  private onOpen(connection: Connection, start: RealtimeStartMessage): void {
    connection.send(JSON.stringify(start));
    if (this.readerPaused) connection.pause();
    if (this.state === 'reconnecting') {
      for (const chunk of this.replay?.contents() ?? []) connection.send(chunk);
    }
    if (this.endRequested) {
      this.sendEndOfAudio();
    } else {
      this.transition('open');
      this.flushWrites();
    }
    this.emit('open');
  }

  /** Sends the write that waited for a connection, and releases a write held over a dropped one. */
  private flushWrites(): void {
    const queued = this.queuedWrite;
    this.queuedWrite = undefined;
    if (queued) this.sendAudio(queued.chunk, queued.callback);
    this.releaseHeldWrite();
  }

  private sendAudio(chunk: Buffer, callback: Callback): void {
    const connection = this.#connection as Connection;
    this.replay?.push(chunk);
    this.bytesSent += chunk.length;
    connection.send(chunk, () => this.releaseHeldWrite());
    if (connection.bufferedAmount <= this.hwm) callback();
    else this.heldWrite = callback;
  }

  private releaseHeldWrite(): void {
    if (!this.heldWrite) return;
    if (this.#connection && this.#connection.bufferedAmount > this.hwm) return;
    const release = this.heldWrite;
    this.heldWrite = undefined;
    release();
  }

  /** Sends end-of-audio on the open connection and arms the deadline for `finished`. */
  private sendEndOfAudio(): void {
    const connection = this.#connection as Connection;
    this.endRequested = false;
    connection.send('');
    const ms = this.options.finishTimeoutMs ?? DEFAULTS.finishTimeoutMs;
    connection.armFinishDeadline(ms, () =>
      this.destroy(
        new SonioxTimeoutError(`no 'finished' from the server within ${ms} ms of end()`, ms),
      ),
    );
    this.transition('finishing');
    this.releaseHeldWrite();
  }

  private onMessage(text: string | undefined): void {
    const parsed =
      text === undefined
        ? new SonioxWebSocketError('malformed message from the server (a binary frame)')
        : parseServerMessage(text, [this.#context.apiKey, this.#currentKey]);
    if (parsed instanceof SonioxWebSocketError) {
      if (parsed.requestId) this.sessionRequestId = parsed.requestId;
      this.onConnectionFailure(parsed);
      return;
    }
    this.onResult(parsed);
  }

  private onResult(message: RealtimeMessage): void {
    if (message.request_id) this.sessionRequestId = message.request_id;
    this.emit('result', message);
    const { items } = this.tokens.accept(message);
    if (this.replay) {
      const finalized = msToBytes(
        this.tokens.finalizedAudioMs,
        bytesPerMs(this.start),
        frameBytes(this.start),
      );
      this.replay.dropTo(Math.min(this.bytesSent, finalized));
    }
    let more = true;
    for (const item of items) {
      if (typeof item === 'string') more = this.queueMarker(item, undefined) && more;
      else if (item.is_final || this.options.tokens !== 'final') more = this.push(item) && more;
    }
    if (message.finished) {
      this.transition('finished');
      // The readable side ends as the reader gets to `finished`.
      this.queueMarker('finished', message);
      const done = this.finishCallback;
      this.finishCallback = undefined;
      done?.();
      return;
    }
    if (!more && !this.readerPaused) {
      this.readerPaused = true;
      this.#connection?.pause();
    }
  }

  /**
   * Puts a marker in the readable buffer, behind the tokens before it. While nobody reads the
   * tokens at all (no reader has ever attached), its event is emitted at once: it would
   * otherwise wait for a reader that may never come.
   */
  private queueMarker(kind: MarkerKind, message: RealtimeMessage | undefined): boolean {
    const inband = this.options.markers === 'inband' && kind !== 'finished';
    const shown: RealtimeMarker | undefined = inband ? Object.freeze({ marker: kind }) : undefined;
    const queued = new QueuedMarker(kind, message, shown);
    if (this.readableFlowing === null) {
      this.emitMarker(queued);
      if (kind === 'finished') return this.push(null);
      if (!inband) return true;
    }
    return this.push(queued);
  }

  /** A queued marker reached the reader: emit its event once piped destinations wrote what came before. */
  private deliverMarker(queued: QueuedMarker): void {
    const waits = afterDrained(this.destinations, () => {
      queued.waiting = false;
      if (this.destroyed) return;
      this.markerReached(queued);
      this.resume();
    });
    if (waits) {
      queued.waiting = true;
      this.pause();
      return;
    }
    this.markerReached(queued);
  }

  /** The reader got to `queued`: its event, its in-band object, and after `finished` the end of the tokens. */
  private markerReached(queued: QueuedMarker): void {
    this.emitMarker(queued);
    if (queued.shown) super.emit('data', queued.shown);
    if (queued.kind === 'finished') this.push(null);
  }

  private emitMarker(queued: QueuedMarker): void {
    if (queued.emitted) return;
    queued.emitted = true;
    if (queued.kind === 'finished') this.emit('finished', queued.message, this.audioProcessed);
    else this.emit(queued.kind);
  }

  /** A connection failed or dropped: reconnect when allowed, else fail the stream with `error`. */
  private onConnectionFailure(error: SonioxWebSocketError): void {
    this.retireConnection(false);
    const policy = this.options.reconnect;
    // The first connection counts too: a busy server at the handshake is as transient as a drop.
    const resumable =
      this.state === 'open' ||
      this.state === 'finishing' ||
      this.state === 'reconnecting' ||
      this.state === 'connecting';
    if (
      policy &&
      resumable &&
      error.retryable &&
      this.attempts < policy.maxAttempts &&
      isRawFormat(this.start.audio_format)
    ) {
      if (this.state === 'finishing') this.endRequested = true;
      this.transition('reconnecting');
      const delay = backoffDelay(this.attempts + 1, {
        baseDelayMs: policy.baseDelayMs ?? DEFAULTS.reconnectBaseDelayMs,
        maxDelayMs: policy.maxDelayMs ?? DEFAULTS.reconnectMaxDelayMs,
      });
      this.backoff = setTimeout(() => this.reconnect(error), delay);
      return;
    }
    if (this.waiters.length) {
      // A connect() promise reports the failure: rejecting it is enough, an unheard 'error' would crash the caller.
      this.transition('failed', error);
      this.destroy();
      return;
    }
    this.destroy(error);
  }

  /** The backoff is over: a new attempt starts now. */
  private reconnect(error: SonioxWebSocketError): void {
    this.backoff = undefined;
    this.attempts += 1;
    const replay = this.replay as ResumeBuffer;
    const perMs = bytesPerMs(this.start);
    const finalized = msToBytes(this.tokens.finalizedAudioMs, perMs, frameBytes(this.start));
    this.emit('reconnect', {
      attempt: this.attempts,
      error,
      unreplayedAudioMs: Math.max(0, Math.floor((replay.start - finalized) / perMs)),
    } satisfies ReconnectEvent);
    // The new session's 0 is the first byte replayed.
    this.tokens.resume(replay.start / perMs);
    void this.openConnection();
  }
}

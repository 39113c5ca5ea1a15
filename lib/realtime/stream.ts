/**
 * RealtimeStream: a realtime session as a Duplex. Audio bytes in (binary frames, held back
 * while the socket's bufferedAmount is over the highWaterMark), token objects out (the socket
 * is paused while the reader is slow). Keepalive while no audio flows, a heartbeat for dead
 * connections, a deadline for `finished` after end(), opt-in lossless reconnection, and session
 * starts queued behind the client's adaptive limiter when the account's limits answer 429.
 *
 * The session is an explicit state machine over the phases and edges of phase.ts (its diagram
 * and table of edges): `phase` changes only in `transition()`, which asserts the edge and
 * settles every waiter (connect() promises, the held write, end()'s callback). Its pieces live
 * apart: a Connection owns one socket and its timers (the stream holds at most one), token
 * bookkeeping is TokenAssembler's, reconnection and admission the Reconnector's (reconnect.ts:
 * it decides and waits, and reports to the stream, which alone moves the phase), marker delivery
 * the Markers' (markers.ts), pacing the Pacer's, the typed events events.ts's.
 */
import { ReadStream } from 'node:fs';
import {
  SonioxAbortError,
  SonioxTimeoutError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../errors';
import { follow } from '../internal/follow-signal';
import type { RealtimeMessage, RealtimeStartMessage, RealtimeToken } from '../types';
import { Connection, defaultWebSocketFactory } from './connection';
import { AudioOut, type Callback } from './audio-out';
import { asRealtimeError, type RealtimeStreamError } from './events';
import { Markers, type RealtimeItem } from './markers';
import { assertEdge, isTerminal, type RealtimePhase } from './phase';
import {
  bytesPerMs,
  checkConfig,
  frameBytes,
  isRawFormat,
  parseServerMessage,
  splitConfig,
  resolveOptions,
  DEFAULT_REPLAY_BYTES,
  type ResolvedRealtimeOptions,
  type RealtimeOptions,
  type RealtimeStreamConfig,
} from './protocol';
import { Reconnector, ResumeBuffer } from './reconnect';
import { pacerFor } from './pacer';
import { SessionStarts } from './session-starts';
import { RealtimeSurface, type RealtimeContext } from './surface';

export * from './surface';

interface Waiter {
  resolve(): void;
  reject(error: RealtimeStreamError): void;
}

/**
 * A realtime transcription session (see the file comment). `T` is what the readable side
 * yields: tokens, and marker objects too with `markers: 'inband'`.
 */
export class RealtimeStream<T extends RealtimeItem = RealtimeToken> extends RealtimeSurface<T> {
  private readonly options: RealtimeOptions;
  /** The options with their defaults, resolved once. */
  private readonly resolved: ResolvedRealtimeOptions;
  private readonly configError: SonioxValidationError | undefined;
  private failure: RealtimeStreamError | undefined;
  // The context (the API key), the connection (its upgrade request) and the key in use are
  // `#private`: out of util.inspect, JSON and property enumeration.
  readonly #context: RealtimeContext;
  #connection: Connection | undefined;
  #currentKey: string | undefined;
  /** connect() promises: settled by the server's verdict on the session (or the stream's end). */
  private connectWaiters: Waiter[] = [];
  /** finalize() calls made before a socket was open: sent as one opens. */
  private openWaiters: Waiter[] = [];
  /** Whether the server accepted the current session (see acceptanceWindowMs): connect() resolves. */
  private accepted = false;
  /** The write path onto the current connection (queued and held writes). */
  private readonly audio: AudioOut;
  /** end()'s callback, run on `finished`. */
  private finishCallback: Callback | undefined;
  private endRequested = false;
  private readerPaused = false;
  /** Reconnection and admission: the key, the limiter's token, the replay, the retries. */
  private readonly reconnector: Reconnector;
  private readonly onAbort = () => this.destroy(new SonioxAbortError('realtime session aborted'));
  /** Stops following the caller's signal (many streams may share one: one listener in all). */
  private unfollow: () => void = () => undefined;
  /** Aborted as the stream ends: a start waiting for the session limiter stops waiting. */
  private readonly lifetime = new AbortController();
  /** Marker delivery: markers in the readable buffer, their events as the reader gets to them. */
  private readonly markers: Markers;
  /**
   * Set while a session the server ended in failure waits for the reader to take the tokens
   * before the failure (see failAfterReader): `quiet` when a connect() promise reported it.
   */
  private pendingFailure: { quiet: boolean } | undefined;
  /**
   * Callbacks of writes and of end() pending as the session failed, or made while its failure
   * waits for the reader: they settle with the failure as the stream is destroyed (_destroy).
   * An error given to one earlier would destroy the stream with it: the tokens still buffered
   * dropped, and an 'error' emitted that a connect() promise already reported.
   */
  private readonly parked: Callback[] = [];

  constructor(config: RealtimeStreamConfig, context: RealtimeContext) {
    const { start, options } = splitConfig(config, context.defaultModel);
    const resolved = resolveOptions(options);
    const hwm = resolved.highWaterMark;
    super(start, { bytesPerMs: bytesPerMs(start), frameBytes: frameBytes(start) }, hwm);
    this.#context = context;
    this.options = options;
    this.resolved = resolved;
    this.audio = new AudioOut(
      hwm,
      () => this.#connection,
      (chunk) => {
        this.reconnector.sent(chunk);
        this.bytesSent += chunk.length;
      },
    );
    this.markers = new Markers(
      {
        destroyed: () => this.destroyed,
        unread: () => this.readableFlowing === null,
        push: (item) => this.push(item),
        pause: () => this.pause(),
        resume: () => this.resume(),
        markerEvent: (kind, message) =>
          kind === 'finished'
            ? this.emit('finished', message, this.audioProcessed)
            : this.emit(kind),
        showMarker: (shown) => super.emit('data', shown),
        failureReached: () => {
          // A failure a connect() promise reported is emitted only to a reader listening for it.
          const quiet = this.pendingFailure?.quiet === true && this.listenerCount('error') === 0;
          this.destroy(quiet ? undefined : this.failure);
        },
      },
      options.markers === 'inband',
    );
    const issues = checkConfig(start, options);
    // The audio a new session must be given again: not yet finalized (with `reconnect`), or all
    // of it until the first session is admitted (a start refused with a 429 is retried).
    let replay: ResumeBuffer | undefined;
    if (issues.length) {
      this.configError = new SonioxValidationError(
        `invalid realtime config: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
      // Emitted on the next tick so the caller can attach an 'error' listener first.
      process.nextTick(() => this.destroy(this.configError));
    } else if (resolved.reconnect) {
      replay = new ResumeBuffer(resolved.reconnect.maxBufferBytes, this.geometry.frameBytes);
    } else if (context.sessionLimiter) {
      // Until the server admits the session, all the audio: a refused start is replayed whole.
      replay = new ResumeBuffer(DEFAULT_REPLAY_BYTES, Math.max(1, this.geometry.frameBytes));
    }
    const audio = { geometry: this.geometry, rawFormat: isRawFormat(start.audio_format), replay };
    this.reconnector = new Reconnector(
      resolved.reconnect,
      new SessionStarts(context.sessionLimiter),
      audio,
      {
        retrying: (from) => {
          if (from === 'finishing') this.endRequested = true;
          this.transition('reconnecting');
        },
        resuming: (event, offsetMs) => {
          this.emit('reconnect', event);
          this.tokens.resume(offsetMs);
          void this.openConnection();
        },
        gaveUp: (error) => this.failAfterReader(error),
        finalizedAudioMs: () => this.tokens.finalizedAudioMs,
      },
    );
    if (options.pacing === true || typeof options.pacing === 'object') {
      this.pacer = pacerFor(start, options.pacing, this.geometry.frameBytes, true);
    } else if (options.pacing === undefined) {
      // A file piped in is pre-recorded: pace it. Any other source may be live: never delay it.
      this.on('pipe', (source) => {
        if (source instanceof ReadStream && !this.configError)
          this.pacer ??= pacerFor(start, options.pacing, this.geometry.frameBytes, false);
      });
    }
    if (options.signal instanceof AbortSignal) {
      if (options.signal.aborted) process.nextTick(this.onAbort);
      else {
        const aborted = new AbortController();
        // A signal aborts once: its listener runs once without `{ once: true }`.
        aborted.signal.addEventListener('abort', this.onAbort);
        this.unfollow = follow(options.signal, aborted);
      }
    }
  }

  /** Reads the next token (or in-band marker); a marker met on the way has its event emitted first. */
  override read(size?: number): T | null {
    for (;;) {
      const item = this.markers.shown(super.read(size));
      if (item !== undefined) return item as T | null;
    }
  }

  /** Sends the tokens to `destination`; markers wait for it to have written the tokens before them. */
  override pipe<W extends NodeJS.WritableStream>(destination: W, options?: { end?: boolean }): W {
    this.markers.piped(destination);
    return super.pipe(destination, options);
  }

  /** Stops sending to `destination` (to every destination when none is named). */
  override unpipe(destination?: NodeJS.WritableStream): this {
    this.markers.unpiped(destination);
    return super.unpipe(destination);
  }

  /**
   * Every item leaves the readable buffer as a 'data' event (read(), flowing mode, pipe):
   * a queued marker is caught here, where it reaches the reader, and becomes its event.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data' && this.markers.caught(args[0])) return true;
    return super.emit(event, ...args);
  }

  /**
   * Opens the connection and sends the config; resolves once the server accepted the session
   * (its first result, or no refusal within `acceptanceWindowMs` of the config), rejects with
   * the refusal (401 key, 400 config, 429 limits) or whatever else ended the stream. Idempotent.
   */
  connect(): Promise<void> {
    if (this.configError) return Promise.reject(this.configError);
    switch (this.current) {
      case 'idle':
        this.begin();
        return this.waitFor(this.connectWaiters);
      case 'connecting':
      case 'reconnecting':
        return this.waitFor(this.connectWaiters);
      case 'open':
      case 'finishing':
        return this.accepted ? Promise.resolve() : this.waitFor(this.connectWaiters);
      case 'finished':
        return Promise.resolve();
      default:
        return Promise.reject(this.terminalError());
    }
  }

  /** Starts connecting, when nothing has started yet (a write, end() or finalize() did it). */
  private begin(): void {
    if (this.current !== 'idle' || this.configError) return;
    this.transition('connecting');
    void this.openConnection();
  }

  /** Asks the server to finalize everything so far; it answers with a `finalized` event. */
  finalize(options: { trailing_silence_ms?: number } = {}): void {
    // JSON.stringify leaves trailing_silence_ms out when it is not given.
    const message = { type: 'finalize', trailing_silence_ms: options.trailing_silence_ms };
    const send = () => this.#connection?.send(JSON.stringify(message));
    if (this.current === 'idle' || this.starting) {
      this.begin();
      // In its place among the writes: sent as the socket opens, not after the acceptance window.
      this.waitFor(this.openWaiters).then(send, () => undefined);
    } else {
      // Open or finishing: now. Finished or failed: there is no connection, nothing to send.
      send();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    if (this.pacer) this.pacer.write(chunk, (slice, done) => this.writeNow(slice, done), callback);
    else this.writeNow(chunk, callback);
  }

  /** Sends audio now, or queues it for the connection on its way. */
  private writeNow(chunk: Buffer, callback: Callback): void {
    switch (this.current) {
      case 'open':
        this.audio.send(chunk, callback);
        return;
      case 'idle':
      case 'connecting':
      case 'reconnecting':
        this.audio.queue(chunk, callback);
        this.begin();
        return;
      default:
        if (this.pendingFailure) {
          this.parked.push(callback);
          return;
        }
        // Finished (the server ended the session; Node itself refuses writes to a failed or destroyed stream).
        callback(
          new SonioxWebSocketError('cannot write audio: the realtime session has already finished'),
        );
    }
  }

  override _final(callback: Callback): void {
    // A tail the pacer holds for a next write that will not come goes first, at its time.
    if (this.pacer)
      this.pacer.flush(
        (slice, done) => this.writeNow(slice, done),
        (error) => (error ? callback(error) : this.endAudio(callback)),
      );
    else this.endAudio(callback);
  }

  /** Sends end-of-audio once every byte of audio has gone (now, or once a connection is open). */
  private endAudio(callback: Callback): void {
    switch (this.current) {
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
        this.begin();
        return;
      default:
        if (this.pendingFailure) this.parked.push(callback);
        // Finished already (the server ended the session first): nothing left to send.
        else callback();
    }
  }

  override _read(): void {
    // Resuming a socket that is not paused does nothing.
    this.readerPaused = false;
    this.#connection?.resume();
  }

  override _destroy(error: Error | null, callback: Callback): void {
    this.unfollow();
    // A finished session closing its stream (both sides done) stays 'finished'.
    if (error || this.current !== 'finished')
      this.transition(
        error ? 'failed' : 'destroyed',
        error
          ? asRealtimeError(error)
          : new SonioxWebSocketError('the realtime stream was destroyed'),
      );
    this.pendingFailure = undefined;
    const failure = this.terminalError();
    for (const parked of this.parked.splice(0)) parked(failure);
    callback(error);
  }

  /**
   * Moves to `next` along an edge of phase.ts (asserted; nothing leaves a terminal phase) and
   * settles every waiter that `next` decides. The only writer of the phase.
   */
  private transition(next: RealtimePhase, error?: RealtimeStreamError): void {
    if (isTerminal(this.current)) return;
    assertEdge(this.current, next);
    this.current = next;
    if (next === 'open' || next === 'finishing') {
      for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
      return;
    }
    // The result that carried `finished` settled connect() already (see onMessage).
    if (next === 'finished') {
      this.retireConnection(true);
      return;
    }
    if (!isTerminal(next)) return;
    this.failure = error;
    this.lifetime.abort();
    this.reconnector.cancel();
    this.retireConnection(false);
    const failure = this.terminalError();
    for (const waiter of [...this.connectWaiters.splice(0), ...this.openWaiters.splice(0)])
      waiter.reject(failure);
    const queued = this.audio.drop();
    const finish = this.finishCallback;
    this.finishCallback = undefined;
    // Settled with the failure as the stream is destroyed (see `parked`), not before.
    for (const callback of [queued, this.pacer?.cancel(), finish])
      if (callback) this.parked.push(callback);
  }

  private terminalError(): RealtimeStreamError {
    return this.failure ?? new SonioxWebSocketError('the realtime stream is destroyed');
  }

  private waitFor(waiters: Waiter[]): Promise<void> {
    return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /** The server accepted the current session (a result came, or no refusal in the window). */
  private onAccepted(): void {
    this.accepted = true;
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
  }

  private retireConnection(graceful: boolean): void {
    this.#connection?.retire(graceful);
    this.#connection = undefined;
  }

  private get starting(): boolean {
    return this.current === 'connecting' || this.current === 'reconnecting';
  }

  /** Opens a connection (the first, or a reconnection after the backoff). */
  private async openConnection(): Promise<void> {
    const getKey = this.options.reconnect?.getApiKey;
    const key = await this.reconnector.admission(
      this.#context.apiKey,
      getKey,
      this.lifetime.signal,
    );
    // Destroyed meanwhile (while the key was minted or the token awaited): open nothing.
    if (!this.starting) return;
    if (key instanceof SonioxWebSocketError) {
      this.onConnectionFailure(key);
      return;
    }
    this.#currentKey = key;
    const { auth } = this.resolved;
    const connection: Connection = new Connection(
      this.#context.realtimeURL,
      auth === 'header' ? { Authorization: `Bearer ${key}` } : undefined,
      key,
      {
        handshakeTimeoutMs: this.resolved.handshakeTimeoutMs,
        keepaliveIntervalMs: this.resolved.keepaliveIntervalMs,
        heartbeatIntervalMs: this.resolved.heartbeatIntervalMs,
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
      this.options.webSocketFactory ?? defaultWebSocketFactory,
      this.options.agent ?? this.#context.proxyAgent,
    );
    this.#connection = connection;
  }

  private onOpen(connection: Connection, start: RealtimeStartMessage): void {
    connection.send(JSON.stringify(start));
    if (this.readerPaused) connection.pause();
    if (this.current === 'reconnecting') {
      for (const chunk of this.reconnector.replayed()) connection.send(chunk);
    }
    this.accepted = false;
    if (this.endRequested) {
      this.sendEndOfAudio();
    } else {
      this.transition('open');
      this.audio.flush();
    }
    this.emit('open');
    const window = this.resolved.acceptanceWindowMs;
    if (window === 0) this.onAccepted();
    else connection.armAcceptance(window, () => this.onAccepted());
  }

  /** Sends end-of-audio on the open connection and arms the deadline for `finished`. */
  private sendEndOfAudio(): void {
    const connection = this.#connection as Connection;
    this.endRequested = false;
    connection.send('');
    const ms = this.resolved.finishTimeoutMs;
    // As a server's failure: the tokens that came before the silence still reach the reader.
    connection.armFinishDeadline(ms, () =>
      this.failAfterReader(
        new SonioxTimeoutError(`no 'finished' from the server within ${ms} ms of end()`, ms),
      ),
    );
    this.transition('finishing');
    this.audio.release();
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
    this.reconnector.admitted();
    this.onAccepted();
    this.onResult(parsed);
  }

  private onResult(message: RealtimeMessage): void {
    if (message.request_id) this.sessionRequestId = message.request_id;
    this.emit('result', message);
    const { items } = this.tokens.accept(message);
    this.reconnector.finalized(this.bytesSent);
    let more = true;
    for (const item of items) {
      if (typeof item === 'string') more = this.markers.queue(item, undefined) && more;
      else if (item.is_final || this.options.tokens !== 'final') more = this.push(item) && more;
    }
    if (message.finished) {
      this.transition('finished');
      // The readable side ends as the reader gets to `finished`.
      this.markers.queue('finished', message);
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

  /** A connection failed or dropped: the reconnector decides (retry, or give up). */
  private onConnectionFailure(error: SonioxWebSocketError): void {
    this.retireConnection(false);
    this.reconnector.failed(error, this.current);
  }

  /**
   * The session is over in failure (an error frame, a close without `finished`, a retry given
   * up, the server's silence past finishTimeoutMs): it settles now (connect() rejected, the
   * connection retired, the phase `failed`), but the stream is destroyed, which drops the
   * readable buffer, only once the reader has taken every token the server sent before: a
   * marker behind them destroys it as the reader reaches it. A stream nobody reads fails at
   * once (its 'error' listener would otherwise never hear).
   */
  private failAfterReader(error: SonioxWebSocketError | SonioxTimeoutError): void {
    // A connect() promise reports the failure: rejecting it is enough, an unheard 'error' would crash the caller.
    const quiet = this.connectWaiters.length > 0;
    if (this.readableFlowing !== null) this.pendingFailure = { quiet };
    this.transition('failed', error);
    if (this.pendingFailure) this.markers.queueFailure();
    else this.destroy(quiet ? undefined : error);
  }
}

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
 * apart: a Connection owns one socket and its timers, opened and retired by the SessionLink
 * (session-link.ts: one at a time), token bookkeeping is TokenAssembler's, reconnection and
 * admission the Reconnector's (reconnect.ts: it decides and waits, and reports to the stream,
 * which alone moves the phase), marker delivery the Markers' (markers.ts), queued and held
 * writes AudioOut's (audio-out.ts), a failure held for the reader HeldFailure's, the hand-over
 * to a next session before a cap the Rollover's (rollover.ts), pacing the Pacer's, the typed
 * events events.ts's, and the getters and Readable hand-overs the RealtimeSurface's (surface.ts).
 */
import { ReadStream } from 'node:fs';
import {
  SonioxAbortError,
  SonioxTimeoutError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../errors';
import { onAbort } from '../internal/follow-signal';
import type { RealtimeMessage, RealtimeStartMessage, RealtimeToken } from '../types';
import { Rollover, type TakeOver } from './rollover';
import type { Connection } from './connection';
import { SessionLink } from './session-link';
import { AudioOut, type Callback } from './audio-out';
import { asRealtimeError, type RealtimeStreamError } from './events';
import { Markers, type RealtimeItem } from './markers';
import { assertEdge, isTerminal, type RealtimePhase } from './phase';
import {
  bytesPerMs,
  configError,
  frameBytes,
  isRawFormat,
  MAX_TIMER_MS,
  parseServerMessage,
  splitConfig,
  resolveOptions,
  type ResolvedRealtimeOptions,
  type RealtimeOptions,
  type RealtimeStreamConfig,
} from './protocol';
import { Reconnector, replayBuffer, resumePoint } from './reconnect';
import { pacerFor } from './pacer';
import { SessionStarts } from './session-starts';
import { RealtimeSurface, type RealtimeContext } from './surface';
import { Waiters } from './waiters';
import { HeldFailure } from './held-failure';
import { WavRecorder } from './save-audio';

export * from './surface';

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
  // The context (the API key) is `#private`: out of util.inspect, JSON and enumeration.
  readonly #context: RealtimeContext;
  /** The connection to the server, one at a time (its key `#private` there). */
  private readonly link: SessionLink;
  /** connect() promises: settled by the server's verdict on the session (or the stream's end). */
  private readonly connectWaiters = new Waiters();
  /** finalize() calls made before a socket was open: sent as one opens. */
  private readonly openWaiters = new Waiters();
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
  protected readonly markers: Markers;
  /** A failure held for the reader, and the write and end() callbacks parked meanwhile. */
  private readonly heldFailure = new HeldFailure();
  /** Rollover past the session caps (`rollover`), if asked for. */
  private readonly rollover: Rollover | undefined;
  /** Keeps the audio sent (the saveAudio option), each byte as it first goes out. */
  private readonly saved: WavRecorder | undefined;

  /** @internal Made by the client (`client.realtime(...)`), which passes its context. */
  constructor(config: RealtimeStreamConfig, context: RealtimeContext) {
    const { start, options } = splitConfig(config, context.defaultModel);
    const resolved = resolveOptions(options);
    const hwm = resolved.highWaterMark;
    super(start, { bytesPerMs: bytesPerMs(start), frameBytes: frameBytes(start) }, hwm);
    this.#context = context;
    this.options = options;
    this.resolved = resolved;
    const agent = options.agent ?? context.proxyAgent;
    // Warm sockets are the client's: not for a stream that opens its own another way.
    const own = options.webSocketFactory !== undefined || options.agent !== undefined;
    this.link = new SessionLink(
      context.realtimeURL,
      resolved,
      options.webSocketFactory,
      agent,
      {
        open: (connection, first) => this.onOpen(connection, first),
        message: (text) => this.onMessage(text),
        failure: (error) => this.onConnectionFailure(error),
      },
      own ? undefined : context.warmSocket,
    );
    this.audio = new AudioOut(
      hwm,
      () => this.link.connection,
      (chunk) => {
        this.reconnector.sent(chunk);
        this.saved?.write(chunk);
        this.bytesSent += chunk.length;
      },
    );
    this.markers = new Markers(
      {
        stream: this,
        markerEvent: (kind, message) =>
          kind === 'finished'
            ? this.emit('finished', message, this.audioProcessed)
            : this.emit(kind),
        showMarker: (shown) => super.emit('data', shown),
        failureReached: () => {
          // A failure a connect() promise reported is emitted only to a reader listening for it.
          const quiet = this.heldFailure.quiet && this.listenerCount('error') === 0;
          this.destroy(quiet ? undefined : this.failure);
        },
      },
      options.markers === 'inband',
    );
    this.configError = configError(start, options);
    if (options.saveAudio !== undefined && !this.configError)
      this.saved = new WavRecorder(options.saveAudio, start, (error) => this.destroy(error));
    // Emitted on the next tick so the caller can attach an 'error' listener first.
    if (this.configError) process.nextTick(() => this.destroy(this.configError));
    const replay = this.configError
      ? undefined
      : replayBuffer(resolved.reconnect, context.sessionLimiter !== undefined, this.geometry);
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
          context.log?.(
            'warn',
            `realtime reconnect ${event.attempt} after: ${event.error.message}`,
          );
          this.emit('reconnect', event);
          this.tokens.resume(offsetMs);
          void this.openConnection();
        },
        gaveUp: (error) => this.failAfterReader(error),
        finalizedAudioMs: () => this.tokens.finalizedAudioMs,
      },
    );
    if (options.rollover && !this.configError)
      this.rollover = new Rollover(
        options.rollover,
        { maxTimerMs: MAX_TIMER_MS, finishTimeoutMs: resolved.finishTimeoutMs },
        {
          mayRollOver: () => this.current === 'open' && !this.endRequested,
          detach: (events) => this.link.detach(events),
          bytesSent: () => this.bytesSent,
          openNext: () => {
            this.audio.release();
            void this.openConnection();
          },
          drained: (message) => this.onResult(message),
          handOver: (takeOver) => this.handOver(takeOver),
          drainFailed: (error) => this.failAfterReader(error),
          parse: (text) => this.parse(text),
        },
      );
    const { pacing } = options;
    if (pacing === true || typeof pacing === 'object')
      this.pacer = pacerFor(start, pacing, this.geometry.frameBytes, true);
    // A file piped in is pre-recorded: pace it. Any other source may be live: never delay it.
    else if (pacing === undefined)
      this.on('pipe', (source) => {
        if (source instanceof ReadStream && !this.configError)
          this.pacer ??= pacerFor(start, pacing, this.geometry.frameBytes, false);
      });
    if (options.signal instanceof AbortSignal)
      this.unfollow = onAbort(options.signal, this.onAbort);
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
        return this.connectWaiters.wait();
      case 'connecting':
      case 'reconnecting':
        return this.connectWaiters.wait();
      case 'open':
      case 'finishing':
        return this.accepted ? Promise.resolve() : this.connectWaiters.wait();
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
    const send = () => this.link.connection?.send(JSON.stringify(message));
    if (this.current === 'idle' || this.starting || this.rollover?.holdsWrites) {
      this.begin();
      // In its place among the writes: sent as the socket opens, not after the acceptance window.
      this.openWaiters.wait().then(send, () => undefined);
    } else {
      // Open or finishing: now. Finished or failed: there is no connection, nothing to send.
      send();
    }
  }

  /** @internal Node's Writable hook: audio in (paced, queued or sent). */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    if (this.pacer) this.pacer.write(chunk, (slice, done) => this.writeNow(slice, done), callback);
    else this.writeNow(chunk, callback);
  }

  /** Sends audio now, or queues it for the connection on its way. */
  private writeNow(chunk: Buffer, callback: Callback): void {
    switch (this.current) {
      case 'open':
        // A rollover's next session not open yet: the write waits for it.
        if (this.rollover?.holdsWrites) this.audio.queue(chunk, callback);
        else this.audio.send(chunk, callback);
        return;
      case 'idle':
      case 'connecting':
      case 'reconnecting':
        this.audio.queue(chunk, callback);
        this.begin();
        return;
      default:
        if (this.heldFailure.held) {
          this.heldFailure.park(callback);
          return;
        }
        // Finished (the server ended the session; Node itself refuses writes to a failed or destroyed stream).
        callback(
          new SonioxWebSocketError('cannot write audio: the realtime session has already finished'),
        );
    }
  }

  /** @internal Node's Writable hook: end() sends the finish message. */
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
        // During a rollover, sent once the next session is open.
        if (this.rollover?.holdsWrites) this.endRequested = true;
        else this.sendEndOfAudio();
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
        if (this.heldFailure.held) this.heldFailure.park(callback);
        // Finished already (the server ended the session first): nothing left to send.
        else callback();
    }
  }

  /** @internal Node's Readable hook: the reader wants more, the socket reads again. */
  override _read(): void {
    // Resuming a socket that is not paused does nothing.
    this.readerPaused = false;
    this.link.connection?.resume();
  }

  /** @internal Node's hook: closes the session's socket and timers. */
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
    this.heldFailure.settle(this.terminalError());
    // 'close' waits for the saved audio to be complete (see saveAudio).
    if (this.saved) void this.saved.close().then(() => callback(error));
    else callback(error);
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
      this.openWaiters.resolve();
      return;
    }
    // The result that carried `finished` settled connect() already (see onMessage).
    if (next === 'finished') {
      this.link.retire(true);
      this.rollover?.cancel();
      return;
    }
    if (!isTerminal(next)) return;
    this.failure = error;
    this.lifetime.abort();
    this.reconnector.cancel();
    this.rollover?.cancel();
    this.link.retire(false);
    const failure = this.terminalError();
    this.connectWaiters.reject(failure);
    this.openWaiters.reject(failure);
    const queued = this.audio.drop();
    const finish = this.finishCallback;
    this.finishCallback = undefined;
    // Settled with the failure as the stream is destroyed (see HeldFailure), not before.
    for (const callback of [queued, this.pacer?.cancel(), finish]) this.heldFailure.park(callback);
  }

  private terminalError(): RealtimeStreamError {
    return this.failure ?? new SonioxWebSocketError('the realtime stream is destroyed');
  }

  /** The server accepted the current session (a result came, or no refusal in the window). */
  private onAccepted(): void {
    this.accepted = true;
    this.connectWaiters.resolve();
  }

  private get starting(): boolean {
    return this.current === 'connecting' || this.current === 'reconnecting';
  }

  /** Opens a connection (the first, or a reconnection after the backoff). */
  private async openConnection(): Promise<void> {
    const getKey = this.options.rollover?.getApiKey ?? this.options.reconnect?.getApiKey;
    const key = await this.reconnector.admission(
      this.#context.apiKey,
      getKey,
      this.lifetime.signal,
    );
    // Destroyed meanwhile (while the key was minted or the token awaited): open nothing.
    if (!this.starting && !this.rollover?.holdsWrites) return;
    if (key instanceof SonioxWebSocketError) {
      this.onConnectionFailure(key);
      return;
    }
    this.link.open(key, this.start);
  }

  private onOpen(connection: Connection, start: RealtimeStartMessage): void {
    connection.send(JSON.stringify(start));
    if (this.readerPaused) connection.pause();
    if (this.current === 'reconnecting') {
      for (const chunk of this.reconnector.replayed()) connection.send(chunk);
    }
    this.accepted = false;
    this.rollover?.opened();
    this.rollover?.arm(this.#context.keySessionMs?.(this.link.key as string));
    if (this.endRequested) {
      this.sendEndOfAudio();
    } else {
      // A rollover's next session opens while the stream stays open.
      if (this.current === 'open') this.openWaiters.resolve();
      else this.transition('open');
      this.audio.flush();
    }
    this.emit('open');
    const window = this.resolved.acceptanceWindowMs;
    if (window === 0) this.onAccepted();
    else connection.armAcceptance(window, () => this.onAccepted());
  }

  /** Sends end-of-audio on the open connection and arms the deadline for `finished`. */
  private sendEndOfAudio(): void {
    const connection = this.link.connection as Connection;
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

  /** A server frame, checked (every key of the stream redacted from an error). */
  private parse(text: string | undefined): RealtimeMessage | SonioxWebSocketError {
    return text === undefined
      ? new SonioxWebSocketError('malformed message from the server (a binary frame)')
      : parseServerMessage(text, this.secrets);
  }

  /** Every key of the stream, for an error frame to be redacted of (made only for one). */
  private readonly secrets = () => [this.#context.apiKey, ...this.link.keys];

  private onMessage(text: string | undefined): void {
    // The next session's frames wait while a rollover drains the previous one.
    if (this.rollover?.hold(text)) return;
    const parsed = this.parse(text);
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
      this.link.connection?.pause();
    }
  }

  /** A connection failed or dropped: the reconnector decides (retry, or give up). */
  private onConnectionFailure(error: SonioxWebSocketError): void {
    this.link.retire(false);
    // The next session failed while the previous one drains: taken once it drained.
    if (this.rollover?.holdFailure(error)) return;
    this.reconnector.failed(error, this.current);
  }

  /** The drained session finished: the next one's clock starts at the finalize point. */
  private handOver({ pointBytes, held, failure, count }: TakeOver): void {
    const previousRequestId = this.sessionRequestId;
    const { offsetMs } = resumePoint(pointBytes, this.tokens.finalizedAudioMs, this.geometry);
    this.tokens.resume(offsetMs);
    this.emit('rollover', { count, atMs: offsetMs, previousRequestId });
    const live = () => this.current === 'open' || this.current === 'finishing';
    for (const text of held) if (live()) this.onMessage(text);
    if (failure && live()) this.onConnectionFailure(failure);
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
    this.#context.log?.('error', `realtime session failed: ${error.message}`);
    // A connect() promise reports the failure: rejecting it is enough, an unheard 'error' would crash the caller.
    const quiet = this.connectWaiters.count > 0;
    if (this.readableFlowing !== null) this.heldFailure.hold(quiet);
    this.transition('failed', error);
    if (this.heldFailure.held) this.markers.queueFailure();
    else this.destroy(quiet ? undefined : error);
  }
}

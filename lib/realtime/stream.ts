/**
 * RealtimeStream: a realtime session as a Duplex. Audio bytes in (binary frames, held back
 * while the socket's bufferedAmount is over the highWaterMark), token objects out (the socket
 * is paused while the reader is slow). Keepalive while no audio flows, a heartbeat for dead
 * connections, a deadline for `finished` after end(), opt-in lossless reconnection, and session
 * starts queued behind the client's adaptive limiter when the account's limits answer 429.
 *
 * This file is the phase machine and the write path: `phase` changes only in `transition()`
 * (the edges of phase.ts, asserted), which settles every waiter (connect() promises, the held
 * write, end()'s callback). The pieces report to it: each session's opening (opening.ts: link,
 * admission, first frames, acceptance), the read path (intake.ts), reconnection (reconnect.ts),
 * the hand-over before a cap (rollover.ts), queued writes (audio-out.ts), a failure held for
 * the reader (held-failure.ts), pacing (pacer.ts); wiring.ts builds them and joins their
 * callbacks; the getters, typed events and marker delivery are the RealtimeSurface's
 * (surface.ts, markers.ts).
 */
import { ReadStream } from 'node:fs';
import {
  SonioxAbortError,
  SonioxTimeoutError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../errors';
import { onAbort } from '../internal/follow-signal';
import type { RealtimeMessage, RealtimeToken } from '../types';
import type { Rollover } from './rollover';
import type { Connection } from './connection';
import type { SessionLink } from './session-link';
import type { SessionOpening } from './opening';
import type { AudioOut, Callback } from './audio-out';
import { asRealtimeError, type RealtimeStreamError } from './events';
import type { RealtimeItem } from './markers';
import { assertEdge, isTerminal, type RealtimePhase } from './phase';
import {
  bytesPerMs,
  configError,
  frameBytes,
  splitConfig,
  resolveOptions,
  type ResolvedRealtimeOptions,
  type RealtimeStreamConfig,
} from './protocol';
import type { Reconnector } from './reconnect';
import type { ServerIntake } from './intake';
import { pacerFor } from './pacer';
import { RealtimeSurface, type RealtimeContext } from './surface';
import { HeldFailure } from './held-failure';
import type { WavRecorder } from './save-audio';
import type { FinalizeCoalescer, FinalizeOptions } from './control';
import { wireStream } from './wiring';
import type { Log } from '../internal/log';

export * from './surface';

/**
 * A realtime transcription session (see the file comment). `T` is what the readable side
 * yields: tokens, and marker objects too with `markers: 'inband'`.
 */
export class RealtimeStream<T extends RealtimeItem = RealtimeToken> extends RealtimeSurface<T> {
  /** The options with their defaults, resolved once. */
  private readonly resolved: ResolvedRealtimeOptions;
  private readonly configError: SonioxValidationError | undefined;
  private failure: RealtimeStreamError | undefined;
  /** The client's log (the key stays out of the stream: the opening and the intake keep it). */
  private readonly log: Log | undefined;
  /** The connection to the server, one at a time (the opening's; its key `#private` there). */
  private readonly link: SessionLink;
  /** Each session's opening: admission, the socket, its first frames, the acceptance window. */
  private readonly opening: SessionOpening;
  /** The write path onto the current connection (queued and held writes). */
  private readonly audio: AudioOut;
  /** end()'s callback, run on `finished`. */
  private finishCallback: Callback | undefined;
  private endRequested = false;
  /** Reconnection and admission: the key, the limiter's token, the replay, the retries. */
  private readonly reconnector: Reconnector;
  private readonly onAbort = () => this.destroy(new SonioxAbortError('realtime session aborted'));
  /** Stops following the caller's signal (many streams may share one: one listener in all). */
  private unfollow: () => void = () => undefined;
  /** The read path: the server's frames to tokens and markers, the reader's pace on the socket. */
  private readonly intake: ServerIntake;
  /** A failure held for the reader, and the write and end() callbacks parked meanwhile. */
  private readonly heldFailure = new HeldFailure();
  /** Rollover past the session caps (`rollover`), if asked for. */
  private readonly rollover: Rollover | undefined;
  /** Keeps the audio sent (the saveAudio option), each byte as it first goes out. */
  private readonly saved: WavRecorder | undefined;
  /** finalize() calls, coalesced (control.ts). */
  private readonly finalizer: FinalizeCoalescer;

  /** @internal Made by the client (`client.realtime(...)`), which passes its context. */
  constructor(config: RealtimeStreamConfig, context: RealtimeContext) {
    const { start, options } = splitConfig(config, context.defaultModel);
    const resolved = resolveOptions(options);
    const geometry = { bytesPerMs: bytesPerMs(start), frameBytes: frameBytes(start) };
    super(start, geometry, resolved.highWaterMark, options.markers === 'inband');
    this.log = context.log;
    this.resolved = resolved;
    this.configError = configError(start, options);
    const { tokens, markers } = this;
    const parts = wireStream(
      {
        start,
        options,
        resolved,
        context,
        geometry,
        configError: this.configError,
        tokens,
        markers,
      },
      {
        phase: () => this.current,
        endRequested: () => this.endRequested,
        retrying: (from) => {
          if (from === 'finishing') this.endRequested = true;
          this.transition('reconnecting');
        },
        begin: () => this.begin(),
        opened: () => this.onOpen(),
        finished: (message) => this.onFinished(message),
        failed: (error) => this.failAfterReader(error),
        bytesSent: () => this.bytesSent,
        sent: (bytes) => (this.bytesSent += bytes),
        requestId: () => this.sessionRequestId,
        setRequestId: (id) => (this.sessionRequestId = id),
        emit: (event, ...args) => this.emit(event, ...args),
        push: (token) => this.push(token),
        destroy: (error) => this.destroy(error),
      },
    );
    this.audio = parts.audio;
    this.finalizer = parts.finalizer;
    this.saved = parts.saved;
    this.reconnector = parts.reconnector;
    this.rollover = parts.rollover;
    this.opening = parts.opening;
    this.link = parts.link;
    this.intake = parts.intake;
    // Emitted on the next tick so the caller can attach an 'error' listener first.
    if (this.configError) process.nextTick(() => this.destroy(this.configError));
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
        return this.opening.verdict();
      case 'connecting':
      case 'reconnecting':
        return this.opening.verdict();
      case 'open':
      case 'finishing':
        return this.opening.accepted ? Promise.resolve() : this.opening.verdict();
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
    void this.opening.open();
  }

  /**
   * Asks the server to finalize everything so far; it answers with a `finalized` event. Calls
   * closer together than `finalizeMinIntervalMs` (default 2000 ms) are coalesced into one sent
   * when the interval has passed (the largest `trailing_silence_ms` wins); one still held when
   * `end()` sends end-of-audio is dropped, since that finalizes everything. See control.ts.
   */
  finalize(options: FinalizeOptions = {}): void {
    // Finished or failed: there is no connection, nothing to send.
    if (!isTerminal(this.current) && this.current !== 'finished') this.finalizer.request(options);
  }

  /**
   * Sends `{"type":"keepalive"}` now (the stream sends one by itself while no audio flows: see
   * `keepaliveIntervalMs`). Returns whether it went out: false, and no error, when no session is
   * open (before the socket opens, while reconnecting, once the stream ended).
   */
  keepAlive(): boolean {
    if (this.current !== 'open' && this.current !== 'finishing') return false;
    return this.link.connection?.keepAlive() ?? false;
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
    this.intake.resume();
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
      this.finalizer.opened();
      return;
    }
    // The result that carried `finished` settled connect() already (see onMessage).
    if (next === 'finished') {
      this.finalizer.cancel();
      this.link.retire(true);
      this.rollover?.cancel();
      this.reconnector.cancel();
      return;
    }
    if (!isTerminal(next)) return;
    this.failure = error;
    this.opening.cancel();
    this.reconnector.cancel();
    this.rollover?.cancel();
    this.link.retire(false);
    const failure = this.terminalError();
    this.finalizer.cancel();
    this.opening.refused(failure);
    const queued = this.audio.drop();
    const finish = this.finishCallback;
    this.finishCallback = undefined;
    // Settled with the failure as the stream is destroyed (see HeldFailure), not before.
    for (const callback of [queued, this.pacer?.cancel(), finish]) this.heldFailure.park(callback);
  }

  private terminalError(): RealtimeStreamError {
    return this.failure ?? new SonioxWebSocketError('the realtime stream is destroyed');
  }

  /** A session's socket is open, its first frames sent (see SessionOpening): the phase moves. */
  private onOpen(): void {
    if (this.endRequested) {
      this.sendEndOfAudio();
    } else {
      // A rollover's next session opens while the stream stays open.
      if (this.current === 'open') this.finalizer.opened();
      else this.transition('open');
      this.audio.flush();
    }
    this.emit('open');
  }

  /** Sends end-of-audio on the open connection and arms the deadline for `finished`. */
  private sendEndOfAudio(): void {
    const connection = this.link.connection as Connection;
    this.endRequested = false;
    this.finalizer.dropHeld();
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

  /** The reader got to the failure held for it (see Markers): the stream is destroyed now. */
  protected failureReached(): void {
    // A failure a connect() promise reported is emitted only to a reader listening for it.
    const quiet = this.heldFailure.quiet && this.listenerCount('error') === 0;
    this.destroy(quiet ? undefined : this.failure);
  }

  /** The server finished the session: the readable side ends as the reader gets to it. */
  private onFinished(message: RealtimeMessage): void {
    this.transition('finished');
    this.markers.queue('finished', message);
    const done = this.finishCallback;
    this.finishCallback = undefined;
    done?.();
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
    this.log?.('error', `realtime session failed: ${error.message}`);
    // A connect() promise reports the failure: rejecting it is enough, an unheard 'error' would crash the caller.
    const quiet = this.opening.awaited;
    if (this.readableFlowing !== null) this.heldFailure.hold(quiet);
    this.transition('failed', error);
    if (this.heldFailure.held) this.markers.queueFailure();
    else this.destroy(quiet ? undefined : error);
  }
}

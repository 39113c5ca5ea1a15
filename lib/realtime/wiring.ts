/**
 * The wiring of one realtime stream: builds its parts from the config and the client's context
 * (the write path, the finalize guard, the saved audio, reconnection, rollover, each session's
 * opening and its link, the read path) and joins their callbacks to each other and to the
 * stream. It decides only what is built (no saved audio and no rollover for a refused config,
 * no replay without reconnection); what happens at run time is the parts' and the stream's, and
 * the phase moves only in the stream (the host's `retrying`, `opened`, `finished`, `failed`).
 */
import type { SonioxTimeoutError, SonioxValidationError, SonioxWebSocketError } from '../errors';
import type { RealtimeMessage, RealtimeStartMessage, RealtimeToken } from '../types';
import { AudioOut } from './audio-out';
import { DEFAULT_FINALIZE_MIN_INTERVAL_MS, FinalizeCoalescer } from './control';
import { ServerIntake } from './intake';
import type { Markers } from './markers';
import { SessionOpening } from './opening';
import type { RealtimePhase } from './phase';
import {
  isRawFormat,
  MAX_TIMER_MS,
  type RealtimeOptions,
  type ResolvedRealtimeOptions,
} from './protocol';
import { Reconnector, replayBuffer, type AudioGeometry } from './reconnect';
import { Rollover } from './rollover';
import { WavRecorder } from './save-audio';
import type { SessionLink } from './session-link';
import { SessionStarts } from './session-starts';
import type { RealtimeContext } from './surface';
import type { TokenAssembler } from './token-assembler';

/** What a stream is made of: its config, the client's context, and the state it owns. */
export interface StreamInputs {
  start: RealtimeStartMessage;
  options: RealtimeOptions;
  resolved: ResolvedRealtimeOptions;
  context: RealtimeContext;
  geometry: AudioGeometry;
  /** The config's refusal, if any: the stream fails on the next tick, nothing more is built for it. */
  configError: SonioxValidationError | undefined;
  tokens: TokenAssembler;
  markers: Markers;
}

/** What the parts ask of their stream and tell it (the stream alone moves the phase). */
export interface StreamHost {
  /** Where the stream is in its life. */
  phase(): RealtimePhase;
  /** Whether end() waits for end-of-audio to be sent (no rollover then). */
  endRequested(): boolean;
  /** A dropped session is retried from `from`: the stream moves to `reconnecting`. */
  retrying(from: RealtimePhase): void;
  /** Starts connecting, when nothing has started yet. */
  begin(): void;
  /** A session's socket is open, its first frames sent. */
  opened(): void;
  /** The server finished the session. */
  finished(message: RealtimeMessage): void;
  /** The session failed (a retry given up, a rollover's drain failed). */
  failed(error: SonioxWebSocketError | SonioxTimeoutError): void;
  /** Audio bytes sent so far. */
  bytesSent(): number;
  /** Audio bytes went out for the first time. */
  sent(bytes: number): void;
  /** The session's request id, once the server named it. */
  requestId(): string | undefined;
  /** The server named the session's request id. */
  setRequestId(id: string): void;
  /** Emits one of the stream's events. */
  emit(event: string, ...args: unknown[]): boolean;
  /** A token for the readable side; false once the reader is behind. */
  push(token: RealtimeToken): boolean;
  /** Destroys the stream (its saved audio failed). */
  destroy(error: Error): void;
}

/** The stream's parts, joined (see the file comment). */
export interface StreamParts {
  /** The write path onto the current connection (queued and held writes). */
  audio: AudioOut;
  /** finalize() calls, coalesced (control.ts). */
  finalizer: FinalizeCoalescer;
  /** Keeps the audio sent (the saveAudio option), each byte as it first goes out. */
  saved: WavRecorder | undefined;
  /** Reconnection and admission: the key, the limiter's token, the replay, the retries. */
  reconnector: Reconnector;
  /** Rollover past the session caps (`rollover`), if asked for. */
  rollover: Rollover | undefined;
  /** Each session's opening: admission, the socket, its first frames, the acceptance window. */
  opening: SessionOpening;
  /** The connection to the server, one at a time (the opening's; its key `#private` there). */
  link: SessionLink;
  /** The read path: the server's frames to tokens and markers, the reader's pace on the socket. */
  intake: ServerIntake;
}

/** Builds and joins one stream's parts (see the file comment). */
export function wireStream(inputs: StreamInputs, host: StreamHost): StreamParts {
  const { start, options, resolved, context, geometry, configError, tokens, markers } = inputs;
  // Each part is made once below; the callbacks that name a later one run only after all are.
  const starting = () => host.phase() === 'connecting' || host.phase() === 'reconnecting';
  const audio = new AudioOut(
    resolved.highWaterMark,
    () => link.connection,
    (chunk) => {
      const kept = reconnector.sent(chunk);
      saved?.write(chunk, kept);
      host.sent(chunk.length);
    },
  );
  const finalizer = new FinalizeCoalescer(
    options.finalizeMinIntervalMs ?? DEFAULT_FINALIZE_MIN_INTERVAL_MS,
    {
      ready: () => !(host.phase() === 'idle' || starting() || rollover?.holdsWrites),
      start: () => host.begin(),
      send: (frame) => link.connection?.send(frame),
    },
  );
  const saved =
    options.saveAudio !== undefined && !configError
      ? new WavRecorder(options.saveAudio, start, (error) => host.destroy(error))
      : undefined;
  const replay = configError
    ? undefined
    : replayBuffer(resolved.reconnect, context.sessionLimiter !== undefined, geometry);
  const reconnector = new Reconnector(
    resolved.reconnect,
    new SessionStarts(context.sessionLimiter, context.sessionSlots),
    { geometry, rawFormat: isRawFormat(start.audio_format), replay },
    {
      retrying: (from) => host.retrying(from),
      resuming: (event, offsetMs) => {
        context.log?.('warn', `realtime reconnect ${event.attempt} after: ${event.error.message}`);
        host.emit('reconnect', event);
        tokens.resume(offsetMs);
        void opening.open();
      },
      gaveUp: (error) => host.failed(error),
      finalizedAudioMs: () => tokens.finalizedAudioMs,
    },
  );
  const rollover: Rollover | undefined =
    options.rollover && !configError
      ? new Rollover(
          options.rollover,
          { maxTimerMs: MAX_TIMER_MS, finishTimeoutMs: resolved.finishTimeoutMs },
          {
            mayRollOver: () => host.phase() === 'open' && !host.endRequested(),
            detach: (events) => link.detach(events),
            bytesSent: () => host.bytesSent(),
            openNext: () => {
              audio.release();
              void opening.open();
            },
            drained: (message) => intake.result(message),
            handOver: (takeOver) => intake.handOver(takeOver, host.requestId()),
            drainFailed: (error) => host.failed(error),
            parse: (text) => intake.parse(text),
          },
        )
      : undefined;
  const opening: SessionOpening = new SessionOpening(
    context,
    options,
    resolved,
    start,
    { reconnector, rollover },
    {
      wanted: () => starting() || rollover?.holdsWrites === true,
      resuming: () => host.phase() === 'reconnecting',
      message: (text) => intake.message(text),
      failure: (error) => intake.failed(error),
      paced: (connection) => intake.opened(connection),
      opened: () => host.opened(),
    },
  );
  const link: SessionLink = opening.link;
  const intake: ServerIntake = new ServerIntake(
    context.apiKey,
    {
      tokens,
      markers,
      reconnector,
      link,
      rollover,
      geometry,
      finalOnly: options.tokens === 'final',
    },
    {
      answered: () => opening.accept(),
      requestId: (id) => host.setRequestId(id),
      result: (message) => host.emit('result', message),
      push: (token) => host.push(token),
      finished: (message) => host.finished(message),
      phase: () => host.phase(),
      rolledOver: (event) => host.emit('rollover', event),
      bytesSent: () => host.bytesSent(),
    },
  );
  return { audio, finalizer, saved, reconnector, rollover, opening, link, intake };
}

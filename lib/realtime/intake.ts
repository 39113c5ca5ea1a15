/**
 * The read path of a realtime stream: what the server says. Its frames, checked (every key of
 * the stream redacted from an error), become tokens and markers on the readable side, with the
 * reader's backpressure on the socket (paused while the reader is behind, read again as it asks
 * for more); a failed connection goes to the rollover (while one drains) or the reconnector; a
 * rollover's hand-over takes in the next session's frames held while the previous one drained.
 * It moves no phase: what decides one (a session answered, `finished`) it reports to the
 * stream, which alone calls `transition()` (the reconnector, told of a failure, reports there).
 */
import { SonioxWebSocketError } from '../errors';
import type { RealtimeMessage, RealtimeToken } from '../types';
import type { Markers } from './markers';
import type { RealtimePhase } from './phase';
import { parseServerMessage } from './protocol';
import { resumePoint, type AudioGeometry, type Reconnector } from './reconnect';
import type { Rollover, RolloverEvent, TakeOver } from './rollover';
import type { SessionLink } from './session-link';
import type { TokenAssembler } from './token-assembler';

/** What the intake reports to its stream (the only one to move the phase). */
export interface IntakeHost {
  /** A frame passed the check: the server answered the session (connect() resolves). */
  answered(): void;
  /** The server named the session's request id. */
  requestId(id: string): void;
  /** A result as it came (the `result` event), before its tokens reach the reader. */
  result(message: RealtimeMessage): void;
  /** A token for the readable side; false once the reader is behind. */
  push(token: RealtimeToken): boolean;
  /** The server finished the session: the phase moves, the `finished` marker is queued. */
  finished(message: RealtimeMessage): void;
  /** Where the stream is in its life (the reconnector decides by it). */
  phase(): RealtimePhase;
  /** A rollover's next session took over (the `rollover` event). */
  rolledOver(event: RolloverEvent): void;
  /** Audio bytes sent so far (how far the server's finalized tokens let the replay go). */
  bytesSent(): number;
}

/** The stream's parts the intake feeds and reads. */
export interface IntakeParts {
  tokens: Pick<TokenAssembler, 'accept' | 'resume' | 'finalizedAudioMs'>;
  markers: Pick<Markers, 'queue'>;
  reconnector: Pick<Reconnector, 'admitted' | 'finalized' | 'failed'>;
  /** The link to the server: its connection paused while the reader is behind, retired as it fails. */
  link: Pick<SessionLink, 'connection' | 'keys' | 'retire'>;
  /** Holds the next session's frames (and failure) while a rollover drains the previous one. */
  rollover: Pick<Rollover, 'hold' | 'holdFailure'> | undefined;
  geometry: AudioGeometry;
  /** Only final tokens reach the reader (`tokens: 'final'`). */
  finalOnly: boolean;
}

/** One stream's read path (see the file comment). */
export class ServerIntake {
  /** The reader is behind: the socket is paused until it asks for more. */
  private readerPaused = false;
  // The client's key is `#private`: out of util.inspect, JSON and enumeration.
  readonly #apiKey: string;

  constructor(
    apiKey: string,
    private readonly parts: IntakeParts,
    private readonly host: IntakeHost,
  ) {
    this.#apiKey = apiKey;
  }

  /** The reader wants more: the socket reads again (resuming one not paused does nothing). */
  resume(): void {
    this.readerPaused = false;
    this.parts.link.connection?.resume();
  }

  /** A new connection opened: it starts paused when the reader is behind. */
  opened(connection: { pause(): void }): void {
    if (this.readerPaused) connection.pause();
  }

  /** A server frame, checked (every key of the stream redacted from an error). */
  parse(text: string | undefined): RealtimeMessage | SonioxWebSocketError {
    return text === undefined
      ? new SonioxWebSocketError('malformed message from the server (a binary frame)')
      : parseServerMessage(text, this.secrets);
  }

  /** Every key of the stream, for an error frame to be redacted of (made only for one). */
  private readonly secrets = () => [this.#apiKey, ...this.parts.link.keys];

  /** A frame of the current session (a text frame, or undefined for a binary one). */
  message(text: string | undefined): void {
    // The next session's frames wait while a rollover drains the previous one.
    if (this.parts.rollover?.hold(text)) return;
    const parsed = this.parse(text);
    if (parsed instanceof SonioxWebSocketError) {
      if (parsed.requestId) this.host.requestId(parsed.requestId);
      this.failed(parsed);
      return;
    }
    this.parts.reconnector.admitted();
    this.host.answered();
    this.result(parsed);
  }

  /** A result: its tokens and markers to the reader, in order; `finished` ends the session. */
  result(message: RealtimeMessage): void {
    if (message.request_id) this.host.requestId(message.request_id);
    this.host.result(message);
    const { items } = this.parts.tokens.accept(message);
    this.parts.reconnector.finalized(this.host.bytesSent());
    let more = true;
    for (const item of items) {
      if (typeof item === 'string') more = this.parts.markers.queue(item, undefined) && more;
      else if (item.is_final || !this.parts.finalOnly) more = this.host.push(item) && more;
    }
    if (message.finished) {
      this.host.finished(message);
      return;
    }
    if (!more && !this.readerPaused) {
      this.readerPaused = true;
      this.parts.link.connection?.pause();
    }
  }

  /** The connection failed or dropped (or a frame failed the check): the reconnector decides. */
  failed(error: SonioxWebSocketError): void {
    this.parts.link.retire(false);
    // The next session failed while the previous one drains: taken once it drained.
    if (this.parts.rollover?.holdFailure(error)) return;
    this.parts.reconnector.failed(error, this.host.phase());
  }

  /**
   * The drained session finished: the next one's clock starts at the finalize point, then what
   * it said meanwhile is taken in order. `previousRequestId` is the drained session's.
   */
  handOver(
    { pointBytes, held, failure, count }: TakeOver,
    previousRequestId: string | undefined,
  ): void {
    const { tokens, geometry } = this.parts;
    const { offsetMs } = resumePoint(pointBytes, tokens.finalizedAudioMs, geometry);
    tokens.resume(offsetMs);
    this.host.rolledOver({ count, atMs: offsetMs, previousRequestId });
    for (const text of held) if (this.live()) this.message(text);
    if (failure && this.live()) this.failed(failure);
  }

  /** Whether the session still takes frames: open or finishing. */
  private live(): boolean {
    const phase = this.host.phase();
    return phase === 'open' || phase === 'finishing';
  }
}

/**
 * The surface of a realtime session that holds no logic of the session itself: the typed
 * events and iterator, the Readable calls that hand over to marker delivery, and the getters
 * over what the session has sent and been told (tokens, texts, usage, the request id).
 * RealtimeStream (stream.ts) extends it and is the only writer of the fields it reads; this
 * file also re-exports the types a stream's users name.
 */
import type { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import type { AdaptiveLimiter } from '../internal/adaptive-rate';
import type { SessionSlots } from './session-slots';
import type { RealtimeStartMessage, RealtimeToken } from '../types';
import type { TranslationPair } from '../transcript/translation';
import {
  asRealtimeError,
  type RealtimeListener,
  type RealtimeStreamEvents,
  type RealtimeUsage,
} from './events';
import { Markers, type RealtimeItem } from './markers';
import type { Pacer } from './pacer';
import type { RealtimeSocket } from './connection';
import type { RealtimePhase } from './phase';
import type { AudioGeometry } from './reconnect';
import { TokenAssembler } from './token-assembler';
import type { Log } from '../internal/log';

export type { RealtimeOptions, RealtimeStreamConfig, ReconnectOptions } from './protocol';
export type {
  WebSocketFactory,
  RealtimeSocket,
  RealtimeSocketOptions,
  RealtimeSocketData,
} from './connection';
export { joinAfterResume } from './token-assembler';
export type { RealtimeMarker, RealtimeItem, MarkerDelivery } from './markers';
export type {
  RealtimeStreamEvents,
  RealtimeStreamError,
  RealtimeUsage,
  ReconnectEvent,
  RealtimeListener,
} from './events';
export type { RealtimePhase } from './phase';
export type { RolloverOptions, RolloverEvent } from './rollover';
export type { TranslationPair } from '../transcript/translation';
export { isRealtimeMarker } from './markers';

/** What the client gives every stream. */
export interface RealtimeContext {
  apiKey: string;
  realtimeURL: string;
  defaultModel: string;
  /** Makes the agent of the client's proxy for one realtime connection (closed with `signal`), if any. */
  proxyAgent?: ((signal: AbortSignal) => Agent) | undefined;
  /** The client's adaptive limiter of session starts (adaptiveRate), if any. */
  sessionLimiter?: AdaptiveLimiter | undefined;
  /** The client's ceiling on its concurrent sessions (the account's limit), if it reads one. */
  sessionSlots?: SessionSlots | undefined;
  /** A temporary key's session cap in ms, when the client minted it with one (rollover). */
  keySessionMs?: ((key: string) => number | undefined) | undefined;
  /** A pre-connected socket for a session with `key` (client.preconnect()), when one is warm. */
  warmSocket?: ((key: string) => RealtimeSocket | undefined) | undefined;
  /** The client's log (undefined: silent). */
  log?: Log | undefined;
  /** The client's `headers`, sent on every upgrade request (a stream's own `headers` over them). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * Duplex's own iterator type, as the consumer's @types/node has it: AsyncIterableIterator in
 * @types/node 20, NodeJS.AsyncIterator (with `[Symbol.asyncDispose]`) in later ones.
 */
type DuplexIterator = ReturnType<Duplex[typeof Symbol.asyncIterator]>;

/**
 * The stream's iterator: Duplex's own, whichever @types/node the consumer has (so it stays
 * assignable to the base class's under each), with `next()` yielding `T` rather than `any`.
 */
export interface RealtimeStreamIterator<T>
  extends
    Omit<DuplexIterator, 'next' | 'return' | 'throw' | typeof Symbol.asyncIterator>,
    AsyncIterator<T> {
  /** The iterator itself (so it can be used in `for await`). */
  [Symbol.asyncIterator](): RealtimeStreamIterator<T>;
}

/**
 * What every realtime session shows its users, over the state RealtimeStream keeps (see the
 * file comment). `T` is what the readable side yields.
 */
export abstract class RealtimeSurface<T extends RealtimeItem> extends Duplex {
  protected readonly tokens = new TokenAssembler();
  /** Where the stream is in its life: written by RealtimeStream's `transition()` alone. */
  protected current: RealtimePhase = 'idle';
  protected bytesSent = 0;
  protected sessionRequestId: string | undefined;
  /** Paces the audio sent, when pacing applies (see RealtimeOptions.pacing). */
  protected pacer: Pacer | undefined;

  /** Marker delivery (markers.ts): read(), pipe(), unpipe() and emit() hand over to it. */
  protected readonly markers: Markers;

  constructor(
    protected readonly start: RealtimeStartMessage,
    /** Bytes per ms and per frame of the audio (raw formats; 0 bytes per ms for containers). */
    protected readonly geometry: AudioGeometry,
    highWaterMark: number,
    /** Markers also as objects among the tokens (`markers: 'inband'`). */
    inbandMarkers: boolean,
  ) {
    super({ readableObjectMode: true, writableHighWaterMark: highWaterMark, allowHalfOpen: true });
    this.markers = new Markers(
      {
        stream: this,
        markerEvent: (kind, message) =>
          kind === 'finished'
            ? this.emit('finished', message, this.audioProcessed)
            : this.emit(kind),
        // Past this class's emit(), which would take the marker object for a queued marker.
        showMarker: (shown) => super.emit('data', shown),
        failureReached: () => this.failureReached(),
      },
      inbandMarkers,
    );
  }

  /** The reader got to the `failed` marker: every token before the failure was taken. */
  protected abstract failureReached(): void;

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

  /** Adds a listener of a known event, its arguments typed. */
  override on<E extends keyof RealtimeStreamEvents<T>>(
    event: E,
    listener: RealtimeListener<T, E>,
  ): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Adds a one-time listener of a known event, its arguments typed. */
  override once<E extends keyof RealtimeStreamEvents<T>>(
    event: E,
    listener: RealtimeListener<T, E>,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  /** Removes a listener. */
  override off<E extends keyof RealtimeStreamEvents<T>>(
    event: E,
    listener: RealtimeListener<T, E>,
  ): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  /** Iterates over the tokens (and markers, when in-band): `for await (const token of stream)`. */
  override [Symbol.asyncIterator](): RealtimeStreamIterator<T> {
    return super[Symbol.asyncIterator]() as RealtimeStreamIterator<T>;
  }

  /**
   * Destroys the stream; an error that is not one of the SDK's is wrapped (a SonioxError whose
   * `cause` it is), so that whatever fails the stream, its 'error' event carries an SDK error.
   */
  override destroy(error?: Error): this {
    return super.destroy(error === undefined || error === null ? error : asRealtimeError(error));
  }

  /** Where the session is in its life (see phase.ts). */
  get phase(): RealtimePhase {
    return this.current;
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

  /**
   * The translated segments so far, each original with its translation, in the order spoken
   * (the pairing of `pairTranslations`, over the final tokens).
   */
  get translationPairs(): Array<TranslationPair<RealtimeToken>> {
    return this.tokens.translationPairs;
  }

  /** Audio sent so far, in ms (raw formats; undefined for containers). */
  get audioMsSent(): number | undefined {
    const perMs = this.geometry.bytesPerMs;
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
}

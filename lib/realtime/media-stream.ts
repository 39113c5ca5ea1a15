/**
 * MediaStreamTranscriber: a phone provider's media-stream WebSocket (Twilio Media Streams and
 * look-alikes, see media-stream-messages.ts) transcribed, one realtime session per track. Its
 * writable side takes the WebSocket's messages as they come; its readable side yields the
 * tokens of every track, each labelled with its `track`. Audio goes to Soniox as the provider
 * sent it (mu-law or A-law, usually 8 kHz: no transcoding). Token times are ms from the media
 * stream's start on every track: a gap in a track's media timestamps is filled with silence.
 * `stop` (or the end of the writable side) ends every session; the readable side ends once
 * each has its `finished`. A malformed message fails it with a SonioxValidationError.
 */
import { Duplex } from 'node:stream';
import { SonioxValidationError } from '../errors';
import type { RealtimeToken } from '../types';
import {
  parseMediaStreamMessage,
  type MediaStreamEvent,
  type MediaStreamStart,
} from './media-stream-messages';
import type { RealtimeStream, RealtimeStreamConfig } from './stream';

/** A token of a phone call: a realtime token and the track it was heard on (`inbound`, `outbound`, `mixed`). */
export type PhoneToken = RealtimeToken & { track: string };

/** The config of every track's session (the audio fields come from the call's `start`), and which tracks to transcribe. */
export type MediaStreamConfig = Omit<
  RealtimeStreamConfig,
  'audio_format' | 'sample_rate' | 'num_channels' | 'markers' | 'saveAudio'
> & {
  /** Only these tracks are transcribed (default: every track that sends media). */
  tracks?: string[];
};

/** Opens a realtime session for one track (the client's `realtime()`). */
export type OpenRealtimeSession = (config: RealtimeStreamConfig) => RealtimeStream;

/** A gap in a track's media longer than this is filled only this far (a bad timestamp costs little). */
export const MAX_GAP_FILL_MS = 60_000;

/** A track's session and how much audio it was given. */
interface Track {
  session: RealtimeStream;
  bytes: number;
}

type Callback = (error?: Error | null) => void;

/** A media-stream WebSocket in, labelled tokens out (see the file comment). */
export class MediaStreamTranscriber extends Duplex {
  private readonly tracks = new Map<string, Track>();
  private readonly config: Omit<MediaStreamConfig, 'tracks'>;
  private readonly only: Set<string> | undefined;
  private started: MediaStreamStart | undefined;
  private stopped = false;

  /** `open` makes each track's session; `client.mediaStream(config)` passes the client's. */
  constructor(
    config: MediaStreamConfig,
    private readonly open: OpenRealtimeSession,
  ) {
    super({ writableObjectMode: true, readableObjectMode: true });
    const { tracks, ...rest } = config;
    this.config = rest;
    this.only = tracks === undefined ? undefined : new Set(tracks);
  }

  /** What the call's `start` said (ids, tracks, format, custom parameters), once it came. */
  get call(): MediaStreamStart | undefined {
    return this.started;
  }

  /** Each track's session, by track name, as they were opened. */
  get sessions(): ReadonlyMap<string, RealtimeStream> {
    return new Map([...this.tracks].map(([name, track]) => [name, track.session]));
  }

  /** The final transcript so far of each track. */
  get transcripts(): Record<string, string> {
    return Object.fromEntries([...this.tracks].map(([name, t]) => [name, t.session.transcript]));
  }

  /** @internal Node's Writable hook: input in. */
  override _write(message: unknown, _encoding: BufferEncoding, callback: Callback): void {
    const event = parseMediaStreamMessage(message);
    if (event instanceof SonioxValidationError) callback(event);
    else this.handle(event, callback);
  }

  private handle(event: MediaStreamEvent, callback: Callback): void {
    switch (event.event) {
      case 'start':
        if (this.started) return callback(outOfOrder('a second start'));
        this.started = event.start;
        this.emit('start', event.start);
        return callback();
      case 'media':
        if (!this.started) return callback(outOfOrder('media before start'));
        if (this.stopped || (this.only && !this.only.has(event.track))) return callback();
        return this.media(this.trackFor(event.track, this.started), event, callback);
      case 'stop':
        this.stop();
        return callback();
      default:
        // `connected`, `mark`, `dtmf`, a provider's own events: nothing to transcribe.
        return callback();
    }
  }

  /** Sends a media message's audio to its track's session, after silence for any gap before it. */
  private media(
    track: Track,
    event: Extract<MediaStreamEvent, { event: 'media' }>,
    callback: Callback,
  ): void {
    const format = (this.started as MediaStreamStart).format;
    const bytesPerMs = (format.sample_rate * format.num_channels) / 1000;
    if (event.timestampMs !== undefined) {
      const gapMs = Math.min(event.timestampMs - track.bytes / bytesPerMs, MAX_GAP_FILL_MS);
      const gap = Math.floor(gapMs * bytesPerMs);
      // Less than a frame (20 ms) apart is jitter in the timestamps, not lost audio.
      if (gapMs >= 20) {
        // Silence: mu-law's and A-law's code of a zero sample.
        track.session.write(Buffer.alloc(gap, format.audio_format === 'mulaw' ? 0xff : 0xd5));
        track.bytes += gap;
      }
    }
    track.bytes += event.audio.length;
    track.session.write(event.audio, callback);
  }

  /** The track's session, opened on its first media. */
  private trackFor(name: string, start: MediaStreamStart): Track {
    const known = this.tracks.get(name);
    if (known) return known;
    const session = this.open({ ...this.config, ...start.format, pacing: false });
    const track: Track = { session, bytes: 0 };
    this.tracks.set(name, track);
    session.on('data', (token: RealtimeToken) => {
      if (!this.push({ ...token, track: name })) this.pauseSessions();
    });
    session.on('end', () => this.endIfDone());
    session.on('error', (error: Error) => this.destroy(error));
    this.emit('track', name, session);
    return track;
  }

  /** Ends every session: the call is over (its `stop`, or the writable side's end). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { session } of this.tracks.values()) session.end();
    this.endIfDone();
  }

  /** Ends the readable side once the call stopped and every session delivered its last token. */
  private endIfDone(): void {
    if (!this.stopped) return;
    for (const { session } of this.tracks.values()) if (!session.readableEnded) return;
    this.push(null);
  }

  private pauseSessions(): void {
    for (const { session } of this.tracks.values()) session.pause();
  }

  /** @internal Node's Readable hook: output pulled. */
  override _read(): void {
    for (const { session } of this.tracks.values()) session.resume();
  }

  /** @internal Node's Writable hook: end(). */
  override _final(callback: Callback): void {
    this.stop();
    callback();
  }

  /** @internal Node's stream hook: destroy(). */
  override _destroy(error: Error | null, callback: Callback): void {
    for (const { session } of this.tracks.values()) session.destroy();
    callback(error);
  }
}

function outOfOrder(what: string): SonioxValidationError {
  const message = `${what} (a media stream sends connected, start, media..., stop)`;
  return new SonioxValidationError(`malformed media-stream message: ${message}`, [
    { field: 'message', message },
  ]);
}

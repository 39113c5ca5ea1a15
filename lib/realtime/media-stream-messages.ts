/**
 * The messages of a phone provider's media-stream WebSocket, parsed: Twilio Media Streams'
 * (`connected`, `start` with `tracks` and `mediaFormat`, `media` with a base64 payload and its
 * `track`, `stop`, plus `mark` and `dtmf`) and the same shape from look-alikes such as Telnyx
 * (`stream_id`, `media_format` with `PCMU` / `PCMA`). Pure: a message in, an event or a typed
 * error out, never a throw; the payload is never quoted in an error.
 */
import { SonioxValidationError } from '../errors';

/** The realtime audio fields of a call's media format (mu-law or A-law, as sent: no transcoding). */
export interface MediaStreamFormat {
  audio_format: 'mulaw' | 'alaw';
  sample_rate: number;
  num_channels: number;
}

/** What the `start` message says about the call. */
export interface MediaStreamStart {
  /** The provider's id of this media stream (Twilio `streamSid`, Telnyx `stream_id`). */
  streamId: string | undefined;
  /** The call's id (Twilio `callSid`, Telnyx `call_control_id`). */
  callId: string | undefined;
  /** The tracks announced (`inbound`, `outbound`); empty when the provider names none. */
  tracks: string[];
  format: MediaStreamFormat;
  /** The `<Parameter>`s of the stream (Twilio `customParameters`, Telnyx `custom_parameters`). */
  customParameters: Record<string, unknown>;
}

/** One parsed media-stream message. */
export type MediaStreamEvent =
  | { event: 'connected' }
  | { event: 'start'; start: MediaStreamStart }
  | {
      event: 'media';
      /** The track the audio belongs to; `mixed` when the provider names none. */
      track: string;
      audio: Buffer;
      /** ms from the stream's start, when the provider gives it. */
      timestampMs: number | undefined;
    }
  | { event: 'stop' }
  /** `mark`, `dtmf` and anything else a provider adds: not audio, passed over. */
  | { event: 'other'; name: string };

/** The track label of media that names none: a provider's single, mixed stream. */
export const MIXED_TRACK = 'mixed';

const ENCODINGS: Record<string, MediaStreamFormat['audio_format']> = {
  'audio/x-mulaw': 'mulaw',
  'audio/mulaw': 'mulaw',
  'audio/pcmu': 'mulaw',
  pcmu: 'mulaw',
  'audio/x-alaw': 'alaw',
  'audio/alaw': 'alaw',
  'audio/pcma': 'alaw',
  pcma: 'alaw',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

function malformed(message: string): SonioxValidationError {
  return new SonioxValidationError(`malformed media-stream message: ${message}`, [
    { field: 'message', message },
  ]);
}

/** The message as an object: a JSON text frame (string, Buffer, ws's Buffer[] or ArrayBuffer) or one already parsed. */
function decode(data: unknown): Fields | SonioxValidationError {
  let json: string | undefined;
  if (typeof data === 'string') json = data;
  else if (Buffer.isBuffer(data)) json = data.toString('utf8');
  else if (data instanceof ArrayBuffer) json = Buffer.from(data).toString('utf8');
  else if (Array.isArray(data) && data.every((part) => Buffer.isBuffer(part)))
    json = Buffer.concat(data).toString('utf8');
  else if (isFields(data)) return data;
  else return malformed('not a JSON text frame or object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return malformed(`not JSON (${json.length} bytes)`);
  }
  return isFields(parsed) ? parsed : malformed('not a JSON object');
}

/** The `start` message's media format: its encoding, rate and channels. */
function formatOf(start: Fields): MediaStreamFormat | SonioxValidationError {
  const format = start.mediaFormat ?? start.media_format;
  if (!isFields(format)) return malformed('start has no mediaFormat');
  const encoding = text(format.encoding);
  const audioFormat = encoding === undefined ? undefined : ENCODINGS[encoding.toLowerCase()];
  if (audioFormat === undefined)
    return malformed(
      `unsupported encoding ${JSON.stringify(encoding ?? null)} (mu-law or A-law are sent as they are)`,
    );
  const rate = format.sampleRate ?? format.sample_rate ?? 8000;
  const channels = format.channels ?? 1;
  if (!Number.isInteger(rate) || (rate as number) <= 0)
    return malformed('start has no valid sample rate');
  if (!Number.isInteger(channels) || (channels as number) <= 0)
    return malformed('start has no valid channel count');
  return {
    audio_format: audioFormat,
    sample_rate: rate as number,
    num_channels: channels as number,
  };
}

function parseStart(message: Fields): MediaStreamEvent | SonioxValidationError {
  const start = message.start;
  if (!isFields(start)) return malformed('start without its start object');
  const format = formatOf(start);
  if (format instanceof SonioxValidationError) return format;
  const tracks = Array.isArray(start.tracks)
    ? start.tracks.filter((t): t is string => typeof t === 'string')
    : [];
  const custom = start.customParameters ?? start.custom_parameters;
  return {
    event: 'start',
    start: {
      streamId: text(start.streamSid) ?? text(message.streamSid) ?? text(message.stream_id),
      callId: text(start.callSid) ?? text(start.call_control_id),
      tracks,
      format,
      customParameters: isFields(custom) ? custom : {},
    },
  };
}

function parseMedia(message: Fields): MediaStreamEvent | SonioxValidationError {
  const media = message.media;
  if (!isFields(media)) return malformed('media without its media object');
  const payload = media.payload;
  if (typeof payload !== 'string' || !BASE64.test(payload) || payload.length % 4 !== 0)
    return malformed('media payload is not base64');
  const timestamp = Number(media.timestamp);
  return {
    event: 'media',
    track: text(media.track) ?? MIXED_TRACK,
    audio: Buffer.from(payload, 'base64'),
    // Number(undefined) is NaN: no timestamp, none given.
    timestampMs: Number.isFinite(timestamp) && timestamp >= 0 ? timestamp : undefined,
  };
}

/** Parses one media-stream message (see the file comment); a malformed one gives a SonioxValidationError. */
export function parseMediaStreamMessage(data: unknown): MediaStreamEvent | SonioxValidationError {
  const message = decode(data);
  if (message instanceof SonioxValidationError) return message;
  const name = text(message.event);
  switch (name) {
    case undefined:
      return malformed('no event name');
    case 'connected':
    case 'stop':
      return { event: name };
    case 'start':
      return parseStart(message);
    case 'media':
      return parseMedia(message);
    default:
      return { event: 'other', name };
  }
}

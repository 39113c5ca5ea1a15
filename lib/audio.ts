/**
 * Audio arithmetic, in one place: the realtime API's audio formats (the lists, and the type
 * derived from them), bytes per sample, byte rates, ms <-> bytes, and the WAV header (parsed to
 * time a file, written to wrap raw PCM). Pure; used by the realtime stream (pacing, reconnect
 * replay), the CLI and the mock server.
 */

/** Raw sample formats: the audio is bare samples, so the start message needs sample_rate and num_channels. */
export const RAW_AUDIO_FORMATS = [
  'pcm_s8',
  'pcm_s8le',
  'pcm_s8be',
  'pcm_u8',
  'pcm_u8le',
  'pcm_u8be',
  'pcm_s16le',
  'pcm_s16be',
  'pcm_u16le',
  'pcm_u16be',
  'pcm_s24le',
  'pcm_s24be',
  'pcm_u24le',
  'pcm_u24be',
  'pcm_s32le',
  'pcm_s32be',
  'pcm_u32le',
  'pcm_u32be',
  'pcm_f32le',
  'pcm_f32be',
  'pcm_f64le',
  'pcm_f64be',
  'mulaw',
  'alaw',
] as const;

/** Container formats the realtime API auto-detects (`auto`) or accepts by name. */
export const CONTAINER_AUDIO_FORMATS = [
  'auto',
  'aac',
  'aiff',
  'amr',
  'asf',
  'flac',
  'mp3',
  'ogg',
  'wav',
  'webm',
] as const;

/** A raw sample format. */
export type RawAudioFormat = (typeof RAW_AUDIO_FORMATS)[number];

/** A container format (or `auto`). */
export type ContainerAudioFormat = (typeof CONTAINER_AUDIO_FORMATS)[number];

/** Audio formats of the realtime API: raw sample formats and containers. */
export type RealtimeAudioFormat = ContainerAudioFormat | RawAudioFormat;

const RAW = new Set<string>(RAW_AUDIO_FORMATS);
const CONTAINER = new Set<string>(CONTAINER_AUDIO_FORMATS);

/** Whether `format` is a raw sample format (no header: it can be timed, and resumed mid-stream). */
export function isRawAudioFormat(format: string | undefined): format is RawAudioFormat {
  return format !== undefined && RAW.has(format);
}

/** Whether `format` is a format the realtime API knows. */
export function isAudioFormat(format: string): format is RealtimeAudioFormat {
  return RAW.has(format) || CONTAINER.has(format);
}

/** Bytes per sample of a raw format (one channel); 0 for containers. */
export function bytesPerSample(format: string): number {
  if (format === 'mulaw' || format === 'alaw' || /^pcm_[su]8/.test(format)) return 1;
  const bits = /^pcm_[suf](\d+)/.exec(format);
  return bits ? Number(bits[1]) / 8 : 0;
}

/** Bytes of one frame (one sample of every channel) of a raw format; 0 for containers. */
export function frameBytes(format: string, channels = 1): number {
  return bytesPerSample(format) * channels;
}

/** Bytes per second of raw audio; undefined for containers or without rate and channels. */
export function byteRate(
  format: string,
  sampleRate: number | undefined,
  channels: number | undefined,
): number | undefined {
  const bytes = frameBytes(format, channels ?? 0);
  return bytes > 0 && sampleRate ? bytes * sampleRate : undefined;
}

/** The byte position (whole frames) of audio time `ms`, at `bytesPerMs`. */
export function msToBytes(ms: number, bytesPerMs: number, frame: number): number {
  const raw = Math.floor(ms * bytesPerMs);
  return frame > 1 ? raw - (raw % frame) : raw;
}

/** Audio time in ms of `bytes` at `bytesPerSecond`. */
export function bytesToMs(bytes: number, bytesPerSecond: number): number {
  return (bytes / bytesPerSecond) * 1000;
}

/** What a WAV header says. */
export interface WavInfo {
  /** 1 = PCM, 3 = IEEE float, 6 = A-law, 7 = mu-law, 0xFFFE = extensible. */
  audioFormat: number;
  sampleRate: number;
  numChannels: number;
  bitsPerSample: number;
  /** Byte offset of the first audio byte. */
  dataOffset: number;
  /** Declared data size; undefined when the header was written for a stream (0 or 0xFFFFFFFF). */
  dataSize: number | undefined;
  byteRate: number;
}

/** Parses a WAV header from the first bytes of a file; undefined if it is not a complete one. */
export function parseWav(head: Buffer): WavInfo | undefined {
  if (
    head.length < 12 ||
    head.toString('latin1', 0, 4) !== 'RIFF' ||
    head.toString('latin1', 8, 12) !== 'WAVE'
  )
    return undefined;
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataSize'> | undefined;
  while (offset + 8 <= head.length) {
    const id = head.toString('latin1', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > head.length) return undefined;
      fmt = {
        audioFormat: head.readUInt16LE(body),
        numChannels: head.readUInt16LE(body + 2),
        sampleRate: head.readUInt32LE(body + 4),
        byteRate: head.readUInt32LE(body + 8),
        bitsPerSample: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt || fmt.byteRate === 0) return undefined;
      return {
        ...fmt,
        dataOffset: body,
        dataSize: size === 0 || size === 0xffffffff ? undefined : size,
      };
    }
    offset = body + size + (size % 2);
  }
  return undefined;
}

/** Whether the bytes start like a RIFF/WAVE file (complete header or not). */
export function looksLikeWav(head: Buffer): boolean {
  return head.length >= 4 && head.toString('latin1', 0, 4) === 'RIFF';
}

/** What a WAV header to write describes. */
export interface WavFormat {
  sampleRate: number;
  numChannels: number;
  bitsPerSample: number;
  /** 1 = PCM (default), 3 = IEEE float. */
  audioFormat?: number;
}

/** A 44-byte WAV header for `dataBytes` bytes of audio (undefined: a stream of unknown length). */
export function wavHeader(format: WavFormat, dataBytes?: number): Buffer {
  const { sampleRate, numChannels, bitsPerSample, audioFormat = 1 } = format;
  const blockAlign = (numChannels * bitsPerSample) / 8;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(dataBytes === undefined ? 0xffffffff : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(audioFormat, 20);
  header.writeUInt16LE(numChannels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes ?? 0xffffffff, 40);
  return header;
}

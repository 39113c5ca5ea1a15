/** RIFF/WAVE header parsing, enough to time audio: format, rate, channels, data offset and size. */

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

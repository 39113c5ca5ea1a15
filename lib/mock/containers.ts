/**
 * What the mock can tell about audio bytes without decoding them: which supported container
 * they start with (by its signature), whether headerless bytes look like 16-bit PCM, and whether
 * an `audio_url` could be downloaded by the service at all. The service fails what it cannot
 * decode or download (`audio_decode_error`, `audio_download_error`); so does the mock.
 */
import { isIP } from 'node:net';

/** Bytes needed to recognise every signature below. */
export const SIGNATURE_BYTES = 12;

const ascii = (b: Buffer, at: number, s: string) => b.toString('latin1', at, at + s.length) === s;

/**
 * The container `head` starts with (the documented formats: aac, aiff, amr, asf, flac, mp3,
 * ogg, wav, webm, m4a, mp4), or undefined.
 */
export function containerOf(head: Buffer): string | undefined {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'ID3')) return 'mp3';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (ascii(head, 0, '#!AMR')) return 'amr';
  if (ascii(head, 0, 'FORM') && (ascii(head, 8, 'AIFF') || ascii(head, 8, 'AIFC'))) return 'aiff';
  if (ascii(head, 4, 'ftyp')) return 'mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x3026b275) return 'asf';
  // An MPEG audio frame (mp3) or an ADTS frame (aac): 11 sync bits, then a valid layer/version.
  if (head.length >= 2 && head[0] === 0xff && ((head[1] as number) & 0xe0) === 0xe0) {
    return ((head[1] as number) & 0x06) === 0 ? 'aac' : 'mp3';
  }
  return undefined;
}

/**
 * Whether headerless bytes could be 16-bit little-endian PCM: not text (mostly printable
 * characters, of many kinds) and not noise (consecutive samples jumping by a third of the range
 * on average, as random bytes do). Speech, silence and the constant buffers tests use all pass.
 */
export function looksLikePcm16(head: Buffer): boolean {
  if (head.length < 2) return false;
  let printable = 0;
  const kinds = new Set<number>();
  for (const byte of head) {
    kinds.add(byte);
    if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127)) printable++;
  }
  if (printable / head.length > 0.9 && kinds.size >= 8) return false;
  let jumps = 0;
  let samples = 0;
  for (let i = 2; i + 1 < head.length; i += 2, samples++)
    jumps += Math.abs(head.readInt16LE(i) - head.readInt16LE(i - 2));
  return samples === 0 || jumps / samples < 8_000;
}

/**
 * Why the service could not download `audioUrl`, or undefined when it might: no URL, a path
 * that says "fail" (the mock's way to script a failed download), or a host the service cannot
 * reach: a reserved name that never resolves (.invalid, .test, .example, .localhost, .local),
 * a name without a dot, or a loopback, private or link-local address (yours, not the internet's).
 */
export function downloadProblem(audioUrl: string): string | undefined {
  if (!URL.canParse(audioUrl)) return 'The audio URL is not a valid URL.';
  const url = new URL(audioUrl);
  if (/fail/i.test(url.pathname)) return 'Failed to download the audio file.';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const unreachable = `Failed to download the audio file: cannot reach host ${host}.`;
  if (isIP(host) === 0) {
    if (!host.includes('.') || /\.(invalid|test|example|localhost|local)$/.test(host))
      return unreachable;
    return undefined;
  }
  if (isIP(host) === 6) return /^(::1?$|f[cd]|fe[89ab])/i.test(host) ? unreachable : undefined;
  const [a = 0, b = 0] = host.split('.').map(Number);
  const privateV4 =
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168);
  return privateV4 ? unreachable : undefined;
}

/** Fixture audio for the scenarios: the committed WAVs and their raw PCM. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseWav } from '../../lib/audio';
import { ROOT } from './child';

/** A fixture WAV file's bytes and its PCM samples. */
export function fixtureAudio(name = 'hello-world.wav'): { wav: Buffer; pcm: Buffer } {
  const wav = fs.readFileSync(path.join(ROOT, 'fixtures', 'audio', name));
  const info = parseWav(wav);
  if (!info) throw new Error(`${name} is not a WAV file`);
  return {
    wav,
    pcm: wav.subarray(info.dataOffset, info.dataOffset + (info.dataSize ?? wav.length)),
  };
}

/** Raw PCM realtime config (16 kHz s16le mono). */
export const PCM = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;

/** Bytes of 16 kHz s16le mono audio per second. */
export const PCM_BYTES_PER_SECOND = 32_000;

/** `seconds` of loud non-fixture PCM: the mock answers it with placeholder words, steadily. */
export function syntheticPcm(seconds: number): Buffer {
  const buf = Buffer.alloc(Math.round(seconds * PCM_BYTES_PER_SECOND));
  for (let i = 0; i + 1 < buf.length; i += 2) buf.writeInt16LE(((i * 37) % 20_000) - 10_000, i);
  return buf;
}

const SHARED = Buffer.alloc(64 * 1024, 0x5a);

/**
 * A Readable of `total` bytes that pushes (slices of) one module-wide 64 KiB buffer: a thousand
 * of these cost no more memory than one, so what a memory figure shows is the client's.
 */
export function sharedChunkStream(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(SHARED.length, total - sent);
      sent += n;
      this.push(n === SHARED.length ? SHARED : SHARED.subarray(0, n));
    },
  });
}

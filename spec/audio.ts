/** Fixture audio for specs: the committed WAVs, their raw PCM, and the manifest's words. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadFixtures, type FixtureAudio } from '../lib/mock/recognizer';
import { parseWav } from '../lib/audio';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

/** A fixture by file name. */
export function fixture(name: string): FixtureAudio & { path: string; wav: Buffer; pcm: Buffer } {
  const entry = loadFixtures(FIXTURES_DIR).find((f) => f.name === name);
  if (!entry) throw new Error(`no fixture ${name}`);
  const file = path.join(FIXTURES_DIR, 'audio', name);
  const wav = fs.readFileSync(file);
  const info = parseWav(wav)!;
  return {
    ...entry,
    path: file,
    wav,
    pcm: wav.subarray(info.dataOffset, info.dataOffset + (info.dataSize ?? wav.length)),
  };
}

/** A stream of `bytes` in chunks of `size`. */
export function chunked(bytes: Buffer, size = 3200): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: false });
}

/** Raw PCM realtime config of the fixtures (16 kHz s16le mono). */
export const PCM = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;

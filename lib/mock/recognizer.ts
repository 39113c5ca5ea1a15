/**
 * What the mock "hears". Fixture audio (fixtures/audio/manifest.json) is recognised by content
 * hash and answered with its known words, timings, speakers, languages and translations; any
 * other audio gets deterministic placeholder words, one per 400 ms of audio, in segments of five
 * words whose speakers alternate 1, 2, 1, ... (language: the first hint, else `en`). Nothing is
 * decoded: durations come from WAV headers, or from the byte count for raw audio (16 kHz,
 * s16le, mono for the async API). Bytes in no supported container that do not look like sound
 * either (text, noise) fail with `audio_decode_error`, as the service fails them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TranscriptToken } from '../types';
import type { SpokenWord } from './features';
import { looksLikeWav, parseWav } from '../audio';
import { containerOf, looksLikePcm16 } from './containers';

/** A word of a fixture, with its timing in ms from the start of the audio. */
export interface FixtureWord {
  text: string;
  start_ms: number;
  end_ms: number;
  confidence: number;
  /** Who says it (default "1"). */
  speaker?: string;
  /** Its language (default `en`). */
  language?: string;
  /** Index of its speech segment in `segments` (default 0). */
  segment?: number;
}

/** A speech segment of a fixture (a phrase between pauses) and its translations by target code. */
export interface FixtureSegment {
  start_ms: number;
  end_ms: number;
  text: string;
  speaker: string;
  language: string;
  translations?: Record<string, string>;
}

/** An entry of fixtures/audio/manifest.json. */
export interface FixtureAudio {
  name: string;
  /** sha256 of the whole file. */
  sha256: string;
  /** sha256 of the PCM data chunk alone (raw streams of the same audio). */
  pcm_sha256: string;
  sample_rate: number;
  num_channels: number;
  duration_ms: number;
  text: string;
  words: FixtureWord[];
  segments?: FixtureSegment[];
}

/** The result of analysing a whole file. */
export interface AudioAnalysis {
  durationMs: number;
  /** Plain tokens (no speaker, language or translation). */
  tokens: TranscriptToken[];
  /** The words with what the audio says about them (speaker, language, segment). */
  words?: SpokenWord[];
  /** Translations of segment `n` by target code (fixtures only). */
  translations?: (segment: number) => Record<string, string> | undefined;
  error?: { type: string; message: string };
}

/** Bytes per second assumed for raw (headerless) async audio: 16 kHz s16le mono. */
export const RAW_BYTES_PER_SECOND = 32_000;

const PLACEHOLDER = [
  'lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'consectetur',
  'adipiscing',
  'elit',
  'sed',
  'do',
];
/** Audio time per placeholder word. */
export const PLACEHOLDER_WORD_MS = 400;
/** Placeholder words per segment (speakers alternate per segment). */
export const PLACEHOLDER_SEGMENT_WORDS = 5;

const manifests = new Map<string, FixtureAudio[]>();

/** The default fixtures directory: the package's own (from lib/ under ts-node and from dist/). */
export function defaultFixturesDir(): string {
  return path.join(__dirname, '..', '..', 'fixtures');
}

/** The fixture manifest, loaded once per directory; empty when there is none. */
export function loadFixtures(fixturesDir = defaultFixturesDir()): FixtureAudio[] {
  let list = manifests.get(fixturesDir);
  if (!list) {
    const file = path.join(fixturesDir, 'audio', 'manifest.json');
    /* eslint-disable security/detect-non-literal-fs-filename -- the manifest of the fixtures directory the mock was given */
    list = fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { files: FixtureAudio[] }).files
      : [];
    /* eslint-enable security/detect-non-literal-fs-filename */
    manifests.set(fixturesDir, list);
  }
  return list;
}

/** Tokens of a fixture's words, with the API's leading spaces between words. */
export function fixtureTokens(fixture: FixtureAudio, offsetMs = 0): TranscriptToken[] {
  return fixture.words.map((w, i) => ({
    text: i === 0 ? w.text : ` ${w.text}`,
    start_ms: w.start_ms + offsetMs,
    end_ms: w.end_ms + offsetMs,
    confidence: w.confidence,
  }));
}

/** A fixture's words with their speaker, language and segment (defaults for older manifests). */
export function fixtureWords(fixture: FixtureAudio, offsetMs = 0): SpokenWord[] {
  return fixture.words.map((w) => ({
    text: w.text,
    start_ms: w.start_ms + offsetMs,
    end_ms: w.end_ms + offsetMs,
    confidence: w.confidence,
    speaker: w.speaker ?? '1',
    language: w.language ?? 'en',
    segment: w.segment ?? 0,
  }));
}

/** The placeholder word number `index` with the documented speaker and language rule. */
export function placeholderWord(index: number, language = 'en'): SpokenWord {
  const t = placeholderToken(index);
  const segment = Math.floor(index / PLACEHOLDER_SEGMENT_WORDS);
  return {
    text: t.text.trim(),
    start_ms: t.start_ms as number,
    end_ms: t.end_ms as number,
    confidence: t.confidence as number,
    speaker: String((segment % 2) + 1),
    language,
    segment,
  };
}

/** The placeholder word number `index` (deterministic), as a token. */
export function placeholderToken(index: number): TranscriptToken {
  // Taken modulo the list's length, the index is always in range: `?? ''` only satisfies the type.
  const word = PLACEHOLDER[index % PLACEHOLDER.length] ?? '';
  const start = index * PLACEHOLDER_WORD_MS;
  return {
    text: index === 0 ? word : ` ${word}`,
    start_ms: start + 50,
    end_ms: start + 350,
    confidence: 0.9,
  };
}

/** Placeholder tokens for `durationMs` of audio: one per whole 400 ms. */
export function placeholderTokens(durationMs: number): TranscriptToken[] {
  return Array.from({ length: Math.floor(durationMs / PLACEHOLDER_WORD_MS) }, (_, i) =>
    placeholderToken(i),
  );
}

/** Analyses an uploaded file from its hash, size and first bytes. */
export function analyzeAudio(
  info: { sha256: string; size: number; head: Buffer },
  fixturesDir?: string,
): AudioAnalysis {
  if (info.size === 0)
    return {
      durationMs: 0,
      tokens: [],
      error: { type: 'audio_decode_error', message: 'The audio file is empty.' },
    };
  const fixture = loadFixtures(fixturesDir).find((f) => f.sha256 === info.sha256);
  if (fixture)
    return {
      durationMs: fixture.duration_ms,
      tokens: fixtureTokens(fixture),
      words: fixtureWords(fixture),
      translations: (n) => fixture.segments?.[n]?.translations,
    };
  let durationMs: number;
  if (looksLikeWav(info.head)) {
    const wav = parseWav(info.head);
    if (!wav)
      return {
        durationMs: 0,
        tokens: [],
        error: { type: 'audio_decode_error', message: 'Could not decode the audio file.' },
      };
    const dataBytes = wav.dataSize ?? Math.max(0, info.size - wav.dataOffset);
    durationMs = Math.round((dataBytes / wav.byteRate) * 1000);
  } else if (containerOf(info.head) !== undefined || looksLikePcm16(info.head)) {
    durationMs = Math.round((info.size / RAW_BYTES_PER_SECOND) * 1000);
  } else {
    // Text, noise: no supported container and nothing like sound (the service fails it too).
    return {
      durationMs: 0,
      tokens: [],
      error: {
        type: 'audio_decode_error',
        message: 'Could not decode the audio file: not audio in a supported format.',
      },
    };
  }
  return { durationMs, tokens: placeholderTokens(durationMs) };
}

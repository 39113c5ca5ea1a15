/**
 * The realtime side of the mock's recognizer: fed audio bytes as they arrive, it knows how
 * much audio time it has, which words lie in it, and at which audio positions speech was
 * followed by enough silence for an endpoint (found in the audio itself, so a burst and a paced
 * send give the same endpoints; 16-bit mono PCM, raw or in WAV, and mono G.711 (`mulaw`,
 * `alaw`, decoded by g711.ts) are measured: other formats get no endpoints from audio). Fixture
 * audio is found by locating the first non-silent samples inside a fixture's PCM, or, for G.711
 * and rates no fixture has, by its loudness envelope (envelope.ts); either way a stream that
 * starts mid-fixture (a client resuming after a reconnect) is recognised too, with its
 * timestamps relative to where it started.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bytesPerSample } from '../types';
import type { SpokenWord } from './features';
import {
  defaultFixturesDir,
  fixtureWords,
  loadFixtures,
  PLACEHOLDER_SEGMENT_WORDS,
  placeholderWord,
  type FixtureAudio,
} from './recognizer';
import { parseWav } from '../audio';
import { containerOf, SIGNATURE_BYTES } from './containers';
import { ENVELOPE_FRAMES, fixtureLevels, level, matchEnvelope } from './envelope';
import { decodeG711, g711Table } from './g711';

/** A word the session can emit, in ms from the session's first audio byte. */
export type LiveWord = SpokenWord;

/** Audio layout of a session. */
export interface LiveFormat {
  /** `pcm_s16le`, another raw format, or a container name (`wav`, `auto`, `mp3`, ...). */
  audioFormat: string;
  sampleRate?: number | undefined;
  numChannels?: number | undefined;
}

/** Bytes per second assumed for containers other than WAV (128 kbit/s, a common mp3/ogg rate). */
export const CONTAINER_BYTES_PER_SECOND = 16_000;
const SILENCE_RMS = 300;
const PROBE_BYTES = 640;
/** Undecided audio this long is treated as unknown (placeholder words). */
const DECIDE_WITHIN_MS = 1_000;

const pcmCache = new Map<string, Buffer>();
function fixturePcm(dir: string, fixture: FixtureAudio): Buffer {
  const key = path.join(dir, fixture.name);
  let pcm = pcmCache.get(key);
  if (!pcm) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixture listed in the manifest of the fixtures directory the mock was given
    const file = fs.readFileSync(path.join(dir, 'audio', fixture.name));
    const wav = parseWav(file);
    pcm = wav
      ? file.subarray(wav.dataOffset, wav.dataOffset + (wav.dataSize ?? file.length))
      : Buffer.alloc(0);
    pcmCache.set(key, pcm);
  }
  return pcm;
}

/** Byte rates a real WAV stream can have (8 kHz 4-bit ADPCM up to 384 kHz 8-channel float). */
const MIN_WAV_BYTE_RATE = 1_000;
const MAX_WAV_BYTE_RATE = 384_000 * 8 * 4;

/** Audio the session cannot take (a header that describes no real stream). */
export class UnsupportedAudioError extends Error {}

/** Incremental recognizer of one realtime session. */
export class LiveRecognizer {
  /** Audio received, in ms. */
  receivedMs = 0;
  private bytesPerSecond: number;
  private pcm16: boolean;
  private headerPending: boolean;
  private header = Buffer.alloc(0);
  private received = 0;
  private probe = Buffer.alloc(0);
  private probeStart = -1;
  private words: LiveWord[] | 'placeholder' | undefined;
  private fixture: FixtureAudio | undefined;
  private speechSinceEndpoint = false;
  private silentMs = 0;
  /** 10 ms frames measured so far (the audio position of the energy tracker). */
  private frames = 0;
  /** Audio positions (ms) of endpoints found and not yet taken. */
  private endpoints: number[] = [];
  private carry = Buffer.alloc(0);
  /** A container stream's first bytes, until its signature can be checked (then undefined). */
  private signature: Buffer | undefined;
  /** The G.711 table of mono `mulaw` / `alaw` audio (decoded, then heard as PCM). */
  private readonly law: Int16Array | undefined;
  /** Levels of the 10 ms frames from the first speech on, while the audio is looked up by envelope. */
  private envelope: number[] = [];
  /** The frame number of `envelope[0]`. */
  private envelopeFrom = 0;

  /**
   * `endpointDelayMs`: silence after speech that makes an endpoint (endpointing.ts);
   * `language`: the language placeholder words speak (the first hint).
   */
  constructor(
    private readonly format: LiveFormat,
    private readonly fixturesDir = defaultFixturesDir(),
    private readonly endpointDelayMs = 2000,
    private readonly language = 'en',
  ) {
    const raw = bytesPerSample(format.audioFormat);
    this.headerPending =
      raw === 0 && (format.audioFormat === 'wav' || format.audioFormat === 'auto');
    this.pcm16 = format.audioFormat === 'pcm_s16le' && format.numChannels === 1;
    this.bytesPerSecond =
      raw > 0
        ? raw * (format.sampleRate ?? 16000) * (format.numChannels ?? 1)
        : CONTAINER_BYTES_PER_SECOND;
    this.law = format.numChannels === 1 ? g711Table(format.audioFormat) : undefined;
    if (!this.pcm16 && !this.law && !this.headerPending) this.words = 'placeholder';
    if (raw === 0) this.signature = Buffer.alloc(0);
  }

  /** Feeds audio bytes. */
  feed(chunk: Buffer): void {
    if (this.signature) {
      // Any byte string is samples of a raw format; a container must start with its signature.
      this.signature = Buffer.concat([this.signature, chunk]);
      if (this.signature.length < SIGNATURE_BYTES) return;
      chunk = this.signature;
      this.signature = undefined;
      if (containerOf(chunk) === undefined)
        throw new UnsupportedAudioError(
          `Audio data could not be decoded: no ${this.format.audioFormat === 'auto' ? 'supported' : this.format.audioFormat} container.`,
        );
    }
    if (this.headerPending) {
      this.header = Buffer.concat([this.header, chunk]);
      const wav = parseWav(this.header);
      if (!wav && this.header.length < 64 * 1024 && this.header.toString('latin1', 0, 4) === 'RIFF')
        return;
      this.headerPending = false;
      if (wav) {
        // A header claiming 1 byte a second would make every byte hours of words.
        if (wav.byteRate < MIN_WAV_BYTE_RATE || wav.byteRate > MAX_WAV_BYTE_RATE) {
          throw new UnsupportedAudioError(`Unsupported WAV header: byte rate ${wav.byteRate}.`);
        }
        this.bytesPerSecond = wav.byteRate;
        this.pcm16 = wav.audioFormat === 1 && wav.bitsPerSample === 16 && wav.numChannels === 1;
        this.format.sampleRate = wav.sampleRate;
        chunk = this.header.subarray(wav.dataOffset);
      } else {
        chunk = this.header;
      }
      if (!this.pcm16) this.words = 'placeholder';
      this.header = Buffer.alloc(0);
    }
    if (chunk.length === 0) return;
    const startByte = this.received;
    this.received += chunk.length;
    // Bytes times 1000 first: (bytes / rate) * 1000 is 1012.99... for 1013 ms of 16 kHz PCM.
    this.receivedMs = Math.floor((this.received * 1000) / this.bytesPerSecond);
    // Other formats have no energy to measure: no endpoints from audio.
    if (this.pcm16) this.track(chunk, startByte);
    else if (this.law) this.track(decodeG711(chunk, this.law), startByte * 2);
    // Audio looked up by envelope is given until a stretch of its speech has been heard.
    const hearing = this.envelope.length > 0;
    if (this.words === undefined && this.receivedMs >= DECIDE_WITHIN_MS && !hearing)
      this.words = 'placeholder';
  }

  /** Words from number `from` on whose start lies before `uptoMs`. */
  wordsBefore(uptoMs: number, from = 0): LiveWord[] {
    if (this.words === undefined) return [];
    if (this.words === 'placeholder') {
      const out: LiveWord[] = [];
      for (let i = from; ; i++) {
        const w = placeholderWord(i, this.language);
        if (w.start_ms >= uptoMs) return out;
        out.push(w);
      }
    }
    return this.words.slice(from).filter((w) => w.start_ms < uptoMs);
  }

  /** All the words of `segment` known so far (for its translation). */
  segmentWords(segment: number): LiveWord[] {
    if (this.words === undefined) return [];
    if (this.words === 'placeholder') {
      const n = PLACEHOLDER_SEGMENT_WORDS;
      return Array.from({ length: n }, (_, k) => placeholderWord(segment * n + k, this.language));
    }
    return this.words.filter((w) => w.segment === segment);
  }

  /** The manifest's translations of `segment` (fixture audio only). */
  translations(segment: number): Record<string, string> | undefined {
    return this.fixture?.segments?.[segment]?.translations;
  }

  /** Removes and returns the endpoint positions (ms) at or before `uptoMs`. */
  takeEndpoints(uptoMs: number): number[] {
    const due = this.endpoints.filter((at) => at <= uptoMs);
    this.endpoints = this.endpoints.filter((at) => at > uptoMs);
    return due;
  }

  /** Restarts endpoint detection after a manual finalization (speech before it is settled). */
  settle(): void {
    this.speechSinceEndpoint = false;
  }

  /**
   * Whether fixtures are looked up by envelope (envelope.ts), not by their exact samples: for
   * G.711, and for PCM at a rate no fixture has.
   */
  private get byEnvelope(): boolean {
    const rate = this.format.sampleRate;
    return (
      this.law !== undefined || !loadFixtures(this.fixturesDir).some((f) => f.sample_rate === rate)
    );
  }

  private track(chunk: Buffer, startByte: number): void {
    const carried = this.carry.length;
    const data = carried ? Buffer.concat([this.carry, chunk]) : chunk;
    // Bytes per second of the PCM tracked (G.711 is decoded to two bytes a sample).
    const pcmRate = this.law ? this.bytesPerSecond * 2 : this.bytesPerSecond;
    const frameBytes = Math.max(2, Math.floor(pcmRate / 100) & ~1);
    const byEnvelope = this.words === undefined && this.byEnvelope;
    let offset = 0;
    for (; offset + frameBytes <= data.length; offset += frameBytes) {
      let sum = 0;
      for (let i = offset; i < offset + frameBytes; i += 2) {
        const s = data.readInt16LE(i);
        sum += s * s;
      }
      this.frames++;
      const rms = Math.sqrt(sum / (frameBytes / 2));
      if (byEnvelope && this.words === undefined) this.hear(rms);
      if (rms > SILENCE_RMS) {
        this.speechSinceEndpoint = true;
        this.silentMs = 0;
      } else {
        this.silentMs += 10;
        if (this.speechSinceEndpoint && this.silentMs >= this.endpointDelayMs) {
          this.endpoints.push(this.frames * 10);
          this.speechSinceEndpoint = false;
        }
      }
    }
    this.carry = Buffer.from(data.subarray(offset));
    // The whole frames, which start on a sample: a binary frame of any size may split one.
    if (this.words === undefined && !byEnvelope)
      this.locate(data.subarray(0, offset), startByte - carried);
  }

  /** Adds a frame to the envelope from the first speech on; looks it up once long enough. */
  private hear(rms: number): void {
    if (this.envelope.length === 0) {
      if (rms <= SILENCE_RMS) return;
      this.envelopeFrom = this.frames - 1;
    }
    this.envelope.push(level(rms));
    if (this.envelope.length < ENVELOPE_FRAMES) return;
    const candidates = loadFixtures(this.fixturesDir)
      .filter((f) => f.num_channels === 1)
      .map((f) => ({
        fixture: f,
        levels: fixtureLevels(
          path.join(this.fixturesDir, f.name),
          fixturePcm(this.fixturesDir, f),
          f.sample_rate,
        ),
      }));
    const found = matchEnvelope(this.envelope, candidates);
    this.envelope = [];
    if (!found) {
      this.words = 'placeholder';
      return;
    }
    this.useFixture(found.fixture, found.atMs - this.envelopeFrom * 10);
  }

  /** Takes `fixture`'s words, shifted by `shiftMs` (the fixture's time at the session's 0). */
  private useFixture(fixture: FixtureAudio, shiftMs: number): void {
    this.fixture = fixture;
    this.words = fixtureWords(fixture)
      .map((w) => ({
        ...w,
        start_ms: Math.round(w.start_ms - shiftMs),
        end_ms: Math.round(w.end_ms - shiftMs),
      }))
      .filter((w) => w.end_ms > 0);
  }

  private locate(chunk: Buffer, startByte: number): void {
    if (this.probeStart < 0) {
      let first = -1;
      for (let i = 0; i + 1 < chunk.length; i += 2) {
        if (Math.abs(chunk.readInt16LE(i)) > 64) {
          first = i;
          break;
        }
      }
      if (first < 0) return;
      this.probeStart = startByte + first;
      chunk = chunk.subarray(first);
    }
    this.probe = Buffer.concat([this.probe, chunk.subarray(0, PROBE_BYTES - this.probe.length)]);
    if (this.probe.length < PROBE_BYTES) return;
    for (const fixture of loadFixtures(this.fixturesDir)) {
      if (fixture.sample_rate !== this.format.sampleRate || fixture.num_channels !== 1) continue;
      const at = fixturePcm(this.fixturesDir, fixture).indexOf(this.probe);
      if (at < 0 || at % 2 !== 0) continue;
      // The session's byte `probeStart` is the fixture's byte `at`.
      this.useFixture(fixture, ((at - this.probeStart) / this.bytesPerSecond) * 1000);
      return;
    }
    this.words = 'placeholder';
  }
}

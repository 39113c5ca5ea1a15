/**
 * Finding fixture audio by its loudness over time, for audio the mock cannot match sample by
 * sample: phone audio (G.711 is lossy, and 8 kHz is not the fixtures' 16 kHz, resampled however
 * the sender chose). The session's 10 ms frame levels from its first speech are compared with
 * each fixture's levels at every 2.5 ms offset; the closest fixture under a threshold wins.
 */

/** 10 ms frames compared (from the first speech frame). */
export const ENVELOPE_FRAMES = 60;
/** Offset step in the fixture, in ms (a quarter frame: streams are not frame-aligned). */
const HOP_MS = 2.5;
/**
 * A fixture is found when the mean level difference (log10 units) is under this share of the
 * frames' own mean deviation from their mean level: speech varies, a tone or a hum does not.
 */
const MATCH_SHARE = 0.25;

/** The level the comparison uses for a frame's RMS: logarithmic, as loudness is heard. */
export function level(rms: number): number {
  return Math.log10(rms + 10);
}

const cache = new Map<string, Float64Array>();

/**
 * Levels of the 10 ms windows of 16-bit mono PCM (`rate` Hz) starting every 2.5 ms (cached by
 * `key`).
 */
export function fixtureLevels(key: string, pcm: Buffer, rate: number): Float64Array {
  let levels = cache.get(key);
  if (levels) return levels;
  const window = Math.round(rate / 100);
  const hop = (rate * HOP_MS) / 1000;
  const samples = Math.floor(pcm.length / 2);
  const count = Math.max(0, Math.floor((samples - window) / hop) + 1);
  levels = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const from = Math.round(k * hop);
    let sum = 0;
    for (let i = from; i < from + window; i++) {
      const s = pcm.readInt16LE(i * 2);
      sum += s * s;
    }
    levels[k] = level(Math.sqrt(sum / window));
  }
  cache.set(key, levels);
  return levels;
}

/** A fixture candidate: its name and levels. */
export interface EnvelopeCandidate<T> {
  fixture: T;
  levels: Float64Array;
}

/**
 * The fixture whose levels best match `frames` (levels of consecutive 10 ms frames), and the
 * fixture position (ms) of the first frame; undefined when none is close enough.
 */
export function matchEnvelope<T>(
  frames: readonly number[],
  candidates: ReadonlyArray<EnvelopeCandidate<T>>,
): { fixture: T; atMs: number } | undefined {
  const step = 10 / HOP_MS;
  const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
  const deviation = frames.reduce((a, b) => a + Math.abs(b - mean), 0) / frames.length;
  let best: { fixture: T; atMs: number; error: number } | undefined;
  for (const { fixture, levels } of candidates) {
    for (let k = 0; k + (frames.length - 1) * step < levels.length; k++) {
      let error = 0;
      for (let j = 0; j < frames.length; j++)
        error += Math.abs((levels[k + j * step] as number) - (frames[j] as number));
      error /= frames.length;
      if (!best || error < best.error) best = { fixture, atMs: k * HOP_MS, error };
    }
  }
  return best && best.error < MATCH_SHARE * deviation
    ? { fixture: best.fixture, atMs: best.atMs }
    : undefined;
}

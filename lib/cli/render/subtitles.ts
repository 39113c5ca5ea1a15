/**
 * SRT and WebVTT from token timings. Tokens are sub-word pieces (a word starts with a token
 * whose text begins with a space); they are joined into words, and words into cues of one line
 * of at most MAX_LINE characters (the speaker label included) and MAX_CUE_MS of audio. A cue
 * also ends at a change of speaker, after a sentence end, and before a pause of PAUSE_MS.
 * Translation tokens and tokens without timings are left out.
 */
import type { TranscriptToken } from '../../types';

export const MAX_LINE = 42;
export const MAX_CUE_MS = 7_000;
export const PAUSE_MS = 1_500;

/** A word with its timing. */
export interface TimedWord {
  text: string;
  start_ms: number;
  end_ms: number;
  speaker?: string;
}

/** One subtitle. */
export interface Cue {
  start_ms: number;
  end_ms: number;
  text: string;
  speaker?: string;
}

/** Joins sub-word tokens into words (spoken-language tokens with timings only). */
export function wordsOf(tokens: readonly TranscriptToken[]): TimedWord[] {
  const words: TimedWord[] = [];
  for (const token of tokens) {
    if (
      token.translation_status === 'translation' ||
      token.start_ms === undefined ||
      token.end_ms === undefined
    )
      continue;
    if (/^<.*>$/.test(token.text)) continue;
    const speaker = token.speaker ?? undefined;
    const last = words[words.length - 1];
    const startsWord = /^\s/.test(token.text) || last === undefined || last.speaker !== speaker;
    if (startsWord) {
      const text = token.text.trim();
      if (text)
        words.push({
          text,
          start_ms: token.start_ms,
          end_ms: token.end_ms,
          ...(speaker ? { speaker } : {}),
        });
    } else {
      last.text += token.text;
      last.end_ms = Math.max(last.end_ms, token.end_ms);
    }
  }
  return words;
}

const label = (speaker: string | undefined): string => (speaker ? `Speaker ${speaker}: ` : '');

/** Groups words into cues (see the file comment). */
export function cuesOf(words: readonly TimedWord[]): Cue[] {
  const cues: Cue[] = [];
  let current: Cue | undefined;
  for (const word of words) {
    if (current) {
      const line = `${label(current.speaker)}${current.text} ${word.text}`;
      const split =
        word.speaker !== current.speaker ||
        line.length > MAX_LINE ||
        word.end_ms - current.start_ms > MAX_CUE_MS ||
        word.start_ms - current.end_ms >= PAUSE_MS ||
        /[.?!]$/.test(current.text);
      if (!split) {
        current.text += ` ${word.text}`;
        current.end_ms = word.end_ms;
        continue;
      }
    }
    current = {
      start_ms: word.start_ms,
      end_ms: Math.max(word.end_ms, word.start_ms + 1),
      text: word.text,
      ...(word.speaker ? { speaker: word.speaker } : {}),
    };
    cues.push(current);
  }
  return cues;
}

/** `HH:MM:SS<sep>mmm`. */
export function timestamp(ms: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(total % 1000, 3)}`;
}

/** SubRip: numbered cues, `00:00:01,000 --> 00:00:02,500`, a blank line between cues. */
export function toSrt(tokens: readonly TranscriptToken[]): string {
  return cuesOf(wordsOf(tokens))
    .map(
      (cue, i) =>
        `${i + 1}\n${timestamp(cue.start_ms, ',')} --> ${timestamp(cue.end_ms, ',')}\n${label(cue.speaker)}${cue.text}\n`,
    )
    .join('\n');
}

/** WebVTT: the `WEBVTT` header, `00:00:01.000 --> 00:00:02.500`, speakers as `<v Speaker 1>`. */
export function toVtt(tokens: readonly TranscriptToken[]): string {
  const cues = cuesOf(wordsOf(tokens)).map(
    (cue, i) =>
      `${i + 1}\n${timestamp(cue.start_ms, '.')} --> ${timestamp(cue.end_ms, '.')}\n${cue.speaker ? `<v Speaker ${cue.speaker}>` : ''}${cue.text}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

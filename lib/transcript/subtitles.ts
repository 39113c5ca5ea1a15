/**
 * SRT and WebVTT from token timings. Tokens are sub-word pieces (a word starts with a token
 * whose text begins with a space); they are joined into words, and words into cues of one line
 * of at most `maxLineChars` characters (the speaker label included) and `maxCueMs` of audio. A
 * cue also ends at a change of speaker, after a sentence end, and before a pause of `pauseMs`.
 * Translation tokens (no timings), non-final and special tokens are left out. `CueBuilder` does
 * the same one token at a time, for live subtitles.
 *
 * With `translation: 'es'` the subtitles are the Spanish track instead: each translation into
 * Spanish timed by the words it translates (its words spread over that time by their length),
 * plus the words spoken in Spanish as they were said; never two languages in one file.
 */
import { isNonFinal, isSpecialToken, isTranslationToken, present, type TokenLike } from './tokens';
import { pairTranslations } from './translation';

/** Default longest cue line, in characters (a common subtitle guideline). */
export const MAX_LINE = 42;
/** Default longest cue, in ms of audio. */
export const MAX_CUE_MS = 7_000;
/** Default pause that starts a new cue, in ms. */
export const PAUSE_MS = 1_500;

/** Limits and labels of subtitles. */
export interface SubtitleOptions {
  /** Longest cue line in characters, speaker label included (default 42). */
  maxLineChars?: number;
  /** Longest cue in ms (default 7000). */
  maxCueMs?: number;
  /** A pause this long starts a new cue (default 1500 ms). */
  pauseMs?: number;
  /** Label cues with their speaker (`Speaker 1: `, WebVTT `<v Speaker 1>`); default true. */
  speakerLabels?: boolean;
  /**
   * `toSrt`/`toVtt` only: the track in this language (a translation target): translations into
   * it timed by their originals, and the words spoken in it.
   */
  translation?: string;
}

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

/** The `Speaker N: ` label of plain text and SRT (empty without a speaker). */
export const speakerLabel = (speaker: string | null | undefined): string =>
  speaker ? `Speaker ${speaker}: ` : '';

/** Joins sub-word tokens into words, one token at a time. */
class WordJoiner {
  private word: TimedWord | undefined;

  /** Takes a token; returns the word it completed, if any. */
  push(token: TokenLike): TimedWord | undefined {
    if (
      isNonFinal(token) ||
      isTranslationToken(token) ||
      isSpecialToken(token) ||
      /^<.*>$/.test(token.text) ||
      token.start_ms === undefined ||
      token.end_ms === undefined
    )
      return undefined;
    const speaker = present(token.speaker);
    const last = this.word;
    if (last && !/^\s/.test(token.text) && last.speaker === speaker) {
      last.text += token.text;
      last.end_ms = Math.max(last.end_ms, token.end_ms);
      return undefined;
    }
    const text = token.text.trim();
    if (!text) return undefined;
    this.word = {
      text,
      start_ms: token.start_ms,
      end_ms: token.end_ms,
      ...(speaker ? { speaker } : {}),
    };
    return last;
  }

  /** The last word. */
  flush(): TimedWord | undefined {
    const last = this.word;
    this.word = undefined;
    return last;
  }
}

/** Groups words into cues, one word at a time. */
class CueGrouper {
  private cue: Cue | undefined;
  private readonly maxLine: number;
  private readonly maxCueMs: number;
  private readonly pauseMs: number;
  private readonly labels: boolean;

  constructor(options: SubtitleOptions) {
    this.maxLine = options.maxLineChars ?? MAX_LINE;
    this.maxCueMs = options.maxCueMs ?? MAX_CUE_MS;
    this.pauseMs = options.pauseMs ?? PAUSE_MS;
    this.labels = options.speakerLabels ?? true;
  }

  /** Takes a word; returns the cue it closed, if any. */
  push(word: TimedWord): Cue | undefined {
    const current = this.cue;
    if (current) {
      const label = this.labels ? speakerLabel(current.speaker) : '';
      const split =
        word.speaker !== current.speaker ||
        `${label}${current.text} ${word.text}`.length > this.maxLine ||
        word.end_ms - current.start_ms > this.maxCueMs ||
        word.start_ms - current.end_ms >= this.pauseMs ||
        /[.?!]$/.test(current.text);
      if (!split) {
        current.text += ` ${word.text}`;
        current.end_ms = word.end_ms;
        return undefined;
      }
    }
    this.cue = {
      start_ms: word.start_ms,
      end_ms: Math.max(word.end_ms, word.start_ms + 1),
      text: word.text,
      ...(word.speaker ? { speaker: word.speaker } : {}),
    };
    return current;
  }

  /** The open cue. */
  flush(): Cue | undefined {
    const last = this.cue;
    this.cue = undefined;
    return last;
  }
}

/** Live cues: `push()` tokens as they become final, get each cue once it is complete. */
export class CueBuilder {
  private readonly words = new WordJoiner();
  private readonly cues: CueGrouper;

  constructor(options: SubtitleOptions = {}) {
    this.cues = new CueGrouper(options);
  }

  /** Takes a token; returns the cues it completed (none or one). */
  push(token: TokenLike): Cue[] {
    const word = this.words.push(token);
    const cue = word && this.cues.push(word);
    return cue ? [cue] : [];
  }

  /** Ends the input: returns the last cue(s). */
  flush(): Cue[] {
    const word = this.words.flush();
    const closed = word && this.cues.push(word);
    const last = this.cues.flush();
    return [closed, last].filter((c): c is Cue => c !== undefined);
  }
}

/** Joins sub-word tokens into words (spoken, final tokens with timings only). */
export function wordsOf(tokens: readonly TokenLike[]): TimedWord[] {
  const joiner = new WordJoiner();
  const words = tokens.flatMap((t) => joiner.push(t) ?? []);
  const last = joiner.flush();
  return last ? [...words, last] : words;
}

/** Words of `text` spread over [start, end] by their length (a translation has no timings). */
function spreadWords(
  text: string,
  start: number,
  end: number,
  speaker: string | undefined,
): TimedWord[] {
  const parts = text.split(/\s+/).filter(Boolean);
  const total = parts.reduce((n, w) => n + w.length + 1, 0);
  let at = 0;
  return parts.map((part) => {
    const from = start + ((end - start) * at) / total;
    at += part.length + 1;
    return {
      text: part,
      start_ms: Math.round(from),
      end_ms: Math.round(start + ((end - start) * at) / total),
      ...(speaker ? { speaker } : {}),
    };
  });
}

/** The words of the `language` track (see the file comment). */
export function translationWordsOf(tokens: readonly TokenLike[], language: string): TimedWord[] {
  return pairTranslations(tokens).flatMap(({ original, translation }) => {
    if (translation?.language === language) {
      if (original?.start_ms === undefined || original.end_ms === undefined) return [];
      return spreadWords(translation.text, original.start_ms, original.end_ms, translation.speaker);
    }
    return original ? wordsOf(original.tokens.filter((t) => t.language === language)) : [];
  });
}

/** Groups words into cues (see the file comment). */
export function cuesOf(words: readonly TimedWord[], options: SubtitleOptions = {}): Cue[] {
  const grouper = new CueGrouper(options);
  const cues = words.flatMap((w) => grouper.push(w) ?? []);
  const last = grouper.flush();
  return last ? [...cues, last] : cues;
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

/** Subtitle file formats. */
export type SubtitleFormat = 'srt' | 'vtt';

/** What a subtitle file starts with (WebVTT's header; nothing for SRT). */
export function subtitleHeader(format: SubtitleFormat): string {
  return format === 'vtt' ? 'WEBVTT\n\n' : '';
}

/**
 * One cue block, numbered `index` (from 1), ending with a blank line unless `last`. SRT:
 * `00:00:01,000 --> 00:00:02,500` and `Speaker 1: `; WebVTT: `00:00:01.000` and `<v Speaker 1>`.
 */
export function formatCue(
  cue: Cue,
  index: number,
  format: SubtitleFormat,
  options: SubtitleOptions = {},
): string {
  const sep = format === 'srt' ? ',' : '.';
  const labelled = options.speakerLabels ?? true;
  const label =
    !labelled || !cue.speaker
      ? ''
      : format === 'srt'
        ? speakerLabel(cue.speaker)
        : `<v Speaker ${cue.speaker}>`;
  return `${index}\n${timestamp(cue.start_ms, sep)} --> ${timestamp(cue.end_ms, sep)}\n${label}${cue.text}\n`;
}

function subtitles(
  tokens: readonly TokenLike[],
  format: SubtitleFormat,
  options: SubtitleOptions,
): string {
  const words =
    options.translation === undefined
      ? wordsOf(tokens)
      : translationWordsOf(tokens, options.translation);
  const cues = cuesOf(words, options).map((cue, i) => formatCue(cue, i + 1, format, options));
  return subtitleHeader(format) + cues.join('\n');
}

/** SubRip: numbered cues, `00:00:01,000 --> 00:00:02,500`, a blank line between cues. */
export function toSrt(tokens: readonly TokenLike[], options: SubtitleOptions = {}): string {
  return subtitles(tokens, 'srt', options);
}

/** WebVTT: the `WEBVTT` header, `00:00:01.000 --> 00:00:02.500`, speakers as `<v Speaker 1>`. */
export function toVtt(tokens: readonly TokenLike[], options: SubtitleOptions = {}): string {
  return subtitles(tokens, 'vtt', options);
}

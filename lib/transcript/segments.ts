/**
 * Segments: runs of tokens read as one piece of text, split where the speaker changes, where
 * the language changes and where an utterance ends (`<end>`, `<fin>`, or optionally a pause).
 * Original speech and translation are segmented apart (translation tokens carry no timings and
 * another language; they are never mixed into original segments). Non-final realtime tokens
 * are provisional and left out.
 */
import { isNonFinal, isSpecialToken, isTranslationToken, present, type TokenLike } from './tokens';

/** Where segments may end. */
export type SegmentBoundary = 'speaker' | 'language' | 'utterance';

/** Which tokens a segment holds: spoken words (`original`, also `none`) or their translation. */
export type SegmentKind = 'original' | 'translation';

/** Options of `segments()`. */
export interface SegmentOptions {
  /** Where to split (default all three); `utterance` means at `<end>`/`<fin>` tokens. */
  by?: readonly SegmentBoundary[];
  /** Segment the spoken words (default) or the translation tokens. */
  kind?: SegmentKind;
  /** Also split where the audio pauses this long (async transcripts carry no endpoints). */
  pauseMs?: number;
}

/** A run of tokens read as one piece of text. */
export interface Segment<T extends TokenLike = TokenLike> {
  kind: SegmentKind;
  /** The tokens' text joined (they carry their own spaces), trimmed. */
  text: string;
  /** First token start, when the tokens have timings (translations have none). */
  start_ms?: number;
  /** Last token end, when the tokens have timings. */
  end_ms?: number;
  /** Set when every token that names a speaker names this one. */
  speaker?: string;
  /** Set when every token that names a language names this one (a translation's: the target). */
  language?: string;
  /** Translations: the language translated from, when all agree. */
  source_language?: string;
  /** The tokens, specials left out. */
  tokens: T[];
}

const ALL: readonly SegmentBoundary[] = ['speaker', 'language', 'utterance'];

/** The single value every token that has one agrees on, else undefined. */
function common<T>(
  tokens: readonly T[],
  pick: (token: T) => string | undefined,
): string | undefined {
  let found: string | undefined;
  for (const token of tokens) {
    const value = pick(token);
    if (value === undefined) continue;
    if (found !== undefined && found !== value) return undefined;
    found = value;
  }
  return found;
}

/** A segment of `tokens` (all of one kind), or undefined when they hold no text. */
export function segmentOf<T extends TokenLike>(
  tokens: readonly T[],
  kind: SegmentKind,
): Segment<T> | undefined {
  const text = tokens
    .map((t) => t.text)
    .join('')
    .trim();
  if (text === '') return undefined;
  // A loop, not Math.min(...list): a long transcript exceeds the engine's argument limit.
  let start: number | undefined;
  let end: number | undefined;
  for (const t of tokens) {
    if (t.start_ms !== undefined) start = Math.min(start ?? t.start_ms, t.start_ms);
    if (t.end_ms !== undefined) end = Math.max(end ?? t.end_ms, t.end_ms);
  }
  const speaker = common(tokens, (t) => present(t.speaker));
  const language = common(tokens, (t) => present(t.language));
  const source =
    kind === 'translation' ? common(tokens, (t) => present(t.source_language)) : undefined;
  return {
    kind,
    text,
    ...(start !== undefined ? { start_ms: start } : {}),
    ...(end !== undefined ? { end_ms: end } : {}),
    ...(speaker !== undefined ? { speaker } : {}),
    ...(language !== undefined ? { language } : {}),
    ...(source !== undefined ? { source_language: source } : {}),
    tokens: [...tokens],
  };
}

/** Whether `token` is of `kind` (non-final and special tokens are of neither). */
export function isOfKind(token: TokenLike, kind: SegmentKind): boolean {
  if (isNonFinal(token) || isSpecialToken(token)) return false;
  return isTranslationToken(token) === (kind === 'translation');
}

/** Splits tokens into segments (see the file comment). Pure: the input is not changed. */
export function segments<T extends TokenLike>(
  tokens: readonly T[],
  options: SegmentOptions = {},
): Array<Segment<T>> {
  const by = options.by ?? ALL;
  const kind = options.kind ?? 'original';
  const out: Array<Segment<T>> = [];
  let run: T[] = [];
  let speaker: string | undefined;
  let language: string | undefined;
  let lastEnd: number | undefined;
  const close = () => {
    const segment = segmentOf(run, kind);
    if (segment) out.push(segment);
    run = [];
    speaker = language = lastEnd = undefined;
  };
  for (const token of tokens) {
    if (isNonFinal(token)) continue;
    if (isSpecialToken(token)) {
      if (by.includes('utterance')) close();
      continue;
    }
    if (!isOfKind(token, kind)) continue;
    const tokenSpeaker = present(token.speaker);
    const tokenLanguage = present(token.language);
    const split =
      (by.includes('speaker') && differs(speaker, tokenSpeaker)) ||
      (by.includes('language') && differs(language, tokenLanguage)) ||
      (options.pauseMs !== undefined &&
        lastEnd !== undefined &&
        token.start_ms !== undefined &&
        token.start_ms - lastEnd >= options.pauseMs);
    if (split) close();
    run.push(token);
    speaker ??= tokenSpeaker;
    language ??= tokenLanguage;
    if (token.end_ms !== undefined) lastEnd = Math.max(lastEnd ?? token.end_ms, token.end_ms);
  }
  close();
  return out;
}

/** Two named values that differ (an absent one differs from nothing). */
const differs = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a !== b;

/**
 * Sentences and paragraphs: a paragraph is a segment (one speaker, one language, up to an
 * utterance end; see segments.ts), and its sentences end at sentence-final punctuation. The
 * API's tokens carry their own spaces, so a point followed by a token without one (`3` `.` `5`)
 * is inside a word; a point after a common English abbreviation (`Dr.`, `e.g.`) or in an
 * ellipsis does not end a sentence; closing quotes and brackets stay with the sentence they
 * close. Scripts written without spaces end a sentence at `。！？`. For async transcripts and
 * realtime finals alike (non-final tokens are left out, as by every helper).
 */
import { segmentOf, segments, type Segment, type SegmentOptions } from './segments';
import type { TokenLike } from './tokens';

/** A speaker's turn: a segment with the sentences it is made of. */
export interface Paragraph<T extends TokenLike = TokenLike> extends Segment<T> {
  sentences: Array<Segment<T>>;
}

/**
 * Options of `paragraphs()` and `sentences()`: those of `segments()`, where `pauseMs` starts a
 * new paragraph at a pause between two sentences (never inside one).
 */
export type ParagraphOptions = SegmentOptions;

/** Quotes and brackets that close what a sentence opened, kept with that sentence. */
const CLOSERS = /^[)\]}"'”’»」』）】]+$/u;
const TRAILING_CLOSERS = /[\s)\]}"'”’»」』）】]+$/u;
/** Ends a sentence whatever follows: scripts written without spaces. */
const HARD_END = /[。！？｡]$/u;
/** Ends a sentence when a space (or nothing) follows. */
const SOFT_END = /[.!?؟।॥]$/u;
/** Words whose point is not a full stop (lowercased, without their last point). */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'e.g',
  'i.e',
]);

/** How the text so far ends: a sentence end that the next token must confirm, or none. */
function endAfter(text: string): 'hard' | 'soft' | undefined {
  const core = text.replace(TRAILING_CLOSERS, '');
  if (HARD_END.test(core)) return 'hard';
  if (!SOFT_END.test(core)) return undefined;
  if (!core.endsWith('.')) return 'soft';
  if (core.endsWith('..') || core.endsWith('…')) return undefined;
  const word = /([\p{L}.]+)\.$/u.exec(core)?.[1]?.toLowerCase();
  return word !== undefined && ABBREVIATIONS.has(word) ? undefined : 'soft';
}

/** Splits the tokens of one segment (one kind, no specials) into sentences. */
function splitSentences<T extends TokenLike>(
  tokens: readonly T[],
  kind: Segment['kind'],
): Array<Segment<T>> {
  const out: Array<Segment<T>> = [];
  let run: T[] = [];
  let text = '';
  let pending: 'hard' | 'soft' | undefined;
  const close = () => {
    const sentence = segmentOf(run, kind);
    if (sentence) out.push(sentence);
    run = [];
    text = '';
  };
  for (const token of tokens) {
    const spaced = /^\s/u.test(token.text);
    if (pending !== undefined) {
      if (!spaced && CLOSERS.test(token.text)) {
        run.push(token);
        text += token.text;
        continue;
      }
      if (pending === 'hard' || spaced) close();
    }
    run.push(token);
    text += token.text;
    pending = endAfter(text);
  }
  close();
  return out;
}

/** The paragraphs of `tokens`, each with its sentences (see the file comment). Pure. */
export function paragraphs<T extends TokenLike>(
  tokens: readonly T[],
  options: ParagraphOptions = {},
): Array<Paragraph<T>> {
  const { pauseMs, ...segmentOptions } = options;
  const kind = options.kind ?? 'original';
  const out: Array<Paragraph<T>> = [];
  for (const segment of segments(tokens, segmentOptions)) {
    let group: Array<Segment<T>> = [];
    const close = () => {
      const paragraph = segmentOf(
        group.flatMap((s) => s.tokens),
        kind,
      );
      if (paragraph) out.push({ ...paragraph, sentences: group });
      group = [];
    };
    for (const sentence of splitSentences(segment.tokens, kind)) {
      const last = group[group.length - 1];
      if (
        pauseMs !== undefined &&
        last?.end_ms !== undefined &&
        sentence.start_ms !== undefined &&
        sentence.start_ms - last.end_ms >= pauseMs
      )
        close();
      group.push(sentence);
    }
    close();
  }
  return out;
}

/** The sentences of `tokens`, in order: those of every paragraph. Pure. */
export function sentences<T extends TokenLike>(
  tokens: readonly T[],
  options: ParagraphOptions = {},
): Array<Segment<T>> {
  return paragraphs(tokens, options).flatMap((p) => p.sentences);
}

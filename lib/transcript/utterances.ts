/**
 * The realtime utterance buffer: final tokens in, one Utterance out each time an utterance ends,
 * at an endpoint (`<end>`, or the stream's in-band `{ marker: 'endpoint' }`) or a finalize
 * (`<fin>`, `{ marker: 'finalized' }`). Non-final tokens are provisional and ignored.
 *
 * The API streams a translation right after the words it translates; should an utterance end
 * while its last words still await their translation, the utterance is held until that
 * translation is done (the next spoken word, the next end, or `flush()`), so an utterance always
 * carries its own translation and never the next one's.
 */
import { Transform } from 'node:stream';
import type { RealtimeToken } from '../types';
import { segmentOf, segments, type Segment } from './segments';
import { isNonFinal, isSpecialToken, isTranslationToken } from './tokens';
import { pairTranslations, type TranslationPair } from './translation';

/** An in-band marker of the realtime stream (same shape as the stream's `RealtimeMarker`). */
export interface UtteranceMarker {
  readonly marker: 'endpoint' | 'finalized';
}

/** What the buffer takes: realtime tokens (specials included) and in-band markers. */
export type UtteranceInput = RealtimeToken | UtteranceMarker;

/** Text in one target language. */
export interface TranslationText {
  language: string;
  text: string;
}

/** A completed utterance. */
export interface Utterance {
  /** The spoken words, trimmed (translation never mixed in). */
  text: string;
  /** Set when one speaker said it all. */
  speaker?: string;
  /** Set when it was all in one language. */
  language?: string;
  start_ms?: number;
  end_ms?: number;
  /** What ended it: an endpoint, a finalize, or `flush()` (the stream ended). */
  end: 'endpoint' | 'finalized' | 'flush';
  /** The spoken words split by speaker and language. */
  segments: Array<Segment<RealtimeToken>>;
  /** Its translation, one entry per target language, in order of appearance. */
  translations: TranslationText[];
  /** Each translated run with the words it translates. */
  pairs: Array<TranslationPair<RealtimeToken>>;
  /** Its final tokens (spoken and translated), specials left out. */
  tokens: RealtimeToken[];
}

const isMarker = (item: UtteranceInput): item is UtteranceMarker => 'marker' in item;

/** Push API: `push()` each token or marker, get the utterances it completed; `flush()` at the end. */
export class UtteranceBuffer {
  private tokens: RealtimeToken[] = [];
  /** An ended utterance waiting for the rest of its translation. */
  private held: { tokens: RealtimeToken[]; end: Utterance['end'] } | undefined;

  /** Takes a token or marker; returns the utterances completed by it (usually none or one). */
  push(item: UtteranceInput): Utterance[] {
    const end = isMarker(item) ? item.marker : specialEnd(item);
    const done: Utterance[] = [];
    if (end === undefined && isMarker(item)) return done;
    const token = item as RealtimeToken;
    if (end === undefined && isNonFinal(token)) return done;
    if (end === undefined && isTranslationToken(token)) {
      (this.held?.tokens ?? this.tokens).push(token);
      return done;
    }
    // A spoken word or an end: a held utterance has all the translation it will get.
    this.release(done);
    if (end === undefined) {
      this.tokens.push(token);
      return done;
    }
    const tokens = this.tokens;
    this.tokens = [];
    if (awaitsTranslation(tokens)) this.held = { tokens, end };
    else pushUtterance(done, tokens, end);
    return done;
  }

  /** Ends the input: returns the held and the unfinished utterance, if any. */
  flush(): Utterance[] {
    const done: Utterance[] = [];
    this.release(done);
    const tokens = this.tokens;
    this.tokens = [];
    pushUtterance(done, tokens, 'flush');
    return done;
  }

  private release(done: Utterance[]): void {
    if (!this.held) return;
    pushUtterance(done, this.held.tokens, this.held.end);
    this.held = undefined;
  }
}

/** `endpoint`/`finalized` for `<end>`/`<fin>`, else undefined. */
function specialEnd(token: RealtimeToken): UtteranceMarker['marker'] | undefined {
  if (!isSpecialToken(token)) return undefined;
  return token.text === '<end>' ? 'endpoint' : 'finalized';
}

/** Whether the last spoken words are marked for translation and no translation followed them. */
function awaitsTranslation(tokens: readonly RealtimeToken[]): boolean {
  const last = tokens[tokens.length - 1];
  return last !== undefined && last.translation_status === 'original';
}

/** Adds the utterance of `tokens` to `done`, unless they hold no spoken words. */
function pushUtterance(done: Utterance[], tokens: RealtimeToken[], end: Utterance['end']): void {
  const spoken = tokens.filter((t) => !isTranslationToken(t));
  const whole = segmentOf(spoken, 'original');
  if (!whole) return;
  const byLanguage = new Map<string, string[]>();
  for (const part of segments(tokens, { kind: 'translation', by: ['language'] })) {
    const language = part.language ?? '';
    const texts = byLanguage.get(language) ?? [];
    texts.push(part.text);
    byLanguage.set(language, texts);
  }
  done.push({
    text: whole.text,
    ...(whole.speaker !== undefined ? { speaker: whole.speaker } : {}),
    ...(whole.language !== undefined ? { language: whole.language } : {}),
    ...(whole.start_ms !== undefined ? { start_ms: whole.start_ms } : {}),
    ...(whole.end_ms !== undefined ? { end_ms: whole.end_ms } : {}),
    end,
    segments: segments(spoken, { by: ['speaker', 'language'] }),
    translations: [...byLanguage].map(([language, texts]) => ({ language, text: texts.join(' ') })),
    pairs: pairTranslations(tokens),
    tokens,
  });
}

/** Completed utterances of an async iterable of tokens and markers (the rest flushed at its end). */
export async function* utterances(
  source: AsyncIterable<UtteranceInput>,
): AsyncGenerator<Utterance> {
  const buffer = new UtteranceBuffer();
  for await (const item of source) yield* buffer.push(item);
  yield* buffer.flush();
}

/** An object-mode Transform: tokens and markers in, completed utterances out. */
export function utteranceTransform(): Transform {
  const buffer = new UtteranceBuffer();
  return new Transform({
    objectMode: true,
    transform(item: UtteranceInput, _encoding, done) {
      for (const utterance of buffer.push(item)) this.push(utterance);
      done();
    },
    flush(done) {
      for (const utterance of buffer.flush()) this.push(utterance);
      done();
    },
  });
}

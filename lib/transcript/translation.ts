/**
 * Translation kept apart from the original: the API streams translated tokens right after the
 * spoken tokens they translate (chunk by chunk, one-way or two-way), in one token list. These
 * helpers pair each translated run with the run of originals it follows, and give the original
 * text and the text per target language separately, so no string mixes two languages by
 * accident of concatenation.
 */
import { segmentOf, segments, type Segment } from './segments';
import { isNonFinal, isSpecialToken, isTranslationToken, type TokenLike } from './tokens';

/** A run of spoken words and its translation; a run not to be translated has none. */
export interface TranslationPair<T extends TokenLike = TokenLike> {
  /** The spoken words (absent only for a translation whose original was never seen). */
  original?: Segment<T>;
  /** Their translation, when they were translated. */
  translation?: Segment<T>;
}

/** Pairs each run of translation tokens with the run of original tokens before it. Pure. */
export function pairTranslations<T extends TokenLike>(
  tokens: readonly T[],
): Array<TranslationPair<T>> {
  const pairs: Array<TranslationPair<T>> = [];
  let originals: T[] = [];
  let translation: T[] = [];
  // Words marked `original` await a translation; `none` (or no status) are never translated.
  let awaiting = false;
  const close = () => {
    const original = segmentOf(originals, 'original');
    const translated = segmentOf(translation, 'translation');
    if (original || translated)
      pairs.push({
        ...(original ? { original } : {}),
        ...(translated ? { translation: translated } : {}),
      });
    originals = [];
    translation = [];
  };
  for (const token of tokens) {
    if (isNonFinal(token) || isSpecialToken(token)) continue;
    if (isTranslationToken(token)) {
      translation.push(token);
      continue;
    }
    const translatable = token.translation_status === 'original';
    if (translation.length > 0 || (originals.length > 0 && translatable !== awaiting)) close();
    awaiting = translatable;
    originals.push(token);
  }
  close();
  return pairs;
}

/** Original text and translations, apart. */
export interface TranslationTexts {
  /** Every spoken word, in order (a bilingual conversation has both languages here). */
  original: string;
  /** The spoken words per language (tokens without a language are in `original` only). */
  originalByLanguage: Record<string, string>;
  /** The translation per target language (empty without translation). */
  translations: Record<string, string>;
}

/** Joins the segments' text per language. */
function byLanguage(parts: readonly Segment[]): Record<string, string> {
  const texts = new Map<string, string[]>();
  for (const part of parts) {
    if (part.language === undefined) continue;
    const list = texts.get(part.language) ?? [];
    list.push(part.text);
    texts.set(part.language, list);
  }
  return Object.fromEntries([...texts].map(([language, list]) => [language, list.join(' ')]));
}

/** The original text, the original per language and the translation per target language. Pure. */
export function splitTranslation(tokens: readonly TokenLike[]): TranslationTexts {
  const spoken = segments(tokens);
  return {
    original: spoken.map((s) => s.text).join(' '),
    originalByLanguage: byLanguage(spoken),
    translations: byLanguage(segments(tokens, { kind: 'translation' })),
  };
}

/**
 * Translation kept apart from the original: the API streams translated tokens right after the
 * spoken tokens they translate (chunk by chunk, one-way or two-way), in one token list. These
 * helpers pair each translated run with the run of originals it translates, and give the original
 * text and the text per target language separately, so no string mixes two languages by
 * accident of concatenation.
 */
import { segmentOf, segments, type Segment } from './segments';
import { isNonFinal, isSpecialToken, isTranslationToken, present, type TokenLike } from './tokens';

/**
 * A run of spoken words and its translation: the one pair type of the SDK, for async
 * transcripts (`pairTranslations`), realtime streams (`translationPairs`) and utterances.
 * A run not to be translated has no translation.
 */
export interface TranslationPair<T extends TokenLike = TokenLike> {
  /** The spoken words (absent only for a translation whose original was never seen). */
  original?: Segment<T>;
  /** Their translation, when they were translated. */
  translation?: Segment<T>;
}

/** A pair being built: the original run and the translation tokens that belong to it. */
interface OpenPair<T> {
  originals: T[];
  translation: T[];
  /** Its words are marked `original` (a translation will follow), not `none`. */
  translatable: boolean;
}

/**
 * Pairs tokens as they come (see `pairTranslations`): `push()` each token, read `pairs()` at
 * any time. A realtime stream feeds it its final tokens; `pairTranslations` a whole list.
 */
export class TranslationPairer<T extends TokenLike = TokenLike> {
  private readonly runs: Array<OpenPair<T>> = [];
  /** The latest run of each spoken language. */
  private readonly latest = new Map<string, OpenPair<T>>();

  /** Takes one token (non-final and special tokens are left out). */
  push(token: T): void {
    if (isNonFinal(token) || isSpecialToken(token)) return;
    const runs = this.runs;
    if (isTranslationToken(token)) {
      const source = present(token.source_language);
      let run = source === undefined ? runs[runs.length - 1] : this.latest.get(source);
      if (!run) {
        // Its original was never seen (it came before the tokens at hand): a run of its own,
        // which the rest of this translation joins.
        run = { originals: [], translation: [], translatable: true };
        runs.push(run);
        if (source !== undefined) this.latest.set(source, run);
      }
      run.translation.push(token);
      return;
    }
    const language = present(token.language) ?? '';
    const translatable = token.translation_status === 'original';
    const last = runs[runs.length - 1];
    const extends_ =
      last !== undefined &&
      this.latest.get(language) === last &&
      last.translation.length === 0 &&
      last.translatable === translatable;
    if (extends_) last.originals.push(token);
    else {
      const run = { originals: [token], translation: [], translatable };
      runs.push(run);
      this.latest.set(language, run);
    }
  }

  /** The pairs so far, in the order their runs began (runs without text left out). */
  pairs(): Array<TranslationPair<T>> {
    return this.runs.flatMap(({ originals, translation }) => {
      const original = segmentOf(originals, 'original');
      const translated = segmentOf(translation, 'translation');
      if (!original && !translated) return [];
      return [
        {
          ...(original ? { original } : {}),
          ...(translated ? { translation: translated } : {}),
        },
      ];
    });
  }
}

/**
 * Pairs each run of translation tokens with the run of spoken words it translates: the latest
 * run in its `source_language` (or the latest run, when the server names none). A spoken word
 * extends the latest run when it is in the same language and the run has no translation yet;
 * otherwise it starts a run. Pure.
 */
export function pairTranslations<T extends TokenLike>(
  tokens: readonly T[],
): Array<TranslationPair<T>> {
  const pairer = new TranslationPairer<T>();
  for (const token of tokens) pairer.push(token);
  return pairer.pairs();
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

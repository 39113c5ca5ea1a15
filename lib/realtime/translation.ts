/**
 * Translation bookkeeping of a realtime stream, from its final tokens: the original text per
 * spoken language, the translation per target language, and each translated segment paired
 * with the original it translates. One-way and two-way translation stay apart: no string ever
 * holds two languages.
 *
 * The server sends a segment's original tokens (translation_status `original`, `language` the
 * spoken one) and then its translation tokens (`translation`, `language` the target,
 * `source_language` the spoken one). A translation run belongs to the latest original segment
 * in its source language; an original token after that translation starts a new segment.
 */
import type { RealtimeToken } from '../types';

/** A translated segment: the original and its translation, each in one language. */
export interface TranslationPair {
  /** Language of the original (undefined when the server did not say). */
  sourceLanguage: string | undefined;
  /** Language of the translation (undefined until a translation token says it). */
  targetLanguage: string | undefined;
  /** The original text of the segment. */
  original: string;
  /** Its translation so far (empty until the translation tokens arrive). */
  translation: string;
  /** Audio span of the original, in ms on the stream's clock (translations carry no timestamps). */
  startMs: number | undefined;
  endMs: number | undefined;
  /** Speaker of the original, with diarization. */
  speaker: string | undefined;
}

/** Language key of a token: its language, or '' when the server gave none. */
const languageOf = (token: RealtimeToken): string => token.language ?? '';

/** Final tokens -> originals, translations and pairs (see the file comment). */
export class TranslationBook {
  private readonly originalText = new Map<string, string>();
  private readonly translatedText = new Map<string, string>();
  private readonly pairList: TranslationPair[] = [];
  /** The segment each source language is building: its original grows until a translation comes. */
  private readonly open = new Map<string, { pair: TranslationPair; translated: boolean }>();

  /** Final text per spoken language (tokens of translation_status `original` or `none`). */
  get originals(): Record<string, string> {
    return Object.fromEntries(this.originalText);
  }

  /** Final translation per target language. */
  get translations(): Record<string, string> {
    return Object.fromEntries(this.translatedText);
  }

  /** The translation, when all of it is in one target language (one-way); '' once there are two. */
  get translation(): string {
    if (this.translatedText.size !== 1) return '';
    return [...this.translatedText.values()][0] ?? '';
  }

  /** Translated segments, each original with its translation, in the order the originals came. */
  get pairs(): TranslationPair[] {
    return this.pairList.filter((p) => p.translation !== '').map((p) => ({ ...p }));
  }

  /** Takes one final token (specials excluded). */
  accept(token: RealtimeToken): void {
    if (token.translation_status === 'translation') return this.translated(token);
    const language = languageOf(token);
    this.originalText.set(language, (this.originalText.get(language) ?? '') + token.text);
    if (token.translation_status !== 'original') return;
    let segment = this.open.get(language);
    if (!segment || segment.translated) {
      segment = {
        pair: {
          sourceLanguage: token.language,
          targetLanguage: undefined,
          original: '',
          translation: '',
          startMs: token.start_ms,
          endMs: token.end_ms,
          speaker: token.speaker,
        },
        translated: false,
      };
      this.open.set(language, segment);
      this.pairList.push(segment.pair);
    }
    segment.pair.original += token.text;
    if (token.end_ms !== undefined) segment.pair.endMs = token.end_ms;
  }

  private translated(token: RealtimeToken): void {
    const target = languageOf(token);
    this.translatedText.set(target, (this.translatedText.get(target) ?? '') + token.text);
    const segment = this.open.get(token.source_language ?? '');
    if (!segment) return;
    segment.translated = true;
    segment.pair.targetLanguage ??= token.language;
    segment.pair.translation += token.text;
  }
}

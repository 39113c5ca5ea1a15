/**
 * Translation bookkeeping of a realtime stream, from its final tokens: the original text per
 * spoken language, the translation per target language, and each translated segment paired
 * with the original it translates (by `TranslationPairer`, the pairing of async transcripts
 * too). One-way and two-way translation stay apart: no string ever holds two languages.
 */
import { TranslationPairer, type TranslationPair } from '../transcript/translation';
import type { RealtimeToken } from '../types';

/** Language key of a token: its language, or '' when the server gave none. */
const languageOf = (token: RealtimeToken): string => token.language ?? '';

/** Final tokens -> originals, translations and pairs (see the file comment). */
export class TranslationBook {
  private readonly originalText = new Map<string, string>();
  private readonly translatedText = new Map<string, string>();
  /** Made with the first token of a translated session: sessions without translation keep no tokens. */
  private pairer: TranslationPairer<RealtimeToken> | undefined;

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
  get pairs(): Array<TranslationPair<RealtimeToken>> {
    if (!this.pairer) return [];
    return this.pairer.pairs().filter((pair) => pair.translation !== undefined);
  }

  /** Takes one final token (specials excluded). */
  accept(token: RealtimeToken): void {
    const status = token.translation_status;
    // Only a session with translation marks its tokens; no other needs its tokens kept.
    if (status === 'original' || status === 'translation') this.pairer ??= new TranslationPairer();
    this.pairer?.push(token);
    const texts = status === 'translation' ? this.translatedText : this.originalText;
    const language = languageOf(token);
    // A language's first token may come mid-sentence (after another language's words), with
    // the space that separated them: its text starts with its first word.
    // Only while the text is empty: trimming the whole text each time would flatten it.
    const before = texts.get(language) ?? '';
    texts.set(language, before === '' ? token.text.trimStart() : before + token.text);
  }
}

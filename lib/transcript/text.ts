/**
 * Plain text of a transcript: speaker turns on their own lines when diarized; with translation,
 * each target language in a block of its own after a blank line (two-way translation gives two
 * blocks, each headed by its language code in brackets, never one string of both languages).
 */
import type { Transcript } from '../types';
import { segments, type SegmentKind } from './segments';
import { speakerLabel } from './subtitles';
import { isNonFinal, isTranslationToken, present, type TokenLike } from './tokens';

/** Options of the text renderer. */
export interface TextOptions {
  /** Prefix turns with `Speaker N: ` (default true). */
  speakerLabels?: boolean;
  /** Render the spoken words (default) or the translation tokens. */
  kind?: SegmentKind;
}

/** The text of `tokens`: one line per speaker turn when they carry speakers. */
export function tokensText(tokens: readonly TokenLike[], options: TextOptions = {}): string {
  const labels = options.speakerLabels ?? true;
  return segments(tokens, { by: ['speaker'], kind: options.kind ?? 'original' })
    .map((turn) => `${labels ? speakerLabel(turn.speaker) : ''}${turn.text}`)
    .join('\n');
}

/** The transcript's text: the spoken words, then each translation language after a blank line (headed `[es]` when there are two or more). */
export function transcriptText(
  transcript: Transcript,
  options: Omit<TextOptions, 'kind'> = {},
): string {
  const tokens = transcript.tokens;
  const spoken = tokens.some((t) => !isTranslationToken(t) && !isNonFinal(t));
  const blocks = [spoken ? tokensText(tokens, options) : transcript.text.trim()];
  const languages = new Set(
    tokens.filter(isTranslationToken).map((t) => present(t.language) ?? ''),
  );
  // One translation language (one-way) is plainly the target; with two or more (two-way), each
  // block says which it is.
  const named = languages.size > 1;
  for (const language of languages) {
    const translated = tokens.filter(
      (t) => isTranslationToken(t) && (present(t.language) ?? '') === language,
    );
    const text = tokensText(translated, { ...options, kind: 'translation' });
    blocks.push(named && language !== '' && text !== '' ? `[${language}]\n${text}` : text);
  }
  return blocks.filter((b) => b !== '').join('\n\n');
}

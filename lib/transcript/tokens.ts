/**
 * What the transcript helpers need of a token: the fields async transcript tokens and realtime
 * tokens share, so every helper takes either (`TranscriptToken[]` or `RealtimeToken[]`).
 */

/** A token of an async transcript or a realtime result (only the fields the helpers read). */
export interface TokenLike {
  readonly text: string;
  readonly start_ms?: number | undefined;
  readonly end_ms?: number | undefined;
  readonly speaker?: string | null | undefined;
  readonly language?: string | null | undefined;
  readonly translation_status?: 'none' | 'original' | 'translation' | null | undefined;
  readonly source_language?: string | null | undefined;
  /** Realtime only: non-final tokens are provisional and left out by every helper. */
  readonly is_final?: boolean | undefined;
}

/** Whether `token` is a special token: `<end>` (endpoint) or `<fin>` (finalize answered). */
export function isSpecialToken(token: TokenLike): boolean {
  return token.text === '<end>' || token.text === '<fin>';
}

/** Whether `token` is a translation (not spoken audio: no timings, its own language). */
export function isTranslationToken(token: TokenLike): boolean {
  return token.translation_status === 'translation';
}

/** Whether a realtime token is provisional (async tokens never are). */
export function isNonFinal(token: TokenLike): boolean {
  return token.is_final === false;
}

/** `value` unless null, empty or absent. */
export function present(value: string | null | undefined): string | undefined {
  return value ? value : undefined;
}

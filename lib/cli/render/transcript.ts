/**
 * A transcript as the user asked for it: text (speaker turns on their own lines when diarized,
 * the translation after a blank line), the API's JSON, SRT or WebVTT.
 */
import type { Transcript, TranscriptToken } from '../../types';
import { toSrt, toVtt } from './subtitles';

/** Output formats of `transcribe` and `transcriptions transcript`. */
export const TRANSCRIPT_FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

const isSpecial = (t: TranscriptToken): boolean => /^<\w+>$/.test(t.text);

/** Text of tokens; speaker turns as `Speaker N: ...` lines when tokens carry speakers. */
export function tokensText(tokens: readonly TranscriptToken[]): string {
  const spoken = tokens.filter((t) => !isSpecial(t));
  if (!spoken.some((t) => t.speaker))
    return spoken
      .map((t) => t.text)
      .join('')
      .trim();
  const turns: Array<{ speaker: string | null | undefined; text: string }> = [];
  for (const token of spoken) {
    const last = turns[turns.length - 1];
    if (last && last.speaker === token.speaker) last.text += token.text;
    else turns.push({ speaker: token.speaker, text: token.text });
  }
  return turns
    .map((t) => `${t.speaker ? `Speaker ${t.speaker}: ` : ''}${t.text.trim()}`)
    .join('\n');
}

/** The transcript's text: the spoken words, then the translation (if any) after a blank line. */
export function transcriptText(transcript: Transcript): string {
  const original = transcript.tokens.filter((t) => t.translation_status !== 'translation');
  const translated = transcript.tokens.filter((t) => t.translation_status === 'translation');
  const text = original.length ? tokensText(original) : transcript.text.trim();
  return translated.length ? `${text}\n\n${tokensText(translated)}` : text;
}

/** Renders `transcript` in `format`. */
export function formatTranscript(transcript: Transcript, format: TranscriptFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(transcript, null, 2);
    case 'srt':
      return toSrt(transcript.tokens);
    case 'vtt':
      return toVtt(transcript.tokens);
    default:
      return transcriptText(transcript);
  }
}

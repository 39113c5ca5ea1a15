/**
 * A transcript as the user asked for it: text (speaker turns on their own lines when diarized,
 * each translation language after a blank line), the API's JSON, SRT or WebVTT. The renderers
 * are the library's (lib/transcript); this file only maps the CLI's format names to them.
 */
import { toSrt, toVtt, transcriptText } from '../../transcript';
import type { Transcript } from '../../types';

/** Output formats of `transcribe` and `transcriptions transcript`. */
export const TRANSCRIPT_FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

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

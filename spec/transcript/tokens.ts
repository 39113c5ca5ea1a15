/**
 * Hand-written token arrays shaped like the API's: async transcript tokens and realtime final
 * tokens, with diarization ("1"/"2"), language identification and two-way translation (original
 * en followed by its translation into es, original es followed by its translation into en).
 */
import type { RealtimeToken, TranscriptToken } from '../../lib/types';

type Status = 'original' | 'translation' | 'none';

/** A realtime final token of spoken audio. */
export function said(
  text: string,
  start_ms: number,
  end_ms: number,
  speaker: string,
  language: string,
  status?: Status,
): RealtimeToken {
  return {
    text,
    start_ms,
    end_ms,
    confidence: 0.93,
    is_final: true,
    speaker,
    language,
    ...(status ? { translation_status: status } : {}),
  };
}

/** A realtime final translation token: no timings, its target language and source language. */
export function translated(
  text: string,
  speaker: string,
  language: string,
  source_language: string,
): RealtimeToken {
  return {
    text,
    is_final: true,
    speaker,
    language,
    translation_status: 'translation',
    source_language,
  };
}

export const END: RealtimeToken = { text: '<end>', is_final: true };
export const FIN: RealtimeToken = { text: '<fin>', is_final: true };

/** Two-way en <-> es, two speakers, endpoints after each turn (realtime finals, in order). */
export const TWO_WAY: RealtimeToken[] = [
  said('Good', 120, 300, '1', 'en', 'original'),
  said(' mor', 360, 480, '1', 'en', 'original'),
  said('ning', 480, 600, '1', 'en', 'original'),
  said('.', 600, 620, '1', 'en', 'original'),
  translated('Buenos', '1', 'es', 'en'),
  translated(' días', '1', 'es', 'en'),
  translated('.', '1', 'es', 'en'),
  END,
  said('Ho', 2_000, 2_120, '2', 'es', 'original'),
  said('la', 2_120, 2_300, '2', 'es', 'original'),
  said(' ami', 2_400, 2_560, '2', 'es', 'original'),
  said('go', 2_560, 2_700, '2', 'es', 'original'),
  translated('Hello', '2', 'en', 'es'),
  translated(' friend', '2', 'en', 'es'),
  END,
];

/** An async transcript's tokens: diarized, language identified, no endpoints. */
export const DIARIZED: TranscriptToken[] = [
  { text: 'Hel', start_ms: 10, end_ms: 90, confidence: 0.95, speaker: '1', language: 'en' },
  { text: 'lo', start_ms: 90, end_ms: 160, confidence: 0.98, speaker: '1', language: 'en' },
  { text: ' there.', start_ms: 200, end_ms: 500, confidence: 0.9, speaker: '1', language: 'en' },
  { text: ' Bon', start_ms: 900, end_ms: 1_000, confidence: 0.9, speaker: '2', language: 'fr' },
  { text: 'jour', start_ms: 1_000, end_ms: 1_200, confidence: 0.9, speaker: '2', language: 'fr' },
  { text: ' and', start_ms: 1_300, end_ms: 1_400, confidence: 0.9, speaker: '2', language: 'en' },
  { text: ' hi', start_ms: 3_500, end_ms: 3_600, confidence: 0.9, speaker: '2', language: 'en' },
];

/** An async transcript with one-way translation into fr: originals, then their translation. */
export const ONE_WAY: TranscriptToken[] = [
  {
    text: 'Good',
    start_ms: 0,
    end_ms: 200,
    confidence: 0.9,
    language: 'en',
    translation_status: 'original',
  },
  {
    text: ' night',
    start_ms: 250,
    end_ms: 500,
    confidence: 0.9,
    language: 'en',
    translation_status: 'original',
  },
  { text: 'Bonne', language: 'fr', translation_status: 'translation', source_language: 'en' },
  { text: ' nuit', language: 'fr', translation_status: 'translation', source_language: 'en' },
  {
    text: ' merci',
    start_ms: 900,
    end_ms: 1_200,
    confidence: 0.9,
    language: 'fr',
    translation_status: 'none',
  },
  {
    text: ' see',
    start_ms: 1_500,
    end_ms: 1_700,
    confidence: 0.9,
    language: 'en',
    translation_status: 'original',
  },
  {
    text: ' you',
    start_ms: 1_700,
    end_ms: 1_900,
    confidence: 0.9,
    language: 'en',
    translation_status: 'original',
  },
  { text: ' À', language: 'fr', translation_status: 'translation', source_language: 'en' },
  { text: ' bientôt', language: 'fr', translation_status: 'translation', source_language: 'en' },
];

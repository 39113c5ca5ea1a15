/**
 * The flags of `soniox transcribe`, shared by its one-file and many-file forms: the create
 * parameters they ask for, and their check against the model catalogue. The flags live here so
 * that transcribe-many.ts needs nothing from transcribe.ts, which dispatches to it (no circle).
 */
import type { SonioxClient } from '../../client';
import { catalogueOf } from '../../model-catalogue';
import type { CreateTranscriptionParams } from '../../types';
import type { TranscriptFormat } from '../render/transcript';

/** The flags that become create parameters. */
export interface RecognitionFlags {
  model?: string;
  language?: string[];
  diarize?: boolean;
  translate?: string;
  reference?: string;
}

/** Options of `soniox transcribe` (both forms). */
export interface TranscribeFlags extends RecognitionFlags {
  format: TranscriptFormat;
  out?: string;
  keep?: boolean;
  pollMs: number;
}

/** The create parameters the flags ask for. */
export function createParams(
  flags: Pick<RecognitionFlags, 'model' | 'language' | 'diarize' | 'translate' | 'reference'>,
): CreateTranscriptionParams {
  const params: CreateTranscriptionParams = {};
  if (flags.model) params.model = flags.model;
  if (flags.language) params.language_hints = flags.language;
  if (flags.diarize) params.enable_speaker_diarization = true;
  if (flags.translate) params.translation = { type: 'one_way', target_language: flags.translate };
  if (flags.reference) params.client_reference_id = flags.reference;
  return params;
}

/** How the model check names the parameters: by the flags that set them. */
const FLAG_LABELS = {
  model: '--model',
  language_hints: '--language',
  'translation.target_language': '--translate',
};

/**
 * `--model` and `--language` (and `--translate`) against the model list, before any upload: a
 * typo fails fast (exit 2), naming the valid choices, the closest first. The SDK's own check
 * (client.transcribe and transcribeMany run it too) with the client's list: one request in all.
 */
export function assertModelFlags(
  client: SonioxClient,
  flags: Pick<RecognitionFlags, 'model' | 'language' | 'translate'>,
  signal: AbortSignal,
): Promise<void> {
  return catalogueOf(client).check(createParams(flags), { labels: FLAG_LABELS, signal });
}

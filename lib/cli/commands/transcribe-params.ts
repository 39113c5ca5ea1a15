/**
 * The recognition flags of `soniox transcribe`, shared by its one-file and many-file forms:
 * the create parameters they ask for, and their check against the model catalogue.
 */
import type { SonioxClient } from '../../client';
import { catalogueOf } from '../../model-catalogue';
import type { CreateTranscriptionParams } from '../../types';

/** The flags that become create parameters. */
export interface RecognitionFlags {
  model?: string;
  language?: string[];
  diarize?: boolean;
  translate?: string;
  reference?: string;
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
export function checkModelFlags(
  client: SonioxClient,
  flags: Pick<RecognitionFlags, 'model' | 'language' | 'translate'>,
  signal: AbortSignal,
): Promise<void> {
  return catalogueOf(client).check(createParams(flags), { labels: FLAG_LABELS, signal });
}

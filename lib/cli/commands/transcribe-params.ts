/**
 * The recognition flags of `soniox transcribe`, shared by its one-file and many-file forms:
 * the create parameters they ask for, and their check against the model catalogue.
 */
import type { SonioxClient } from '../../client';
import { closest } from '../../suggest';
import { DEFAULT_ASYNC_MODEL, type CreateTranscriptionParams } from '../../types';
import { UsageError } from '../context';

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

/**
 * `--model` and `--language` (and `--translate`) against `models.list()`, before any upload: a
 * typo fails fast, naming the valid choices (the closest first) instead of costing an upload.
 */
export async function checkModelFlags(
  client: SonioxClient,
  flags: Pick<RecognitionFlags, 'model' | 'language' | 'translate'>,
  signal: AbortSignal,
): Promise<void> {
  if (flags.model === undefined && flags.language === undefined && flags.translate === undefined)
    return;
  const { models } = await client.models.list({ signal });
  const async = models.filter((m) => m.transcription_mode === 'async');
  const modelId = flags.model ?? DEFAULT_ASYNC_MODEL;
  const model = async.find((m) => m.id === modelId);
  if (model === undefined) {
    const ids = async.map((m) => m.id);
    const guess = closest(modelId, ids);
    throw new UsageError(
      `--model ${modelId} is not an async model${guess ? `: did you mean ${guess}?` : ''} (async models: ${ids.join(', ')})`,
    );
  }
  const codes = model.languages.map((l) => l.code);
  const byName = new Map(model.languages.map((l) => [l.name.toLowerCase(), l.code]));
  const check = (flag: string, code: string) => {
    if (codes.includes(code)) return;
    const guess = byName.get(code.toLowerCase()) ?? closest(code, codes);
    throw new UsageError(
      `${flag} ${code} is not a language code of ${model.id}${guess ? `: did you mean ${guess}?` : ''} (valid codes: ${codes.join(', ')})`,
    );
  };
  for (const code of flags.language ?? []) check('--language', code);
  if (flags.translate !== undefined) check('--translate', flags.translate);
}

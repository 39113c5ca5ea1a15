/** The mock's model catalogue, shaped exactly like `GET /v1/models` (docs/api.md §6). */
import type { Model } from '../types';

const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Spanish' },
  { code: 'fr', name: 'French' },
  { code: 'de', name: 'German' },
  { code: 'it', name: 'Italian' },
  { code: 'ja', name: 'Japanese' },
];

function model(
  id: string,
  name: string,
  mode: 'real_time' | 'async',
  aliasOf: string | null = null,
): Model {
  return {
    id,
    aliased_model_id: aliasOf,
    name,
    context_version: 2,
    transcription_mode: mode,
    languages: LANGUAGES,
    supports_language_hints_strict: true,
    supports_max_endpoint_delay: mode === 'real_time',
    translation_targets: [],
    two_way_translation_pairs: [],
    one_way_translation: 'all_languages',
    two_way_translation: 'all_languages',
  };
}

/** Every model the mock knows, aliases included. */
export const MODELS: Model[] = [
  model('stt-rt-v5', 'Speech-to-Text Real-time v5', 'real_time'),
  model('stt-async-v5', 'Speech-to-Text Async v5', 'async'),
  model('stt-rt-v4', 'Speech-to-Text Real-time v4', 'real_time', 'stt-rt-v5'),
  model('stt-async-v4', 'Speech-to-Text Async v4', 'async', 'stt-async-v5'),
];

/** Ids of the models of one mode. */
export function modelIds(mode: 'real_time' | 'async'): string[] {
  return MODELS.filter((m) => m.transcription_mode === mode).map((m) => m.id);
}

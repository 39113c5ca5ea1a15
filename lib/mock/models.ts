/** The mock's model catalogue, shaped exactly like `GET /v1/models` (docs/api.md §6). */
import type { Model } from '../types';

/**
 * The 60 languages the current models list, in the API's order (the Soniox API's models page and
 * the OpenAPI document's `GET /v1/models` example).
 */
const LANGUAGE_LIST: Array<[string, string]> = [
  ['af', 'Afrikaans'],
  ['sq', 'Albanian'],
  ['ar', 'Arabic'],
  ['az', 'Azerbaijani'],
  ['eu', 'Basque'],
  ['be', 'Belarusian'],
  ['bn', 'Bengali'],
  ['bs', 'Bosnian'],
  ['bg', 'Bulgarian'],
  ['ca', 'Catalan'],
  ['zh', 'Chinese'],
  ['hr', 'Croatian'],
  ['cs', 'Czech'],
  ['da', 'Danish'],
  ['nl', 'Dutch'],
  ['en', 'English'],
  ['et', 'Estonian'],
  ['fi', 'Finnish'],
  ['fr', 'French'],
  ['gl', 'Galician'],
  ['de', 'German'],
  ['el', 'Greek'],
  ['gu', 'Gujarati'],
  ['he', 'Hebrew'],
  ['hi', 'Hindi'],
  ['hu', 'Hungarian'],
  ['id', 'Indonesian'],
  ['it', 'Italian'],
  ['ja', 'Japanese'],
  ['kn', 'Kannada'],
  ['kk', 'Kazakh'],
  ['ko', 'Korean'],
  ['lv', 'Latvian'],
  ['lt', 'Lithuanian'],
  ['mk', 'Macedonian'],
  ['ms', 'Malay'],
  ['ml', 'Malayalam'],
  ['mr', 'Marathi'],
  ['no', 'Norwegian'],
  ['fa', 'Persian'],
  ['pl', 'Polish'],
  ['pt', 'Portuguese'],
  ['pa', 'Punjabi'],
  ['ro', 'Romanian'],
  ['ru', 'Russian'],
  ['sr', 'Serbian'],
  ['sk', 'Slovak'],
  ['sl', 'Slovenian'],
  ['es', 'Spanish'],
  ['sw', 'Swahili'],
  ['sv', 'Swedish'],
  ['tl', 'Tagalog'],
  ['ta', 'Tamil'],
  ['te', 'Telugu'],
  ['th', 'Thai'],
  ['tr', 'Turkish'],
  ['uk', 'Ukrainian'],
  ['ur', 'Urdu'],
  ['vi', 'Vietnamese'],
  ['cy', 'Welsh'],
];
const LANGUAGES = LANGUAGE_LIST.map(([code, name]) => ({ code, name }));

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
    // Newer fields (typed by the official JS SDK): endpoint tuning exists on real-time models only.
    supports_endpoint_sensitivity: mode === 'real_time',
    supports_endpoint_latency_adjustment: mode === 'real_time',
    endpoint_latency_adjustment_max_level: mode === 'real_time' ? 3 : 0,
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

/** The language codes a model accepts (hints, translation); undefined for an unknown model. */
export function languageCodes(modelId: string): Set<string> | undefined {
  const m = MODELS.find((x) => x.id === modelId);
  return m ? new Set(m.languages.map((l) => l.code)) : undefined;
}

/** Ids of the models of one mode. */
export function modelIds(mode: 'real_time' | 'async'): string[] {
  return MODELS.filter((m) => m.transcription_mode === mode).map((m) => m.id);
}

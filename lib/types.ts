/**
 * Shapes of the Soniox API, in the API's own snake_case. Shared by the client and the mock
 * server (the mock imports nothing else of the client). See docs/api.md.
 */
import * as audio from './audio';

/** One entry of an API error's `validation_errors`. */
export interface ApiValidationError {
  error_type: string;
  location: string;
  message: string;
}

/** Body of every non-2xx REST response. */
export interface ApiErrorBody {
  status_code: number;
  error_type: string;
  message: string;
  validation_errors: ApiValidationError[];
  request_id: string;
  more_info?: string;
}

/** A stored file (`POST /v1/files`, `GET /v1/files/{id}`). */
export interface SonioxFile {
  id: string;
  filename: string;
  size: number;
  created_at: string;
  client_reference_id?: string | null;
}

/** A page of `GET /v1/files`. */
export interface FileList {
  files: SonioxFile[];
  next_page_cursor: string | null;
}

/** Query of the list endpoints. */
export interface ListParams {
  /** 1..1000, default 1000. */
  limit?: number | undefined;
  /** Opaque cursor from a previous page's `next_page_cursor`. */
  cursor?: string | undefined;
}

/** `TranslationConfig` of async and realtime requests. */
export type TranslationConfig =
  | { type: 'one_way'; target_language: string }
  | { type: 'two_way'; language_a: string; language_b: string };

/** Structured `context` of async and realtime requests. */
export interface StructuredContext {
  general?: Array<{ key: string; value: string }>;
  text?: string;
  terms?: string[];
  translation_terms?: Array<{ source: string; target: string }>;
}

/** Body of `POST /v1/transcriptions`. Exactly one of `audio_url` and `file_id`. */
export interface CreateTranscriptionParams {
  model?: string;
  audio_url?: string | null;
  file_id?: string | null;
  language_hints?: string[] | null;
  language_hints_strict?: boolean | null;
  enable_speaker_diarization?: boolean | null;
  enable_language_identification?: boolean | null;
  translation?: TranslationConfig | null;
  context?: StructuredContext | string | null;
  webhook_url?: string | null;
  webhook_auth_header_name?: string | null;
  webhook_auth_header_value?: string | null;
  client_reference_id?: string | null;
}

/** Lifecycle states; unknown future strings are tolerated. */
export type TranscriptionStatus = 'queued' | 'processing' | 'completed' | 'error' | (string & {});

/** A transcription job. */
export interface Transcription {
  id: string;
  status: TranscriptionStatus;
  created_at: string;
  model: string;
  audio_url?: string | null;
  file_id?: string | null;
  filename: string;
  language_hints?: string[] | null;
  enable_speaker_diarization: boolean;
  enable_language_identification: boolean;
  audio_duration_ms?: number | null;
  error_type?: string | null;
  error_message?: string | null;
  webhook_url?: string | null;
  webhook_auth_header_name?: string | null;
  webhook_auth_header_value?: string | null;
  webhook_status_code?: number | null;
  client_reference_id?: string | null;
  context?: StructuredContext | string | null;
}

/** A page of `GET /v1/transcriptions`. */
export interface TranscriptionList {
  transcriptions: Transcription[];
  next_page_cursor: string | null;
}

/** A token of an async transcript. Translated tokens may lack timing and confidence. */
export interface TranscriptToken {
  text: string;
  start_ms?: number;
  end_ms?: number;
  confidence?: number;
  speaker?: string | null;
  language?: string | null;
  is_audio_event?: boolean | null;
  translation_status?: 'none' | 'original' | 'translation' | null;
  source_language?: string | null;
}

/** `GET /v1/transcriptions/{id}/transcript`. */
export interface Transcript {
  id: string;
  text: string;
  tokens: TranscriptToken[];
}

/** An entry of `GET /v1/models`. */
export interface Model {
  id: string;
  aliased_model_id: string | null;
  name: string;
  context_version: number | null;
  transcription_mode: 'real_time' | 'async' | (string & {});
  languages: Array<{ code: string; name: string }>;
  supports_language_hints_strict: boolean;
  supports_max_endpoint_delay: boolean;
  translation_targets: Array<{
    target_language: string;
    source_languages: string[];
    exclude_source_languages: string[];
  }>;
  two_way_translation_pairs: string[];
  one_way_translation: string | null;
  two_way_translation: string | null;
  supports_endpoint_sensitivity?: boolean;
  supports_endpoint_latency_adjustment?: boolean;
  endpoint_latency_adjustment_max_level?: number;
}

/** `GET /v1/models`. */
/** `GET /v1/files/count` and `GET /v1/transcriptions/count`: how many an account holds, by origin. */
export interface ResourceCount {
  /** Every one, whatever created it (the quota counts these). */
  total: number;
  /** Created through the API. */
  public_api?: number;
  /** Created in the Soniox Playground. */
  playground?: number;
}

/** The answer of `GET /v1/models`: every model the account may use. */
export interface ModelList {
  models: Model[];
}

/** Body of `POST /v1/auth/temporary-api-key`. */
export interface CreateTemporaryKeyParams {
  usage_type: 'transcribe_websocket' | 'tts_rt';
  expires_in_seconds: number;
  client_reference_id?: string | null;
  single_use?: boolean | null;
  max_session_duration_seconds?: number | null;
}

/** Answer of `POST /v1/auth/temporary-api-key`. */
export interface TemporaryKey {
  api_key: string;
  expires_at: string;
}

/** Realtime container formats (and `auto`): the audio's own header gives its rate and channels. */
export type RealtimeContainerAudioFormat = audio.ContainerAudioFormat;

/** Realtime raw sample formats: headerless, so `sample_rate` and `num_channels` are required. */
export type RealtimeRawAudioFormat = audio.RawAudioFormat;

/**
 * Audio formats of the realtime API (derived from the format lists in audio.ts; spelled with
 * the public names so the API reference links them).
 */
export type RealtimeAudioFormat = RealtimeContainerAudioFormat | RealtimeRawAudioFormat;

/** The start message's fields other than the audio's format, rate and channels. */
export interface RealtimeConfigFields {
  model?: string;
  language_hints?: string[];
  language_hints_strict?: boolean;
  context?: StructuredContext | string;
  enable_speaker_diarization?: boolean;
  enable_language_identification?: boolean;
  enable_endpoint_detection?: boolean;
  max_endpoint_delay_ms?: number;
  endpoint_sensitivity?: number;
  endpoint_latency_adjustment_level?: number;
  client_reference_id?: string;
  translation?: TranslationConfig;
}

/** The audio of a container format (or `auto`, the default): rate and channels are optional. */
export interface RealtimeContainerAudio {
  audio_format?: RealtimeContainerAudioFormat;
  sample_rate?: number;
  num_channels?: number;
}

/** Raw audio: the API cannot decode it without its rate and channel count, so both are required. */
export interface RealtimeRawAudio {
  audio_format: RealtimeRawAudioFormat;
  sample_rate: number;
  num_channels: number;
}

/**
 * The realtime start message (config), less the key. Typed strictly, so a misspelt field or
 * format fails to compile, and so does a raw format without `sample_rate` and `num_channels`
 * (a discriminated union on `audio_format`); a field this SDK does not know yet goes in the
 * stream option `extra` (see RealtimeOptions), and passes through untouched.
 */
export type RealtimeConfig = RealtimeConfigFields & (RealtimeContainerAudio | RealtimeRawAudio);

/** The start message as sent: the typed fields plus whatever `extra` carried. */
export type RealtimeStartMessage = RealtimeConfigFields & {
  audio_format?: string;
  sample_rate?: number;
  num_channels?: number;
  [field: string]: unknown;
};

/** A token of a realtime result. `<end>` and `<fin>` are special final tokens. */
export interface RealtimeToken {
  text: string;
  start_ms?: number;
  end_ms?: number;
  confidence?: number;
  is_final: boolean;
  speaker?: string;
  language?: string;
  translation_status?: 'none' | 'original' | 'translation';
  source_language?: string;
}

/** A server message on the realtime WebSocket (result, finished or error). */
export interface RealtimeMessage {
  tokens: RealtimeToken[];
  final_audio_proc_ms?: number;
  total_audio_proc_ms?: number;
  finished?: boolean;
  error_code?: number;
  error_type?: string;
  error_message?: string;
  more_info?: string;
  request_id?: string;
}

/** Body Soniox POSTs to a transcription's `webhook_url` when it ends. */
export interface WebhookEvent {
  id: string;
  status: 'completed' | 'error' | (string & {});
}

/** Raw PCM-like realtime formats, as plain strings (`includes()` of any string); typed in audio.ts. */
export const RAW_AUDIO_FORMATS: readonly string[] = audio.RAW_AUDIO_FORMATS;

/** Container formats the realtime API auto-detects or accepts by name, as plain strings; typed in audio.ts. */
export const CONTAINER_AUDIO_FORMATS: readonly string[] = audio.CONTAINER_AUDIO_FORMATS;

/** Bytes per sample of a raw format (for audio-time arithmetic). */
export const bytesPerSample = audio.bytesPerSample;

/** Largest file the API accepts: 1 GiB. */
export const MAX_FILE_SIZE = 1_073_741_824;

/** The async model a transcription uses when its options name none (documented default). */
export const DEFAULT_ASYNC_MODEL = 'stt-async-v5';
/** The realtime model a session uses when its options name none. */
export const DEFAULT_REALTIME_MODEL = 'stt-rt-v5';

/** A per-request usage record of `GET /v1/usage-logs`. Costs are decimal strings in USD. */
export interface UsageLog {
  uuid: string;
  /** What the request was, e.g. `stt_async`, `stt_rt`. */
  request_scope: string;
  client_reference_id?: string | null;
  model: string;
  start_time: string;
  end_time: string;
  input_text_tokens: number;
  input_audio_tokens: number;
  input_audio_duration_ms: number;
  output_text_tokens: number;
  output_audio_tokens: number;
  output_audio_duration_ms: number;
  cost_usd: string;
  input_cost_usd: string;
  input_text_cost_usd: string;
  input_audio_cost_usd: string;
  output_cost_usd: string;
  output_text_cost_usd: string;
  output_audio_cost_usd: string;
}

/** A page of `GET /v1/usage-logs`, ordered by `end_time` (then uuid). */
export interface UsageLogList {
  usage_logs: UsageLog[];
  next_page_cursor: string | null;
}

/** Usage of one model (or, with `model: null`, of all) over a window, per UTC day (`days`). */
export interface UsageSummaryEntry {
  model: string | null;
  /** One UTC day (`YYYY-MM-DD`) per element, every day of the window; the arrays below align to it. */
  days: string[];
  total_cost_usd: string;
  total_input_cost_usd: string;
  total_output_cost_usd: string;
  total_duration_cost_usd: string;
  cost_usd: string[];
  input_cost_usd: string[];
  output_cost_usd: string[];
  duration_cost_usd: string[];
  total_num_requests: number;
  total_input_text_tokens: number;
  total_input_audio_tokens: number;
  total_input_audio_duration_ms: number;
  total_output_text_tokens: number;
  total_output_audio_tokens: number;
  total_output_audio_duration_ms: number;
  total_duration_ms: number;
  num_requests: number[];
  input_text_tokens: number[];
  input_audio_tokens: number[];
  input_audio_duration_ms: number[];
  output_text_tokens: number[];
  output_audio_tokens: number[];
  output_audio_duration_ms: number[];
  duration_ms: number[];
}

/** `GET /v1/usage/summary`: the project's total and one entry per model that had usage. */
export interface UsageSummary {
  total: UsageSummaryEntry;
  models: UsageSummaryEntry[];
}

/** Live counts and configured limits of one scope (`null`: no configured limit). */
export interface ConcurrencyScope {
  current: { transcribe_concurrent: number; tts_concurrent: number };
  limits: { transcribe_concurrent: number | null; tts_concurrent: number | null };
}

/** `GET /v1/concurrency-limits`: the project's and the organization's counts and limits. */
export interface ConcurrencyLimitsInfo {
  project: ConcurrencyScope;
  organization: ConcurrencyScope;
}

/** One period of `GET /v1/concurrent-streams-history` (every numeric field 0 when idle). */
export interface ConcurrentStreamsHistoryEntry {
  period_start: string;
  period_sec: number;
  sample_min: number;
  sample_max: number;
  sample_sum: number;
  sample_count: number;
  total_count: number;
}

/** `GET /v1/concurrent-streams-history`: every period of the window, ascending, no gaps. */
export interface ConcurrentStreamsHistory {
  kind: 'stt' | 'tts';
  entries: ConcurrentStreamsHistoryEntry[];
}

/**
 * JSON Schemas of the Soniox API's requests and responses (docs/api.md, the OpenAPI 1.0.0
 * document). Shared by the client (params before sending, responses after) and the mock server
 * (request bodies). Response schemas accept extra properties so new API fields never break us.
 */

const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
};
const dateTime = { type: 'string', minLength: 1 };
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const httpUrl = (maxLength: number) => ({
  type: 'string',
  maxLength,
  pattern: '^https?://[^\\s]+$',
});
const shortString = { type: 'string', maxLength: 256 };

const translation = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['one_way', 'two_way'] },
    target_language: { type: 'string' },
    language_a: { type: 'string' },
    language_b: { type: 'string' },
  },
  allOf: [
    { if: { properties: { type: { const: 'one_way' } } }, then: { required: ['target_language'] } },
    {
      if: { properties: { type: { const: 'two_way' } } },
      then: { required: ['language_a', 'language_b'] },
    },
  ],
};

const structuredContext = {
  type: 'object',
  additionalProperties: false,
  properties: {
    general: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'value'],
        properties: { key: { type: 'string' }, value: { type: 'string' } },
      },
    },
    text: { type: 'string' },
    terms: { type: 'array', items: { type: 'string' } },
    translation_terms: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'target'],
        properties: { source: { type: 'string' }, target: { type: 'string' } },
      },
    },
  },
};

const languageHints = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 10 } };

/** `POST /v1/transcriptions` body. */
export const createTranscriptionSchema = {
  type: 'object',
  required: ['model'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 32 },
    audio_url: nullable(httpUrl(4096)),
    file_id: nullable(uuid),
    language_hints: nullable(languageHints),
    language_hints_strict: nullable({ type: 'boolean' }),
    enable_speaker_diarization: nullable({ type: 'boolean' }),
    enable_language_identification: nullable({ type: 'boolean' }),
    translation: nullable(translation),
    // Its size limit sums a structured context's strings: code, not schema (./context.ts).
    context: { anyOf: [structuredContext, { type: 'string' }, { type: 'null' }] },
    webhook_url: nullable(httpUrl(256)),
    webhook_auth_header_name: nullable(shortString),
    webhook_auth_header_value: nullable(shortString),
    client_reference_id: nullable(shortString),
  },
};

/** `POST /v1/auth/temporary-api-key` body. */
export const createTemporaryKeySchema = {
  type: 'object',
  required: ['usage_type', 'expires_in_seconds'],
  properties: {
    usage_type: { enum: ['transcribe_websocket', 'tts_rt'] },
    expires_in_seconds: { type: 'integer', minimum: 1, maximum: 3600 },
    client_reference_id: nullable(shortString),
    single_use: nullable({ type: 'boolean' }),
    max_session_duration_seconds: nullable({ type: 'integer', minimum: 1, maximum: 18000 }),
  },
};

/** Query of the list endpoints. */
export const listParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    cursor: { type: 'string', minLength: 1 },
  },
};

/** The realtime start message. Unknown fields pass through (new API fields work on day one). */
export const realtimeConfigSchema = {
  type: 'object',
  required: ['model', 'audio_format'],
  properties: {
    api_key: { type: 'string' },
    model: { type: 'string', minLength: 1 },
    audio_format: { type: 'string', minLength: 1 },
    sample_rate: { type: 'integer', minimum: 1 },
    num_channels: { type: 'integer', minimum: 1, maximum: 2 },
    language_hints: languageHints,
    language_hints_strict: { type: 'boolean' },
    context: { anyOf: [structuredContext, { type: 'string' }] },
    enable_speaker_diarization: { type: 'boolean' },
    enable_language_identification: { type: 'boolean' },
    enable_endpoint_detection: { type: 'boolean' },
    max_endpoint_delay_ms: { type: 'integer', minimum: 500, maximum: 3000 },
    endpoint_sensitivity: { type: 'number', minimum: -1, maximum: 1 },
    endpoint_latency_adjustment_level: { type: 'integer', minimum: 0, maximum: 3 },
    client_reference_id: shortString,
    translation,
  },
};

const file = {
  type: 'object',
  required: ['id', 'filename', 'size', 'created_at'],
  properties: {
    id: uuid,
    filename: { type: 'string' },
    size: { type: 'integer', minimum: 0 },
    created_at: dateTime,
    client_reference_id: nullable({ type: 'string' }),
  },
};

const transcription = {
  type: 'object',
  required: [
    'id',
    'status',
    'created_at',
    'model',
    'filename',
    'enable_speaker_diarization',
    'enable_language_identification',
  ],
  properties: {
    id: uuid,
    status: { type: 'string' },
    created_at: dateTime,
    model: { type: 'string' },
    audio_url: nullable({ type: 'string' }),
    file_id: nullable(uuid),
    filename: { type: 'string' },
    language_hints: nullable({ type: 'array', items: { type: 'string' } }),
    enable_speaker_diarization: { type: 'boolean' },
    enable_language_identification: { type: 'boolean' },
    audio_duration_ms: nullable({ type: 'integer' }),
    error_type: nullable({ type: 'string' }),
    error_message: nullable({ type: 'string' }),
    webhook_url: nullable({ type: 'string' }),
    webhook_auth_header_name: nullable({ type: 'string' }),
    webhook_auth_header_value: nullable({ type: 'string' }),
    webhook_status_code: nullable({ type: 'integer' }),
    client_reference_id: nullable({ type: 'string' }),
  },
};

const nullableNumber = nullable({ type: 'number' });

const transcriptToken = {
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string' },
    start_ms: nullableNumber,
    end_ms: nullableNumber,
    confidence: nullableNumber,
    speaker: nullable({ type: 'string' }),
    language: nullable({ type: 'string' }),
    is_audio_event: nullable({ type: 'boolean' }),
    translation_status: nullable({ type: 'string' }),
    source_language: nullable({ type: 'string' }),
  },
};

const cursor = nullable({ type: 'string' });

/** The fields of a usage summary entry the SDK relies on (the rest pass through). */
const usageSummaryEntry = {
  type: 'object',
  required: ['model', 'days', 'total_cost_usd', 'total_num_requests'],
  properties: {
    model: nullable({ type: 'string' }),
    days: { type: 'array', items: { type: 'string' } },
    total_cost_usd: { type: 'string' },
    total_num_requests: { type: 'integer' },
  },
};

/** Live counts and configured limits of a concurrency scope. */
const concurrencyScope = {
  type: 'object',
  required: ['current', 'limits'],
  properties: {
    current: {
      type: 'object',
      required: ['transcribe_concurrent'],
      properties: { transcribe_concurrent: { type: 'integer' } },
    },
    limits: {
      type: 'object',
      required: ['transcribe_concurrent'],
      properties: { transcribe_concurrent: nullable({ type: 'integer' }) },
    },
  },
};

/** Response schemas, by name. */
export const responseSchemas = {
  file,
  fileList: {
    type: 'object',
    required: ['files'],
    properties: { files: { type: 'array', items: file }, next_page_cursor: cursor },
  },
  transcription,
  transcriptionList: {
    type: 'object',
    required: ['transcriptions'],
    properties: {
      transcriptions: { type: 'array', items: transcription },
      next_page_cursor: cursor,
    },
  },
  transcript: {
    type: 'object',
    required: ['id', 'text', 'tokens'],
    properties: {
      id: uuid,
      text: { type: 'string' },
      tokens: { type: 'array', items: transcriptToken },
    },
  },
  count: {
    type: 'object',
    required: ['total'],
    properties: {
      total: { type: 'integer' },
      public_api: { type: 'integer' },
      playground: { type: 'integer' },
    },
  },
  modelList: {
    type: 'object',
    required: ['models'],
    properties: {
      models: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'name', 'transcription_mode', 'languages'],
          properties: {
            id: { type: 'string' },
            aliased_model_id: nullable({ type: 'string' }),
            name: { type: 'string' },
            context_version: nullable({ type: 'integer' }),
            transcription_mode: { type: 'string' },
            languages: {
              type: 'array',
              items: {
                type: 'object',
                required: ['code', 'name'],
                properties: { code: { type: 'string' }, name: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
  temporaryKey: {
    type: 'object',
    required: ['api_key', 'expires_at'],
    properties: { api_key: { type: 'string', minLength: 1 }, expires_at: dateTime },
  },
  usageLogList: {
    type: 'object',
    required: ['usage_logs', 'next_page_cursor'],
    properties: {
      usage_logs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['uuid', 'request_scope', 'model', 'start_time', 'end_time', 'cost_usd'],
          properties: {
            uuid: { type: 'string' },
            request_scope: { type: 'string' },
            client_reference_id: nullable({ type: 'string' }),
            model: { type: 'string' },
            start_time: dateTime,
            end_time: dateTime,
            input_audio_duration_ms: { type: 'number' },
            cost_usd: { type: 'string' },
          },
        },
      },
      next_page_cursor: nullable({ type: 'string' }),
    },
  },
  usageSummary: {
    type: 'object',
    required: ['total', 'models'],
    properties: {
      total: usageSummaryEntry,
      models: { type: 'array', items: usageSummaryEntry },
    },
  },
  concurrencyLimits: {
    type: 'object',
    required: ['project', 'organization'],
    properties: { project: concurrencyScope, organization: concurrencyScope },
  },
  concurrentStreamsHistory: {
    type: 'object',
    required: ['kind', 'entries'],
    properties: {
      kind: { type: 'string' },
      entries: {
        type: 'array',
        items: {
          type: 'object',
          required: ['period_start', 'period_sec', 'sample_max'],
          properties: {
            period_start: dateTime,
            period_sec: { type: 'integer' },
            sample_max: { type: 'number' },
          },
        },
      },
    },
  },
  apiError: {
    type: 'object',
    required: ['status_code', 'error_type', 'message'],
    properties: {
      status_code: { type: 'integer' },
      error_type: { type: 'string' },
      message: { type: 'string' },
      validation_errors: { type: 'array' },
      request_id: { type: 'string' },
    },
  },
} as const;

/** Request schemas, by name. */
export const requestSchemas = {
  createTranscription: createTranscriptionSchema,
  createTemporaryKey: createTemporaryKeySchema,
  listParams: listParamsSchema,
  realtimeConfig: realtimeConfigSchema,
} as const;

export type ResponseSchemaName = keyof typeof responseSchemas;
export type RequestSchemaName = keyof typeof requestSchemas;
export type SchemaName = ResponseSchemaName | RequestSchemaName;

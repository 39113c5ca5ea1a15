/**
 * The build's ahead-of-time validators (scripts/build-validators.js) must judge every payload
 * exactly as the schemas compiled at run time do: same verdict, same errors.
 */
import { expect } from 'chai';
import Module from 'node:module';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { requestSchemas, responseSchemas, type SchemaName } from '../../lib/schemas';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { standaloneValidator } = require('../../scripts/build-validators.js') as {
  standaloneValidator(name: string, schema: object): string;
};

/** Loads generated source as a module placed in the repository, so it resolves ajv's runtime. */
function load(source: string): Record<string, ValidateFunction> {
  const filename = path.join(
    __dirname,
    '..',
    '..',
    'dist',
    'schemas',
    'validators',
    'spec-copy.js',
  );
  const mod = new Module(filename) as Module & { _compile(code: string, file: string): void };
  mod.filename = filename;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    path.dirname(filename),
  );
  mod._compile(source, filename);
  return mod.exports as Record<string, ValidateFunction>;
}

const uuid = '0b6f6c1e-1c7a-4a43-9d52-3c1f8e0c2a11';
const samples: Record<SchemaName, unknown[]> = {
  file: [
    { id: uuid, filename: 'a.wav', size: 10, created_at: '2026-01-01T00:00:00Z' },
    { id: 'x', filename: 1 },
    null,
  ],
  fileList: [{ files: [], next_page_cursor: null }, { files: [{}] }, {}],
  count: [{ total: 3, public_api: 2, playground: 1 }, { total: '3' }, {}],
  transcription: [
    {
      id: uuid,
      status: 'completed',
      created_at: '2026-01-01T00:00:00Z',
      model: 'stt-async-v5',
      filename: 'a',
      enable_speaker_diarization: false,
      enable_language_identification: false,
    },
    { id: uuid, status: 7 },
  ],
  transcriptionList: [{ transcriptions: [] }, { transcriptions: 'no' }],
  usageLogList: [
    { usage_logs: [], next_page_cursor: null },
    { usage_logs: [{ uuid }], next_page_cursor: null },
    { next_page_cursor: 'c' },
  ],
  usageSummary: [
    { total: { model: null, days: [], total_cost_usd: '0', total_num_requests: 0 }, models: [] },
    { total: { model: 5 }, models: [] },
  ],
  concurrencyLimits: [
    {
      project: { current: { transcribe_concurrent: 1 }, limits: { transcribe_concurrent: null } },
      organization: { current: { transcribe_concurrent: 1 }, limits: { transcribe_concurrent: 5 } },
    },
    { project: {} },
  ],
  concurrentStreamsHistory: [
    {
      kind: 'stt',
      entries: [{ period_start: '2026-01-01T00:00:00Z', period_sec: 60, sample_max: 0 }],
    },
    { kind: 'stt', entries: [{ period_sec: 'x' }] },
  ],
  transcript: [
    { id: uuid, text: 'hi', tokens: [{ text: 'hi', start_ms: 0, end_ms: 5, confidence: 0.9 }] },
    { id: uuid, text: 'hi', tokens: [{ text: 3 }] },
  ],
  modelList: [
    {
      models: [
        {
          id: 'm',
          name: 'M',
          transcription_mode: 'async',
          languages: [{ code: 'en', name: 'English' }],
        },
      ],
    },
    { models: [{ id: 'm', languages: [{}] }] },
  ],
  temporaryKey: [
    { api_key: 'temp:x', expires_at: '2026-01-01T00:00:00Z' },
    { api_key: '', expires_at: 'soon' },
  ],
  apiError: [
    { status_code: 400, error_type: 'invalid_request', message: 'bad' },
    { status_code: '400' },
  ],
  createTranscription: [
    { model: 'stt-async-v5', file_id: uuid },
    { language_hints: ['en', 'x'.repeat(11)], translation: { type: 'one_way' } },
    { model: 'm', audio_url: 'u', file_id: uuid },
  ],
  createTemporaryKey: [
    { usage_type: 'transcribe_websocket', expires_in_seconds: 10 },
    { usage_type: 'other', expires_in_seconds: 0 },
  ],
  listParams: [{ limit: 10 }, { limit: 0, cursor: 5 }, 'nope'],
  realtimeConfig: [
    { model: 'stt-rt-v5', audio_format: 'auto', brand_new_field: 1 },
    { model: 'stt-rt-v5', audio_format: 'pcm_s16le' },
    { audio_format: 3 },
  ],
};

describe("schemas: the build's precompiled validators", () => {
  const schemas = { ...responseSchemas, ...requestSchemas } as Record<SchemaName, object>;
  const modules = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [
      name,
      load(standaloneValidator(name, schema)),
    ]),
  );
  const precompiled = Object.fromEntries(
    Object.entries(modules).map(([name, mod]) => [name, mod[name]]),
  ) as Record<SchemaName, ValidateFunction>;
  const ajv = new Ajv({ allErrors: true, strict: false });

  it("has one module per schema, exporting only that schema's validator", () => {
    for (const [name, mod] of Object.entries(modules))
      expect(Object.keys(mod), name).to.deep.equal([name]);
    expect(Object.values(precompiled).every((fn) => typeof fn === 'function')).to.equal(true);
  });

  for (const name of Object.keys(samples) as SchemaName[]) {
    it(`judges ${name} payloads exactly as the run-time compiled schema does`, () => {
      const runtime = ajv.compile(schemas[name]);
      const verdicts: boolean[] = [];
      for (const sample of samples[name]) {
        const expected = runtime(sample);
        verdicts.push(expected);
        expect(precompiled[name](sample), JSON.stringify(sample)).to.equal(expected);
        const shape = (fn: ValidateFunction) =>
          (fn.errors ?? []).map((e) => [e.instancePath, e.keyword, e.message]);
        expect(shape(precompiled[name])).to.deep.equal(shape(runtime));
      }
      // Each schema's samples hold a valid payload and an invalid one, so both paths are compared.
      expect(verdicts).to.include(true).and.to.include(false);
    });
  }
});

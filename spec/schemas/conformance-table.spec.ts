/**
 * The conformance table of docs/api.md §13 (issue 28, item 2): every field of the documented
 * REST and WebSocket APIs (our request and response schemas, and every start, control and
 * response field the official SDK types) has a row, with the documentation's own words, what
 * the SDK does and what the mock does. A field added to a schema or to @soniox/node's types
 * without a row fails here, named. (The mock column's claims are asserted by the mock's specs
 * as the mock changes: not here.)
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import {
  createTemporaryKeySchema,
  createTranscriptionSchema,
  listParamsSchema,
  realtimeConfigSchema,
  responseSchemas,
} from '../../lib/schemas';
import { shapesOf } from './dts-shape';

const ROOT = path.join(__dirname, '..', '..');
const OFFICIAL = path.join(ROOT, 'node_modules', '@soniox', 'node', 'dist', 'index.d.mts');
// The OpenAPI document beside the clone, as spec/schemas/openapi.spec.ts finds it (CI always has
// it); SONIOX_OPENAPI_DOCUMENT names another copy. Without it, the committed digest's components.
const OPENAPI =
  process.env.SONIOX_OPENAPI_DOCUMENT ??
  path.join(ROOT, '..', 'shared', 'reference', 'soniox-openapi.json');
const DIGEST = path.join(ROOT, 'fixtures', 'openapi-digest.json');
/** The document's components that are requests (the rest are answers). */
const REQUEST_COMPONENTS = new Set([
  'CreateTemporaryApiKeyPayload',
  'CreateTranscriptionPayload',
  'GetFilesPayload',
  'GetTranscriptionsPayload',
  'StructuredContext',
  'StructuredContextGeneralItem',
  'StructuredContextTranslationTerm',
  'TranslationConfig',
  'UploadFilePayload',
]);
const SDK_WORDS = /validated|typed|passed through|set by the SDK|read|parsed|sent/i;
const MOCK_WORDS = /simulated|checked|accepted and ignored|sent|echoed|not simulated|answers/i;

/** The rows of each `### §13.n` table: the names in the first cell, and the cells. */
function tables(): Map<string, Array<{ names: string[]; cells: string[] }>> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
  const start = text.indexOf('## §13 Conformance table');
  expect(start, 'docs/api.md has a "## §13 Conformance table"').to.be.greaterThan(-1);
  const byTable = new Map<string, Array<{ names: string[]; cells: string[] }>>();
  let current = '';
  for (const line of text.slice(start).split('\n')) {
    const heading = /^### (§13\.\d+)/.exec(line);
    if (heading) current = heading[1]!;
    if (!line.startsWith('|') || /^\|\s*-/.test(line) || /^\| field /.test(line)) continue;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    const names = [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    byTable.set(current, [...(byTable.get(current) ?? []), { names, cells }]);
  }
  return byTable;
}

const keys = (schema: { properties: object }) => Object.keys(schema.properties);

/** The property names of every component of the OpenAPI document, requests and answers apart. */
function openApiFields(): { requests: string[]; responses: string[] } {
  let components: Record<string, { properties?: object }>;
  if (fs.existsSync(OPENAPI)) {
    const doc = JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) as {
      components: { schemas: typeof components };
    };
    components = doc.components.schemas;
  } else components = JSON.parse(fs.readFileSync(DIGEST, 'utf8')) as typeof components;
  const out = { requests: [] as string[], responses: [] as string[] };
  for (const [name, component] of Object.entries(components))
    out[REQUEST_COMPONENTS.has(name) ? 'requests' : 'responses'].push(
      ...Object.keys(component.properties ?? {}),
    );
  return out;
}

/** Fields of the official SDK's options that are the SDK's own, never sent to the API. */
const SDK_ONLY = new Set(['signal', 'timeout_ms']);

/**
 * The official SDK types no control message: the fields of `finalize(options?: { ... })` are
 * read from the declaration's text.
 */
function finalizeFields(): string[] {
  const text = fs.readFileSync(OFFICIAL, 'utf8');
  const body = /\bfinalize\(options\?: \{([^}]*)\}/.exec(text);
  expect(body, '@soniox/node declares finalize(options?: { ... })').to.not.equal(null);
  return [...body![1]!.matchAll(/(\w+)\??:/g)].map((m) => m[1]!);
}

describe('docs/api.md §13: the conformance table', () => {
  // The official SDK's types of every start, control and response message and of the REST
  // requests and answers (files, transcriptions, models, temporary keys, usage, limits).
  const REQUESTS = [
    'CreateTranscriptionOptions',
    'TranscriptionContext',
    'ContextGeneralEntry',
    'ContextTranslationTerm',
    'OneWayTranslationConfig',
    'TwoWayTranslationConfig',
    'UploadFileOptions',
    'ListFilesOptions',
    'ListTranscriptionsOptions',
    'TemporaryApiKeyRequest',
    'ListUsageLogsOptions',
    'GetUsageSummaryOptions',
    'GetConcurrentStreamsHistoryOptions',
  ];
  const RESPONSES = [
    'SonioxFileData',
    'ListFilesResponse',
    'FilesCountResponse',
    'SonioxTranscriptionData',
    'ListTranscriptionsResponse',
    'TranscriptionsCountResponse',
    'TranscriptResponse',
    'TranscriptToken',
    'SonioxModel',
    'SonioxLanguage',
    'SonioxTranslationTarget',
    'TemporaryApiKeyResponse',
    'SonioxUsageLog',
    'ListUsageLogsResponse',
    'UsageSummaryResponse',
    'UsageSummaryEntry',
    'ConcurrencyLimitsResponse',
    'ConcurrencyScopeValues',
    'ConcurrencyCurrentValues',
    'ConcurrencyLimitValues',
    'ConcurrentStreamsHistoryResponse',
    'ConcurrentStreamsHistoryEntry',
    'WebhookEvent',
  ];
  const official = shapesOf({
    [OFFICIAL]: ['SttSessionConfig', 'RealtimeToken', 'RealtimeResult', ...REQUESTS, ...RESPONSES],
  }).get(OFFICIAL)!;
  const fieldsOf = (...names: string[]) =>
    names.flatMap((name) => [...official.get(name)!.keys()]).filter((f) => !SDK_ONLY.has(f));

  const openApi = openApiFields();
  const WANTED: Record<string, string[]> = {
    '§13.1': [
      ...keys(createTranscriptionSchema),
      ...keys(createTemporaryKeySchema),
      ...keys(listParamsSchema),
      'general',
      'text',
      'terms',
      'translation_terms',
      'type',
      'target_language',
      'language_a',
      'language_b',
      'file',
      ...fieldsOf(...REQUESTS),
      ...openApi.requests,
    ],
    '§13.2': [
      ...keys(responseSchemas.transcription),
      ...keys(responseSchemas.file),
      ...keys(responseSchemas.transcript),
      ...keys(responseSchemas.transcript.properties.tokens.items),
      ...keys(responseSchemas.temporaryKey),
      ...keys(responseSchemas.apiError),
      'more_info',
      'next_page_cursor',
      ...fieldsOf(...RESPONSES),
      ...openApi.responses,
    ],
    '§13.3': [...keys(realtimeConfigSchema), ...fieldsOf('SttSessionConfig')],
    '§13.4': ['finalize', ...finalizeFields(), 'keepalive', '""'],
    '§13.5': [
      ...fieldsOf('RealtimeToken'),
      ...fieldsOf('RealtimeResult'),
      'error_code',
      'error_message',
      'error_type',
      'request_id',
      'more_info',
      '<end>',
      '<fin>',
    ],
  };

  for (const [table, wanted] of Object.entries(WANTED)) {
    it(`${table} has a row for every field`, () => {
      const rows = tables().get(table) ?? [];
      const named = new Set(rows.flatMap((r) => r.names));
      expect(
        [...new Set(wanted)].filter((f) => !named.has(f)),
        `fields with no row`,
      ).to.deep.equal([]);
    });
  }

  it('names only spec files that exist, and no mock cell waits on a change already made', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
    const table = text.slice(text.indexOf('## §13 Conformance table'));
    const named = [...table.matchAll(/`(spec\/[\w/.-]+\.spec\.ts)`/g)].map((m) => m[1]!);
    expect(named.length).to.be.greaterThan(0);
    for (const file of named) expect(fs.existsSync(path.join(ROOT, file)), file).to.equal(true);
    for (const [name, rows] of tables())
      for (const { names, cells } of rows)
        expect(cells[3] ?? '', `${name} ${names.join(', ')}`).not.to.match(
          /issue 28 (makes|adds|reworks|aligns)|in this revision/,
        );
  });

  it('every row names the spec that asserts its mock column', () => {
    const unnamed: string[] = [];
    for (const [table, rows] of tables())
      for (const { names, cells } of rows)
        if (!/`spec\/[\w/.-]+\.spec\.ts`/.test(cells[3] ?? ''))
          unnamed.push(`${table} ${names.join(', ')}`);
    expect(unnamed, 'rows whose mock column names no spec').to.deep.equal([]);
  });

  it('every row quotes the documentation and says what the SDK and the mock do', () => {
    for (const [table, rows] of tables()) {
      if (!(table in WANTED)) continue;
      for (const { names, cells } of rows) {
        const where = `${table} ${names.join(', ')}`;
        expect(cells, where).to.have.length(4);
        expect(cells[1], `${where}: the documentation's words, quoted`).to.match(/"[^"]+"/);
        expect(cells[2], `${where}: the SDK`).to.match(SDK_WORDS);
        expect(cells[3], `${where}: the mock`).to.match(MOCK_WORDS);
      }
    }
  });
});

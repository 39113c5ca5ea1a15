import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { requestSchemas, responseSchemas } from '../../lib/schemas';

/**
 * Compares the SDK's own schemas with the OpenAPI document Soniox publishes. Responses: the SDK
 * requires no field the API does not promise, and accepts every type the API may send.
 * Requests: the SDK requires exactly what the API requires, and never sends a type the API
 * would refuse.
 *
 * The document is reference data kept beside the repository, not in it
 * (`../shared/reference/soniox-openapi.json` from the clone's root): it is Soniox's, and it is
 * the one file outside the repository that anything here reads. Locally, without it, this
 * spec is skipped and says why; under CI=true its absence fails the run, because CI always
 * provides it.
 */
const OPENAPI = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'reference',
  'soniox-openapi.json',
);

type Schema = Record<string, unknown>;

describe('schemas vs the published OpenAPI document', function () {
  if (!fs.existsSync(OPENAPI)) {
    if (process.env.CI === 'true') {
      // CI always provides the reference data beside the clone: its absence there is a broken setup, not a reason to skip.
      it('finds the OpenAPI reference document (CI)', () => {
        throw new Error(
          `missing ${OPENAPI}: CI must run with shared/reference beside the repository`,
        );
      });
      return;
    }
    it.skip(`needs ${OPENAPI} (reference data kept outside the repository)`); // Skipped: the document is reference data outside this repository (CI has it and fails without it, above).
    return;
  }
  const components = (
    JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) as {
      components: { schemas: Record<string, Schema> };
    }
  ).components.schemas;

  const resolve = (s: Schema): Schema => {
    const ref = s.$ref as string | undefined;
    if (!ref) return s;
    const target = components[ref.split('/').pop() ?? ''];
    if (!target) throw new Error(`${ref} names no schema of the document`);
    return resolve(target);
  };
  const typesOf = (raw: Schema | undefined): Set<string> => {
    if (!raw) return new Set();
    const s = resolve(raw);
    const out = new Set<string>();
    for (const branch of (s.anyOf ?? s.oneOf ?? []) as Schema[])
      for (const t of typesOf(branch)) out.add(t);
    if (typeof s.type === 'string') out.add(s.type);
    if (Array.isArray(s.enum)) for (const v of s.enum) out.add(v === null ? 'null' : typeof v);
    if (s.const !== undefined) out.add(typeof s.const);
    if (s.properties && !s.type) out.add('object');
    return out;
  };
  const covers = (wide: Set<string>, narrow: Set<string>) =>
    [...narrow].every((t) => wide.has(t) || (t === 'integer' && wide.has('number')));

  const pairs: Array<[string, Schema, string, 'response' | 'request']> = [
    ['file', responseSchemas.file, 'File', 'response'],
    ['fileList', responseSchemas.fileList, 'GetFilesResponse', 'response'],
    ['transcription', responseSchemas.transcription, 'Transcription', 'response'],
    [
      'transcriptionList',
      responseSchemas.transcriptionList,
      'GetTranscriptionsResponse',
      'response',
    ],
    ['transcript', responseSchemas.transcript, 'TranscriptionTranscript', 'response'],
    [
      'transcript token',
      responseSchemas.transcript.properties.tokens.items,
      'TranscriptionTranscriptToken',
      'response',
    ],
    ['modelList', responseSchemas.modelList, 'GetModelsResponse', 'response'],
    ['count (files)', responseSchemas.count, 'GetFilesCountResponse', 'response'],
    ['count (transcriptions)', responseSchemas.count, 'GetTranscriptionsCountResponse', 'response'],
    ['model', responseSchemas.modelList.properties.models.items, 'Model', 'response'],
    ['temporaryKey', responseSchemas.temporaryKey, 'CreateTemporaryApiKeyResponse', 'response'],
    ['apiError', responseSchemas.apiError, 'ApiError', 'response'],
    [
      'createTranscription',
      requestSchemas.createTranscription,
      'CreateTranscriptionPayload',
      'request',
    ],
    [
      'createTemporaryKey',
      requestSchemas.createTemporaryKey,
      'CreateTemporaryApiKeyPayload',
      'request',
    ],
  ];

  for (const [name, ours, theirsName, direction] of pairs) {
    it(`${name} agrees with ${theirsName} on required fields and types`, () => {
      const theirs = components[theirsName];
      expect(theirs, theirsName).to.be.an('object');
      const ourRequired = (ours.required ?? []) as string[];
      const theirRequired = (theirs!.required ?? []) as string[];
      if (direction === 'response') expect(theirRequired).to.include.members(ourRequired);
      else expect([...ourRequired].sort()).to.deep.equal([...theirRequired].sort());
      const ourProps = (ours.properties ?? {}) as Record<string, Schema>;
      const theirProps = (theirs!.properties ?? {}) as Record<string, Schema>;
      if (direction === 'request')
        expect(Object.keys(ourProps).sort()).to.deep.equal(Object.keys(theirProps).sort());
      for (const [prop, schema] of Object.entries(ourProps)) {
        if (!theirProps[prop]) continue;
        const ourTypes = typesOf(schema);
        const theirTypes = typesOf(theirProps[prop]);
        const ok =
          direction === 'response' ? covers(ourTypes, theirTypes) : covers(theirTypes, ourTypes);
        expect(
          ok,
          `${name}.${prop}: ours ${[...ourTypes].join(',')} vs theirs ${[...theirTypes].join(',')}`,
        ).to.equal(true);
      }
    });
  }
});

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { requestSchemas, responseSchemas } from '../../lib/schemas';
import { digestOf, typesOf, type ComponentDigest, type Schema } from './openapi-digest';

/**
 * Compares the SDK's own schemas with the OpenAPI document Soniox publishes. Responses: the SDK
 * requires no field the API does not promise, and accepts every type the API may send.
 * Requests: the SDK requires exactly what the API requires, and never sends a type the API
 * would refuse.
 *
 * The comparison reads fixtures/openapi-digest.json (see openapi-digest.ts): the required fields
 * and property types of the components it compares, so it runs in every checkout. The document
 * itself is reference data kept beside the repository, not in it
 * (`../shared/reference/soniox-openapi.json` from the clone's root); where it is present the
 * digest is checked against it, and under CI=true its absence fails the run, because CI always
 * provides it. `UPDATE_OPENAPI_DIGEST=1` rewrites the digest from the document.
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
const DIGEST = path.join(__dirname, '..', '..', 'fixtures', 'openapi-digest.json');

describe('schemas vs the published OpenAPI document', function () {
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

  const names = [...new Set(pairs.map(([, , theirs]) => theirs))];

  if (fs.existsSync(OPENAPI)) {
    it('the digest says what the document says (UPDATE_OPENAPI_DIGEST=1 rewrites it)', () => {
      const doc = JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) as Parameters<typeof digestOf>[0];
      const fresh = digestOf(doc, names);
      if (process.env.UPDATE_OPENAPI_DIGEST === '1')
        fs.writeFileSync(DIGEST, `${JSON.stringify(fresh, null, 2)}\n`);
      expect(JSON.parse(fs.readFileSync(DIGEST, 'utf8'))).to.deep.equal(fresh);
    });
  } else if (process.env.CI === 'true') {
    // CI always provides the reference data beside the clone: its absence there is a broken setup.
    it('finds the OpenAPI reference document (CI)', () => {
      throw new Error(
        `missing ${OPENAPI}: CI must run with shared/reference beside the repository`,
      );
    });
  }
  // Elsewhere, without the document, the comparison below still runs on the committed digest.

  const digest = JSON.parse(fs.readFileSync(DIGEST, 'utf8')) as Record<string, ComponentDigest>;
  for (const [name, ours, theirsName, direction] of pairs) {
    it(`${name} agrees with ${theirsName} on required fields and types`, () => {
      const theirs = digest[theirsName];
      expect(theirs, theirsName).to.be.an('object');
      const ourRequired = (ours.required ?? []) as string[];
      const theirRequired = theirs!.required;
      if (direction === 'response') expect(theirRequired).to.include.members(ourRequired);
      else expect([...ourRequired].sort()).to.deep.equal([...theirRequired].sort());
      const ourProps = (ours.properties ?? {}) as Record<string, Schema>;
      const theirProps = theirs!.properties;
      if (direction === 'request')
        expect(Object.keys(ourProps).sort()).to.deep.equal(Object.keys(theirProps).sort());
      for (const [prop, schema] of Object.entries(ourProps)) {
        if (!theirProps[prop]) continue;
        const ourTypes = typesOf(schema);
        const theirTypes = new Set(theirProps[prop]);
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

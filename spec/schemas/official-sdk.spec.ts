/**
 * The official SDK as an oracle (issue 28, item 3): our realtime start-message schema and REST
 * types, field by field, against the types `@soniox/node` publishes (its dist/index.d.mts, read
 * with the TypeScript compiler API): names, optionality, string enums. A field Soniox adds or
 * renames fails here with the field named, not as a user's bug report. The differences we keep
 * on purpose are listed below with their reason; one that stops holding fails too.
 */
import { expect } from 'chai';
import path from 'node:path';
import { CONTAINER_AUDIO_FORMATS, RAW_AUDIO_FORMATS } from '../../lib/audio';
import { realtimeConfigSchema } from '../../lib/schemas';
import { shapesOf, type FieldShape, type Shapes } from './dts-shape';

const ROOT = path.join(__dirname, '..', '..');
const OFFICIAL = path.join(ROOT, 'node_modules', '@soniox', 'node', 'dist', 'index.d.mts');
const OURS = path.join(ROOT, 'lib', 'types.ts');

/** Our type (lib/types.ts) and the official one it stands for. */
const PAIRS = [
  ['CreateTranscriptionParams', 'CreateTranscriptionOptions'],
  ['Transcription', 'SonioxTranscriptionData'],
  ['SonioxFile', 'SonioxFileData'],
  ['Model', 'SonioxModel'],
  ['TranscriptToken', 'TranscriptToken'],
  ['Transcript', 'TranscriptResponse'],
  ['StructuredContext', 'TranscriptionContext'],
  ['CreateTemporaryKeyParams', 'TemporaryApiKeyRequest'],
  ['TemporaryKey', 'TemporaryApiKeyResponse'],
  ['RealtimeToken', 'RealtimeToken'],
  ['RealtimeMessage', 'RealtimeResult'],
] as const;

/** Differences kept on purpose, each with its reason (docs/api.md). */
const KNOWN: Record<string, string> = {
  'CreateTranscriptionParams.model: optional in ours, required in theirs':
    'defaults to the client’s asyncModel',
  'TranscriptToken.confidence: optional in ours, required in theirs':
    'translated tokens may lack it (docs/api.md §5)',
  'RealtimeToken.confidence: optional in ours, required in theirs':
    'translated tokens may lack it (docs/api.md §8.4)',
  'Model.supports_endpoint_sensitivity: optional in ours, required in theirs':
    'newer revisions only (docs/api.md §6): older answers lack it',
  'Model.supports_endpoint_latency_adjustment: optional in ours, required in theirs':
    'newer revisions only (docs/api.md §6)',
  'Model.endpoint_latency_adjustment_max_level: optional in ours, required in theirs':
    'newer revisions only (docs/api.md §6)',
  'RealtimeMessage.final_audio_proc_ms: optional in ours, required in theirs':
    'an error frame has none (one type for results and errors)',
  'RealtimeMessage.total_audio_proc_ms: optional in ours, required in theirs':
    'an error frame has none',
  'RealtimeMessage.error_code: ours only': 'errors come on the same frames (docs/api.md §8.5)',
  'RealtimeMessage.error_message: ours only': 'as error_code',
  'RealtimeMessage.error_type: ours only': 'richer error frames (docs/api.md §8.5)',
  'RealtimeMessage.more_info: ours only': 'richer error frames',
  'RealtimeMessage.request_id: ours only': 'richer error frames',
  'start message.api_key: ours only':
    'the classic key field (docs/api.md §8.1); theirs sends it outside its config type',
  'start message.audio_format: required in ours, optional in theirs':
    'the documentation requires it; both SDKs fill in auto',
};

function compare(where: string, ours: Map<string, FieldShape>, theirs: Map<string, FieldShape>) {
  const found: string[] = [];
  for (const [name, their] of theirs) {
    const our = ours.get(name);
    if (!our) {
      found.push(`${where}.${name}: in @soniox/node, not ours`);
      continue;
    }
    if (our.optional !== their.optional)
      found.push(
        `${where}.${name}: ${our.optional ? 'optional' : 'required'} in ours, ${their.optional ? 'optional' : 'required'} in theirs`,
      );
    const missing = their.literals.filter((l) => !our.literals.includes(l));
    const extra = our.literals.filter((l) => !their.literals.includes(l));
    if (their.literals.length > 0 && !our.open && missing.length > 0)
      found.push(`${where}.${name}: values ${missing.join(', ')} in theirs, not ours`);
    if (extra.length > 0 && !their.open)
      found.push(`${where}.${name}: values ${extra.join(', ')} in ours, not theirs`);
  }
  for (const name of ours.keys()) if (!theirs.has(name)) found.push(`${where}.${name}: ours only`);
  return found;
}

describe('the official SDK’s published types as an oracle (@soniox/node)', () => {
  let official: Shapes;
  let ours: Shapes;
  before(function () {
    this.timeout(60_000); // two programs to type-check
    const shapes = shapesOf({
      [OFFICIAL]: [
        ...PAIRS.map(([, theirs]) => theirs),
        'SttSessionConfig',
        'OneWayTranslationConfig',
        'TwoWayTranslationConfig',
      ],
      [OURS]: PAIRS.map(([mine]) => mine),
    });
    official = shapes.get(OFFICIAL)!;
    ours = shapes.get(OURS)!;
  });

  const differences = (): string[] => {
    const found: string[] = [];
    for (const [mine, theirs] of PAIRS)
      found.push(...compare(mine, ours.get(mine)!, official.get(theirs)!));
    // The start message as sent: our JSON schema's fields and required list.
    const required = new Set<string>(realtimeConfigSchema.required);
    const schemaFields = new Map<string, FieldShape>(
      Object.keys(realtimeConfigSchema.properties).map((name) => [
        name,
        { optional: !required.has(name), literals: [], open: true },
      ]),
    );
    found.push(...compare('start message', schemaFields, official.get('SttSessionConfig')!));
    return found;
  };

  it('finds every field of theirs in ours, with the same optionality, or a known reason', () => {
    const unexplained = differences().filter((d) => !(d in KNOWN));
    expect(unexplained, 'differences from @soniox/node with no reason in KNOWN').to.deep.equal([]);
  });

  it('still finds each known difference (a stale reason is removed, not kept)', () => {
    const found = new Set(differences());
    expect(Object.keys(KNOWN).filter((k) => !found.has(k))).to.deep.equal([]);
  });

  it('has the same audio formats as theirs, and the translation shapes', () => {
    const theirs = official.get('SttSessionConfig')!.get('audio_format')!.literals;
    const mine = ['auto', ...RAW_AUDIO_FORMATS, ...CONTAINER_AUDIO_FORMATS].sort();
    expect(
      theirs.filter((f) => !mine.includes(f)),
      'formats of theirs, not ours',
    ).to.deep.equal([]);
    expect(
      mine.filter((f) => !theirs.includes(f)),
      'formats of ours, not theirs',
    ).to.deep.equal([]);
    const one = [...official.get('OneWayTranslationConfig')!.keys()].sort();
    const two = [...official.get('TwoWayTranslationConfig')!.keys()].sort();
    const props = Object.keys(realtimeConfigSchema.properties.translation.properties);
    expect([...new Set([...one, ...two])].filter((f) => !props.includes(f))).to.deep.equal([]);
  });
});

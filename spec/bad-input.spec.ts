/**
 * Every public function and option refuses bad input before any request: a typed error
 * (SonioxConfigError for client and handler options, SonioxValidationError for call
 * arguments) whose message names the argument at fault. One table, one mock that must stay
 * untouched.
 */
import { expect } from 'chai';
import { SonioxClient } from '../lib/client';
import { SonioxConfigError, SonioxValidationError, SonioxError } from '../lib/errors';
import { fixture, SECRET_KEY } from './helpers';

type Client = SonioxClient;
type ErrorClass = typeof SonioxConfigError | typeof SonioxValidationError;
/** [what is called, the call, the error class, text the message must hold]. */
type Row = [
  string,
  (c: Client, urls: { baseURL: string; realtimeURL: string }) => unknown,
  ErrorClass,
  string,
];

const audio = Buffer.alloc(32_000, 1);
const ID = '00000000-0000-4000-8000-000000000000';
const onEvent = () => undefined;
const auth = { name: 'X-Hook', secret: 'hook-secret' };
const drain = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items) break;
};
/** A client built with these options on top of a valid key and no environment. */
const construct =
  (options: Record<string, unknown>) =>
  (_c: Client, urls: { baseURL: string; realtimeURL: string }) =>
    new SonioxClient({ apiKey: SECRET_KEY, env: {}, ...urls, ...options });
const bare = (options: unknown) => () => new SonioxClient(options as never);

const CONFIG = SonioxConfigError;
const VALID = SonioxValidationError;

const rows: Row[] = [
  // The constructor: unknown names get the closest known one; every option its type.
  [
    'new SonioxClient({ apikey })',
    bare({ apikey: 'k', env: {} }),
    CONFIG,
    'apikey: did you mean apiKey?',
  ],
  [
    'new SonioxClient({ baseUrl })',
    construct({ baseUrl: 'http://x' }),
    CONFIG,
    'baseUrl: did you mean baseURL?',
  ],
  [
    'new SonioxClient({ timeout })',
    construct({ timeout: 5 }),
    CONFIG,
    'timeout: did you mean timeoutMs?',
  ],
  [
    'new SonioxClient({ retries })',
    construct({ retries: 5 }),
    CONFIG,
    'retries: did you mean maxRetries?',
  ],
  [
    'new SonioxClient({ verbose })',
    construct({ verbose: true }),
    CONFIG,
    'verbose is not an option',
  ],
  [
    'new SonioxClient({ retry: { baseDelay } })',
    construct({ retry: { baseDelay: 5 } }),
    CONFIG,
    'retry.baseDelay: did you mean retry.baseDelayMs?',
  ],
  [
    "new SonioxClient({ env: 'production' })",
    bare({ apiKey: 'k', env: 'production' }),
    CONFIG,
    'env must be an object',
  ],
  ["new SonioxClient('key')", bare('key'), CONFIG, 'options must be an object'],
  ['new SonioxClient(null)', bare(null), CONFIG, 'options must be an object'],
  ['new SonioxClient({ apiKey: 5 })', bare({ apiKey: 5, env: {} }), CONFIG, 'apiKey'],
  [
    "new SonioxClient({ region: 'constructor' })",
    construct({ region: 'constructor', baseURL: undefined, realtimeURL: undefined }),
    CONFIG,
    'region must be one of us, eu, jp',
  ],
  [
    "new SonioxClient({ region: 'toString' }) with URLs",
    construct({ region: 'toString' }),
    CONFIG,
    'region must be one of us, eu, jp',
  ],
  ["new SonioxClient({ region: 'mars' })", construct({ region: 'mars' }), CONFIG, 'region'],
  ["new SonioxClient({ baseURL: 'nope' })", construct({ baseURL: 'nope' }), CONFIG, 'baseURL'],
  [
    "new SonioxClient({ realtimeURL: 'http://x' })",
    construct({ realtimeURL: 'http://x' }),
    CONFIG,
    'realtimeURL',
  ],
  ['new SonioxClient({ timeoutMs: 0 })', construct({ timeoutMs: 0 }), CONFIG, 'timeoutMs'],
  [
    'new SonioxClient({ uploadTimeoutMs: -1 })',
    construct({ uploadTimeoutMs: -1 }),
    CONFIG,
    'uploadTimeoutMs',
  ],
  ['new SonioxClient({ maxRetries: 1.5 })', construct({ maxRetries: 1.5 }), CONFIG, 'maxRetries'],
  ["new SonioxClient({ retry: 'fast' })", construct({ retry: 'fast' }), CONFIG, 'retry'],
  [
    "new SonioxClient({ retry: { baseDelayMs: '1' } })",
    construct({ retry: { baseDelayMs: '1' } }),
    CONFIG,
    'retry.baseDelayMs',
  ],
  [
    'new SonioxClient({ retry: { maxDelayMs: -1 } })',
    construct({ retry: { maxDelayMs: -1 } }),
    CONFIG,
    'retry.maxDelayMs',
  ],
  [
    'new SonioxClient({ retry: { maxRetryAfterMs: NaN } })',
    construct({ retry: { maxRetryAfterMs: NaN } }),
    CONFIG,
    'retry.maxRetryAfterMs',
  ],
  ['new SonioxClient({ maxSockets: 0 })', construct({ maxSockets: 0 }), CONFIG, 'maxSockets'],
  [
    'new SonioxClient({ maxFreeSockets: -1 })',
    construct({ maxFreeSockets: -1 }),
    CONFIG,
    'maxFreeSockets',
  ],
  [
    'new SonioxClient({ freeSocketTimeoutMs: 0 })',
    construct({ freeSocketTimeoutMs: 0 }),
    CONFIG,
    'freeSocketTimeoutMs',
  ],
  [
    "new SonioxClient({ validateResponses: 'yes' })",
    construct({ validateResponses: 'yes' }),
    CONFIG,
    'validateResponses',
  ],
  ["new SonioxClient({ asyncModel: '' })", construct({ asyncModel: '' }), CONFIG, 'asyncModel'],
  [
    'new SonioxClient({ realtimeModel: 5 })',
    construct({ realtimeModel: 5 }),
    CONFIG,
    'realtimeModel',
  ],
  ['new SonioxClient({ onRequest: 5 })', construct({ onRequest: 5 }), CONFIG, 'onRequest'],
  ["new SonioxClient({ onResponse: 'x' })", construct({ onResponse: 'x' }), CONFIG, 'onResponse'],
  ['new SonioxClient({ onRetry: {} })', construct({ onRetry: {} }), CONFIG, 'onRetry'],

  // files
  [
    'files.upload(buf, null)',
    (c) => c.files.upload(audio, null as never),
    VALID,
    'options must be an object',
  ],
  [
    "files.upload(buf, 'x')",
    (c) => c.files.upload(audio, 'x' as never),
    VALID,
    'options must be an object',
  ],
  ['files.upload(null)', (c) => c.files.upload(null as never), VALID, 'source'],
  [
    'files.upload(buf, { contentType: 5 })',
    (c) => c.files.upload(audio, { contentType: 5 as never }),
    VALID,
    'contentType',
  ],
  [
    "files.upload(buf, { contentType: 'a\\nb' })",
    (c) => c.files.upload(audio, { contentType: 'audio/wav\r\nX: y' }),
    VALID,
    'contentType',
  ],
  [
    "files.upload(buf, { onProgress: 'bar' })",
    (c) => c.files.upload(audio, { onProgress: 'bar' as never }),
    VALID,
    'onProgress',
  ],
  [
    'files.upload(buf, { filename: 5 })',
    (c) => c.files.upload(audio, { filename: 5 as never }),
    VALID,
    'filename',
  ],
  ['files.upload(buf, { size: -1 })', (c) => c.files.upload(audio, { size: -1 }), VALID, 'size'],
  [
    'files.upload(buf, { client_reference_id: 5 })',
    (c) => c.files.upload(audio, { client_reference_id: 5 as never }),
    VALID,
    'client_reference_id',
  ],
  [
    'files.upload(buf, { signal: {} })',
    (c) => c.files.upload(audio, { signal: {} as never }),
    VALID,
    'signal',
  ],
  [
    'files.upload(buf, { timeoutMs: 0 })',
    (c) => c.files.upload(audio, { timeoutMs: 0 }),
    VALID,
    'timeoutMs',
  ],
  [
    'files.upload(buf, { maxRetries: -1 })',
    (c) => c.files.upload(audio, { maxRetries: -1 }),
    VALID,
    'maxRetries',
  ],
  ['files.get(null)', (c) => c.files.get(null as never), VALID, 'id'],
  ["files.get(id, 'x')", (c) => c.files.get(ID, 'x' as never), VALID, 'options must be an object'],
  ['files.delete(5)', (c) => c.files.delete(5 as never), VALID, 'id'],
  ["files.list('x')", (c) => c.files.list('x' as never), VALID, 'params must be an object'],
  ['files.list({ limit: 0 })', (c) => c.files.list({ limit: 0 }), VALID, 'limit'],
  ['files.list({}, 5)', (c) => c.files.list({}, 5 as never), VALID, 'options must be an object'],
  [
    'files.iterate(null)',
    (c) => drain(c.files.iterate(null as never)),
    VALID,
    'params must be an object',
  ],
  [
    'files.iterate({ limit: 5000 })',
    (c) => drain(c.files.iterate({ limit: 5000 })),
    VALID,
    'limit',
  ],
  ["files.count('x')", (c) => c.files.count('x' as never), VALID, 'options must be an object'],

  // transcriptions
  [
    'transcriptions.create(null)',
    (c) => c.transcriptions.create(null as never),
    VALID,
    'params must be an object',
  ],
  ['transcriptions.create({})', (c) => c.transcriptions.create({}), VALID, 'file_id'],
  [
    'transcriptions.create({ model: 5 })',
    (c) => c.transcriptions.create({ file_id: ID, model: 5 as never }),
    VALID,
    'model',
  ],
  [
    "transcriptions.create(ok, 'x')",
    (c) => c.transcriptions.create({ file_id: ID }, 'x' as never),
    VALID,
    'options must be an object',
  ],
  ["transcriptions.get('')", (c) => c.transcriptions.get(''), VALID, 'id'],
  ['transcriptions.delete(null)', (c) => c.transcriptions.delete(null as never), VALID, 'id'],
  [
    'transcriptions.getTranscript(5)',
    (c) => c.transcriptions.getTranscript(5 as never),
    VALID,
    'id',
  ],
  [
    'transcriptions.list({ cursor: 5 })',
    (c) => c.transcriptions.list({ cursor: 5 as never }),
    VALID,
    'cursor',
  ],
  [
    'transcriptions.iterate(5)',
    (c) => drain(c.transcriptions.iterate(5 as never)),
    VALID,
    'params must be an object',
  ],
  ["transcriptions.wait('')", (c) => c.transcriptions.wait(''), VALID, 'id'],
  [
    'transcriptions.wait(id, { pollIntervalMs: 0 })',
    (c) => c.transcriptions.wait(ID, { pollIntervalMs: 0 }),
    VALID,
    'pollIntervalMs',
  ],
  [
    'transcriptions.count(5)',
    (c) => c.transcriptions.count(5 as never),
    VALID,
    'options must be an object',
  ],

  // models, auth
  [
    "models.list('fast')",
    (c) => c.models.list('fast' as never),
    VALID,
    'options must be an object',
  ],
  [
    'auth.createTemporaryKey(null)',
    (c) => c.auth.createTemporaryKey(null as never),
    VALID,
    'params must be an object',
  ],
  [
    'auth.createTemporaryKey({ expires_in_seconds: 0 })',
    (c) => c.auth.createTemporaryKey({ usage_type: 'transcribe_websocket', expires_in_seconds: 0 }),
    VALID,
    'expires_in_seconds',
  ],
  [
    "auth.createTemporaryKey(ok, 'x')",
    (c) =>
      c.auth.createTemporaryKey(
        { usage_type: 'transcribe_websocket', expires_in_seconds: 60 },
        'x' as never,
      ),
    VALID,
    'options must be an object',
  ],

  // webhooks
  [
    'webhooks.verify(null, auth)',
    (c) => c.webhooks.verify(null as never, auth),
    VALID,
    'headers must be an object',
  ],
  [
    "webhooks.verify({}, { name: 'bad name' })",
    (c) => c.webhooks.verify({}, { name: 'bad name', secret: 's' }),
    CONFIG,
    'header name',
  ],
  [
    'webhooks.handler()',
    (c) => c.webhooks.handler(undefined as never),
    CONFIG,
    'options must be an object',
  ],
  [
    'webhooks.handler({})',
    (c) => c.webhooks.handler({} as never),
    CONFIG,
    'onEvent must be a function',
  ],
  [
    'webhooks.handler({ onEvent: 5 })',
    (c) => c.webhooks.handler({ onEvent: 5 as never }),
    CONFIG,
    'onEvent must be a function',
  ],
  [
    'webhooks.handler({ onEvnt })',
    (c) => c.webhooks.handler({ onEvent, onEvnt: onEvent } as never),
    CONFIG,
    'onEvnt: did you mean onEvent?',
  ],
  [
    "webhooks.handler({ onError: 'log' })",
    (c) => c.webhooks.handler({ onEvent, onError: 'log' as never }),
    CONFIG,
    'onError must be a function',
  ],
  [
    'webhooks.handler({ maxBodyBytes: 0 })',
    (c) => c.webhooks.handler({ onEvent, maxBodyBytes: 0 }),
    CONFIG,
    'maxBodyBytes',
  ],
  [
    "webhooks.handler({ auth: 'x' })",
    (c) => c.webhooks.handler({ onEvent, auth: 'x' as never }),
    CONFIG,
    'webhook auth',
  ],

  // transcribe
  [
    'transcribe(buf, null)',
    (c) => c.transcribe(audio, null as never),
    VALID,
    'options must be an object',
  ],
  ['transcribe(null)', (c) => c.transcribe(null as never), VALID, 'source'],
  [
    'transcribe({ audio_url: 5 })',
    (c) => c.transcribe({ audio_url: 5 as never }),
    VALID,
    'audio_url',
  ],
  ["transcribe({ file_id: '' })", (c) => c.transcribe({ file_id: '' }), VALID, 'file_id'],
  [
    "transcribe(buf, { cleanup: 'yes' })",
    (c) => c.transcribe(audio, { cleanup: 'yes' as never }),
    VALID,
    'cleanup',
  ],
  [
    'transcribe(buf, { onProgress: 5 })',
    (c) => c.transcribe(audio, { onProgress: 5 as never }),
    VALID,
    'onProgress',
  ],
  [
    'transcribe(buf, { filename: 5 })',
    (c) => c.transcribe(audio, { filename: 5 as never }),
    VALID,
    'filename',
  ],
  [
    "transcribe(buf, { size: 'x' })",
    (c) => c.transcribe(audio, { size: 'x' as never }),
    VALID,
    'size',
  ],
  [
    'transcribe(buf, { signal: 5 })',
    (c) => c.transcribe(audio, { signal: 5 as never }),
    VALID,
    'signal',
  ],
  [
    'transcribe(buf, { onStatus: 5 })',
    (c) => c.transcribe(audio, { onStatus: 5 as never }),
    VALID,
    'onStatus',
  ],
  [
    'transcribe(buf, { onCleanupError: 5 })',
    (c) => c.transcribe(audio, { onCleanupError: 5 as never }),
    VALID,
    'onCleanupError',
  ],
  [
    'transcribe(buf, { model: 5 })',
    (c) => c.transcribe(audio, { model: 5 as never }),
    VALID,
    'model',
  ],

  // realtime
  ["realtime('pcm')", (c) => c.realtime('pcm' as never), VALID, 'config must be an object'],
  ['realtime(5)', (c) => c.realtime(5 as never), VALID, 'config must be an object'],
  ['realtime(null)', (c) => c.realtime(null as never), VALID, 'config must be an object'],
];

describe('bad input: every public function and option', () => {
  const t = fixture();

  for (const [what, call, type, text] of rows) {
    it(`${what} is refused with ${type.name} naming "${text}", before any request`, async () => {
      const urls = { baseURL: t.server.url, realtimeURL: t.server.realtimeURL };
      let error: unknown;
      try {
        await call(t.client, urls);
      } catch (e) {
        error = e;
      }
      expect(error, 'an error').to.be.instanceOf(type);
      expect((error as SonioxError).message).to.include(text);
      expect(t.server.state.hits, 'requests the mock saw').to.deep.equal({});
      expect(String((error as Error).message)).not.to.include(SECRET_KEY);
    });
  }
});

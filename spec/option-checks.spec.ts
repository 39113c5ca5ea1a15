/**
 * One style of option checks (docs/design.md, "Checks"): every problem of one call is collected
 * first, then the call is refused once, with one error that names them all (not only the first
 * found). Each row passes two bad options to one call; the error class is the one a single bad
 * option gets (spec/bad-input.spec.ts), and no request is made.
 */
import { expect } from 'chai';
import { SonioxClient } from '../lib/client';
import { SonioxConfigError, SonioxValidationError, type SonioxError } from '../lib/errors';
import { fixture, SECRET_KEY } from './helpers';

type ErrorClass = typeof SonioxConfigError | typeof SonioxValidationError;
/** [what is called, the call, the error class, the two names the one message must hold]. */
type Row = [string, (c: SonioxClient, urls: Urls) => unknown, ErrorClass, [string, string]];
type Urls = { baseURL: string; realtimeURL: string };

const audio = Buffer.alloc(32_000, 1);
const ID = '00000000-0000-4000-8000-000000000000';
const construct = (options: Record<string, unknown>) => (_c: SonioxClient, urls: Urls) =>
  new SonioxClient({ apiKey: SECRET_KEY, env: {}, ...urls, ...options });
/** Pulls the first result of a batch (its checks may throw at the call or at the first pull). */
const first = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items) break;
};

const CONFIG = SonioxConfigError;
const VALID = SonioxValidationError;

const rows: Row[] = [
  [
    'new SonioxClient({ timeoutMs: -1, maxSockets: 0 })',
    construct({ timeoutMs: -1, maxSockets: 0 }),
    CONFIG,
    ['timeoutMs', 'maxSockets'],
  ],
  [
    'new SonioxClient({ verbose, uploadTimeoutMs: 0 })',
    construct({ verbose: true, uploadTimeoutMs: 0 }),
    CONFIG,
    ['verbose', 'uploadTimeoutMs'],
  ],
  [
    "new SonioxClient({ region: 'xx', retry: { baseDelay } })",
    construct({ region: 'xx', retry: { baseDelay: 1 } }),
    CONFIG,
    ['region', 'retry.baseDelay'],
  ],
  [
    'new SonioxClient({ onRetry: 5, asyncModel: "" })',
    construct({ onRetry: 5, asyncModel: '' }),
    CONFIG,
    ['onRetry', 'asyncModel'],
  ],
  [
    'webhooks.handler({ onEvent: 5, onError: 5 })',
    (c) => c.webhooks.handler({ onEvent: 5, onError: 5 } as never),
    CONFIG,
    ['onEvent', 'onError'],
  ],
  [
    'webhooks.handler({ onEvent: 5, maxBodyBytes: 0 })',
    (c) => c.webhooks.handler({ onEvent: 5, maxBodyBytes: 0 } as never),
    CONFIG,
    ['onEvent', 'maxBodyBytes'],
  ],
  [
    'files.upload(buf, { timeoutMs: 0, contentType: 5 })',
    (c) => c.files.upload(audio, { timeoutMs: 0, contentType: 5 as never }),
    VALID,
    ['timeoutMs', 'contentType'],
  ],
  [
    'files.list(null, { maxRetries: -1 })',
    (c) => c.files.list(null as never, { maxRetries: -1 }),
    VALID,
    ['params', 'maxRetries'],
  ],
  [
    'files.deleteAll({ signal: {}, concurrency: 0 })',
    (c) => c.files.deleteAll({ signal: {} as never, concurrency: 0 }),
    VALID,
    ['signal', 'concurrency'],
  ],
  [
    'transcriptions.create({ model: 5 }, { timeoutMs: 0 })',
    (c) => c.transcriptions.create({ model: 5 as never, file_id: ID }, { timeoutMs: 0 }),
    VALID,
    ['model', 'timeoutMs'],
  ],
  [
    'auth.createTemporaryKey({ expires_in_seconds: 0 }, { maxRetries: -1 })',
    (c) =>
      c.auth.createTemporaryKey(
        { usage_type: 'transcribe_websocket', expires_in_seconds: 0 },
        { maxRetries: -1 },
      ),
    VALID,
    ['expires_in_seconds', 'maxRetries'],
  ],
  [
    "transcribe(buf, { cleanup: 'x', timeoutMs: 0 })",
    (c) => c.transcribe(audio, { cleanup: 'x' as never, timeoutMs: 0 }),
    VALID,
    ['cleanup', 'timeoutMs'],
  ],
  [
    'transcribe(buf, { onCreated: 5, model: 5 })',
    (c) => c.transcribe(audio, { onCreated: 5 as never, model: 5 as never }),
    VALID,
    ['onCreated', 'model'],
  ],
  [
    'transcribeMany([buf], { concurrency: 0, pollIntervalMs: 0 })',
    (c) => first(c.transcribeMany([audio], { concurrency: 0, pollIntervalMs: 0 })),
    VALID,
    ['concurrency', 'pollIntervalMs'],
  ],
  [
    'transcribeMany([buf], { total: -1, model: 5 })',
    (c) => first(c.transcribeMany([audio], { total: -1, model: 5 as never })),
    VALID,
    ['total', 'model'],
  ],
];

describe('option checks: every problem of a call in one error', () => {
  const t = fixture();

  for (const [what, call, type, [one, two]] of rows) {
    it(`${what}: one ${type.name} naming ${one} and ${two}`, async () => {
      const urls = { baseURL: t.server.url, realtimeURL: t.server.realtimeURL };
      let error: unknown;
      try {
        await call(t.client, urls);
      } catch (e) {
        error = e;
      }
      expect(error, 'an error').to.be.instanceOf(type);
      const { message } = error as SonioxError;
      expect(message).to.include(one).and.to.include(two);
      expect(message).not.to.include(SECRET_KEY);
      // `option` names one of them (the first the checks meet, as when it was the only one).
      if (error instanceof SonioxConfigError) expect([one, two]).to.include(error.option);
      const fields = (error as { issues: Array<{ field: string }> }).issues.map((i) => i.field);
      expect(fields).to.include(one).and.to.include(two);
      expect(t.server.state.hits, 'requests the mock saw').to.deep.equal({});
    });
  }

  it('webhooks.handler with a bad auth name and a blank secret: one SonioxConfigError naming both', () => {
    let error: unknown;
    try {
      t.client.webhooks.handler({ onEvent: () => undefined, auth: { name: 'a b', secret: '' } });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SonioxConfigError);
    expect((error as SonioxConfigError).message)
      .to.include('webhook auth name')
      .and.to.include('webhook auth secret');
    expect((error as SonioxConfigError).issues).to.have.length(2);
  });
});

/**
 * One table over every network method: a bad per-call option (a signal that is not an
 * AbortSignal, a timeout Node timers cannot hold, a negative retry count, a null options
 * object where one is required) is a SonioxValidationError naming it, before any request.
 */
import { assertCallOptions, flowAge, inFlow } from '../lib/http/call-options';
import { MAX_TIMER_MS } from '../lib/internal/sleep';
import { expect } from 'chai';
import type { MockServer } from '../lib/mock';
import type { SonioxClient } from '../lib/client';
import { SonioxValidationError } from '../lib/errors';
import { clientFor, mock, rejection } from './helpers';

const ID = '00000000-0000-4000-8000-000000000000';
type Call = (client: SonioxClient, options: never) => Promise<unknown>;
const METHODS: Array<[string, Call]> = [
  ['models.list', (c, o) => c.models.list(o)],
  ['files.get', (c, o) => c.files.get(ID, o)],
  ['files.list', (c, o) => c.files.list({}, o)],
  ['files.delete', (c, o) => c.files.delete(ID, o)],
  ['files.upload', (c, o) => c.files.upload(Buffer.alloc(10, 1), o)],
  ['transcriptions.get', (c, o) => c.transcriptions.get(ID, o)],
  ['transcriptions.list', (c, o) => c.transcriptions.list({}, o)],
  [
    'transcriptions.create',
    (c, o) => c.transcriptions.create({ audio_url: 'https://example.com/a.mp3' }, o),
  ],
  ['transcriptions.delete', (c, o) => c.transcriptions.delete(ID, o)],
  ['transcriptions.getTranscript', (c, o) => c.transcriptions.getTranscript(ID, o)],
  [
    'auth.createTemporaryKey',
    (c, o) =>
      c.auth.createTemporaryKey({ usage_type: 'transcribe_websocket', expires_in_seconds: 60 }, o),
  ],
];
const BAD: Array<[string, Record<string, unknown>]> = [
  ['signal', { signal: { aborted: false } }],
  ['timeoutMs', { timeoutMs: 3e9 }],
  ['timeoutMs', { timeoutMs: 0 }],
  ['timeoutMs', { timeoutMs: '100' }],
  ['maxRetries', { maxRetries: -1 }],
  ['maxRetries', { maxRetries: 1.5 }],
];

describe('every network method refuses bad call options before any request', () => {
  // One server for the file rather than fixture()'s one per spec: no spec may reach it (each
  // checks that nothing was sent), so a fresh one per spec would only cost time; mocha runs
  // `after` whatever the specs' outcome.
  let server: MockServer;
  let client: SonioxClient;
  before(async () => {
    server = await mock();
    client = clientFor(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  for (const [name, call] of METHODS) {
    for (const [field, options] of BAD) {
      it(`${name} with ${JSON.stringify(options)}`, async () => {
        const before = Object.values(server.state.hits).reduce((a, b) => a + b, 0);
        const error = await rejection(call(client, options as never));
        expect(error, String(error)).to.be.instanceOf(SonioxValidationError);
        expect(error.message).to.include(field);
        expect(Object.values(server.state.hits).reduce((a, b) => a + b, 0)).to.equal(before);
      });
    }
  }
});

describe('assertCallOptions, exactly', () => {
  const problems = (options: object) => {
    try {
      assertCallOptions('GET /v1/x', options);
      return [];
    } catch (error) {
      return (error as SonioxValidationError).issues.map((i) => i.field);
    }
  };

  it('takes the edges of every range', () => {
    for (const options of [
      {},
      { timeoutMs: 1 },
      { timeoutMs: MAX_TIMER_MS },
      { maxRetries: 0 },
      { signal: new AbortController().signal },
    ]) {
      expect(problems(options), JSON.stringify(options)).to.deep.equal([]);
    }
  });

  it('refuses just past them, and says all that is wrong in one message', () => {
    expect(problems({ timeoutMs: 0.5 })).to.deep.equal(['timeoutMs']);
    expect(problems({ timeoutMs: MAX_TIMER_MS + 1 })).to.deep.equal(['timeoutMs']);
    expect(problems({ timeoutMs: Infinity })).to.deep.equal(['timeoutMs']);
    expect(problems({ timeoutMs: NaN })).to.deep.equal(['timeoutMs']);
    expect(problems({ maxRetries: -1 })).to.deep.equal(['maxRetries']);
    expect(problems({ headers: 'X-Tenant: a' })).to.deep.equal(['headers']);
    expect(problems({ headers: { Authorization: 'Bearer x' } })).to.deep.equal([
      'headers.Authorization',
    ]);
    expect(problems({ onResponse: 'log' })).to.deep.equal(['onResponse']);
    expect(() =>
      assertCallOptions('GET /v1/x', {
        signal: {} as AbortSignal,
        timeoutMs: '5' as never,
        maxRetries: 1.5,
      }),
    ).to.throw(
      SonioxValidationError,
      `GET /v1/x: invalid options: signal must be an AbortSignal; timeoutMs must be a number of ms from 1 to ${MAX_TIMER_MS}; maxRetries must be an integer >= 0`,
    );
  });
});

describe('inFlow', () => {
  it("puts a call in its flow by the flow's ticket, the first flow's 0 included", () => {
    expect(inFlow(3)[flowAge]).to.equal(3);
    expect(inFlow(0)[flowAge]).to.equal(0);
  });

  it('puts a call outside any flow in none: it queues by its own age', () => {
    const options = inFlow(undefined);
    expect(Object.getOwnPropertySymbols(options)).to.deep.equal([]);
    expect(Object.keys(options)).to.deep.equal([]);
  });
});

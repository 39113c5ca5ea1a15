import { expect } from 'chai';
import { SonioxWebSocketError } from '../../lib/errors';
import {
  MAX_TIMER_MS,
  bytesPerMs,
  realtimeConfigIssues,
  frameBytes,
  isRawFormat,
  parseServerMessage,
  splitConfig,
  type RealtimeStreamConfig,
} from '../../lib/realtime/protocol';
import type { RealtimeMessage } from '../../lib/types';

const PCM16 = {
  model: 'stt-rt-v5',
  audio_format: 'pcm_s16le',
  sample_rate: 16000,
  num_channels: 1,
};
const fieldsOf = (options: Record<string, unknown>, start: Record<string, unknown> = PCM16) =>
  realtimeConfigIssues(start, options).map((i) => i.field);

describe('realtime/protocol', () => {
  describe('parseServerMessage: every frame is checked before it is used', () => {
    for (const [what, frame, problem] of [
      ['tokens that are not a list', '{"tokens":{}}', 'tokens is not a list'],
      ['a null token', '{"tokens":[null]}', 'a token is not an object'],
      ['a token that is a string', '{"tokens":["a"]}', 'a token is not an object'],
      ['a token that is a list', '{"tokens":[[]]}', 'a token is not an object'],
      ['a token without text', '{"tokens":[{"is_final":true}]}', 'a token has no text'],
      ['a token whose text is a number', '{"tokens":[{"text":1}]}', 'a token has no text'],
      [
        'a bad token after good ones',
        '{"tokens":[{"text":"a"},{"text":"b"},{"is_final":true}]}',
        'a token has no text',
      ],
      [
        'a non-boolean is_final',
        '{"tokens":[{"text":"a","is_final":"yes"}]}',
        'a token has a non-boolean is_final',
      ],
      [
        'a non-numeric start_ms',
        '{"tokens":[{"text":"a","is_final":true,"start_ms":"0"}]}',
        'a token has a non-numeric start_ms',
      ],
      [
        'a non-finite end_ms',
        '{"tokens":[{"text":"a","is_final":true,"end_ms":"Infinity"}]}',
        'a token has a non-numeric end_ms',
      ],
      [
        'a non-numeric final_audio_proc_ms',
        '{"tokens":[],"final_audio_proc_ms":"5"}',
        'final_audio_proc_ms is not a number',
      ],
      [
        'a non-numeric total_audio_proc_ms',
        '{"tokens":[],"total_audio_proc_ms":[]}',
        'total_audio_proc_ms is not a number',
      ],
      ['a non-boolean finished', '{"tokens":[],"finished":1}', 'finished is not a boolean'],
    ] as const) {
      it(`refuses ${what}, saying ${problem}`, () => {
        const parsed = parseServerMessage(frame);
        expect(parsed).to.be.instanceOf(SonioxWebSocketError);
        expect((parsed as SonioxWebSocketError).message).to.equal(
          `malformed message from the server (${problem})`,
        );
      });
    }

    it('accepts numeric processing times and a finished flag', () => {
      const frame = '{"tokens":[],"final_audio_proc_ms":5,"total_audio_proc_ms":9,"finished":true}';
      expect(parseServerMessage(frame)).to.deep.equal({
        tokens: [],
        final_audio_proc_ms: 5,
        total_audio_proc_ms: 9,
        finished: true,
      });
    });

    it('accepts a result with nulls where the API may send them, and a finished message without tokens', () => {
      const ok = parseServerMessage(
        '{"tokens":[{"text":"a","is_final":true,"start_ms":null,"speaker":null}],"final_audio_proc_ms":null}',
      );
      expect(ok).not.to.be.instanceOf(SonioxWebSocketError);
      expect((parseServerMessage('{"finished":true}') as RealtimeMessage).tokens).to.deep.equal([]);
    });

    it('keeps the API key out of every field of an error frame', () => {
      const key = 'sk-realtime-SECRET-123456';
      const parsed = parseServerMessage(
        JSON.stringify({
          tokens: [],
          error_code: 401,
          error_type: `bad ${key}`,
          error_message: `Invalid API key ${key}.`,
          request_id: `id-${key}`,
        }),
        [key, undefined],
      ) as SonioxWebSocketError;
      expect(parsed).to.be.instanceOf(SonioxWebSocketError);
      expect(JSON.stringify({ ...parsed, message: parsed.message })).not.to.include(key);
      expect(parsed.message).to.include('[REDACTED]');
      expect(parsed.serverCode).to.equal(401);
    });
  });

  describe('realtimeConfigIssues: every timing option and the reconnect policy', () => {
    for (const field of [
      'keepaliveIntervalMs',
      'heartbeatIntervalMs',
      'handshakeTimeoutMs',
      'finishTimeoutMs',
    ]) {
      it(`refuses ${field} that is over 2^31-1 ms, non-finite, zero, negative or not a number`, () => {
        for (const bad of [
          MAX_TIMER_MS + 1,
          3e9,
          Number.POSITIVE_INFINITY,
          Number.NaN,
          0,
          -5,
          '1000',
          null,
        ]) {
          expect(fieldsOf({ [field]: bad }), `${field}=${String(bad)}`).to.deep.equal([field]);
        }
        expect(fieldsOf({ [field]: MAX_TIMER_MS })).to.deep.equal([]);
        expect(fieldsOf({ [field]: 1000 })).to.deep.equal([]);
      });
    }

    it('refuses a keepalive more often than once a second (the API wants at least that much quiet)', () => {
      expect(fieldsOf({ keepaliveIntervalMs: 999 })).to.deep.equal(['keepaliveIntervalMs']);
    });

    it('refuses a highWaterMark that is not a positive number', () => {
      for (const bad of [0, -1, Number.NaN, 'big'])
        expect(fieldsOf({ highWaterMark: bad }), String(bad)).to.deep.equal(['highWaterMark']);
    });

    it('refuses a reconnect policy that is null, not an object, or allows no attempt', () => {
      expect(fieldsOf({ reconnect: null })).to.deep.equal(['reconnect']);
      expect(fieldsOf({ reconnect: true })).to.deep.equal(['reconnect']);
      for (const maxAttempts of [0, -1, 1.5, '3', undefined, 1001]) {
        expect(fieldsOf({ reconnect: { maxAttempts } }), String(maxAttempts)).to.deep.equal([
          'reconnect.maxAttempts',
        ]);
      }
      expect(fieldsOf({ reconnect: { maxAttempts: 1 } })).to.deep.equal([]);
      expect(fieldsOf({ reconnect: undefined })).to.deep.equal([]);
    });

    it('refuses reconnect delays over 2^31-1 ms or non-finite, a buffer that is not a positive integer, a getApiKey that is not a function', () => {
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: 3e9 } })).to.deep.equal([
        'reconnect.baseDelayMs',
      ]);
      expect(
        fieldsOf({ reconnect: { maxAttempts: 2, maxDelayMs: Number.POSITIVE_INFINITY } }),
      ).to.deep.equal(['reconnect.maxDelayMs']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: -1 } })).to.deep.equal([
        'reconnect.baseDelayMs',
      ]);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, maxBufferBytes: 0 } })).to.deep.equal([
        'reconnect.maxBufferBytes',
      ]);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, getApiKey: 'key' } })).to.deep.equal([
        'reconnect.getApiKey',
      ]);
      expect(
        fieldsOf({
          reconnect: {
            maxAttempts: 2,
            baseDelayMs: 0,
            maxDelayMs: 10,
            maxBufferBytes: 1024,
            getApiKey: () => 'k',
          },
        }),
      ).to.deep.equal([]);
    });

    it('refuses reconnection for a container format, whose header only the first session saw', () => {
      expect(
        fieldsOf({ reconnect: { maxAttempts: 2 } }, { model: 'stt-rt-v5', audio_format: 'auto' }),
      ).to.deep.equal(['reconnect']);
    });

    it('refuses auth, tokens, signal and webSocketFactory of the wrong kind', () => {
      expect(fieldsOf({ auth: 'cookie' })).to.deep.equal(['auth']);
      expect(fieldsOf({ tokens: 'some' })).to.deep.equal(['tokens']);
      expect(fieldsOf({ signal: { aborted: false } })).to.deep.equal(['signal']);
      expect(fieldsOf({ webSocketFactory: 'ws' })).to.deep.equal(['webSocketFactory']);
    });

    it('takes SDK options out of the start message and keeps unknown fields in it', () => {
      const factory = () => undefined as never;
      const { start, options } = splitConfig(
        { ...PCM16, webSocketFactory: factory, extra: { future_field: 1 } } as never,
        'stt-rt-v5',
      );
      expect(start).to.deep.equal({ ...PCM16, future_field: 1 });
      expect(options.webSocketFactory).to.equal(factory);
    });
  });

  describe('the rest of the protocol, exactly', () => {
    it('knows the timer limit, raw formats and frame arithmetic', () => {
      expect(MAX_TIMER_MS).to.equal(2_147_483_647);
      expect(isRawFormat('pcm_s16le')).to.equal(true);
      expect(isRawFormat('mulaw')).to.equal(true);
      expect(isRawFormat('wav')).to.equal(false);
      expect(isRawFormat(undefined)).to.equal(false);
      expect(frameBytes({ audio_format: 'pcm_s16le', num_channels: 2 })).to.equal(4);
      expect(frameBytes({ audio_format: 'mulaw' })).to.equal(1);
      expect(
        bytesPerMs({ audio_format: 'pcm_s16le', num_channels: 2, sample_rate: 8000 }),
      ).to.equal(32);
      expect(bytesPerMs({ audio_format: 'auto' })).to.equal(0);
    });

    it('accepts every allowed value of the enumerated options and the edges of the ranges', () => {
      for (const options of [
        { tokens: 'all' },
        { tokens: 'final' },
        { auth: 'header' },
        { auth: 'message' },
        { webSocketFactory: () => undefined },
        { signal: new AbortController().signal },
        {
          reconnect: {
            maxAttempts: 1000,
            maxBufferBytes: 1,
            baseDelayMs: MAX_TIMER_MS,
            maxDelayMs: 0,
          },
        },
        { heartbeatIntervalMs: 1 },
        { highWaterMark: 1 },
      ]) {
        expect(fieldsOf(options), JSON.stringify(options)).to.deep.equal([]);
      }
      expect(
        fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: MAX_TIMER_MS + 1 } }),
      ).to.deep.equal(['reconnect.baseDelayMs']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: Number.NaN } })).to.deep.equal([
        'reconnect.baseDelayMs',
      ]);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, maxBufferBytes: 1.5 } })).to.deep.equal([
        'reconnect.maxBufferBytes',
      ]);
    });

    it('checks the start message: schema issues by field, api_key refused, raw formats need rate and channels', () => {
      const issues = realtimeConfigIssues(
        {
          model: 'stt-rt-v5',
          audio_format: 'pcm_s16le',
          api_key: 'x',
          sample_rate: 'fast' as never,
        },
        {},
      );
      const fields = issues.map((i) => i.field);
      expect(fields).to.include.members(['api_key', 'num_channels', 'sample_rate']);
      expect(issues.find((i) => i.field === 'api_key')?.message).to.match(/set by the client/);
      expect(issues.find((i) => i.field === 'num_channels')?.message).to.match(
        /required for audio_format pcm_s16le/,
      );
      expect(
        realtimeConfigIssues(
          { model: 'stt-rt-v5', audio_format: 'mulaw', num_channels: 1 },
          {},
        ).map((i) => i.field),
      ).to.deep.equal(['sample_rate']);
      expect(realtimeConfigIssues({ model: 'stt-rt-v5', audio_format: 'auto' }, {})).to.deep.equal(
        [],
      );
    });

    it('leaves undefined fields out of the start message', () => {
      // The type has no room for an explicit undefined (exactOptionalPropertyTypes), but a
      // JavaScript caller, or a TypeScript one without that option, can still pass one.
      const config = {
        audio_format: 'auto',
        language_hints: undefined,
      } as unknown as RealtimeStreamConfig;
      expect(splitConfig(config, 'm').start).to.deep.equal({ audio_format: 'auto', model: 'm' });
    });

    it('refuses frames that are not JSON objects, and non-finite numbers JSON can still carry', () => {
      for (const frame of ['not json', '[1]', 'null', '5', '"text"']) {
        expect(parseServerMessage(frame), frame).to.be.instanceOf(SonioxWebSocketError);
      }
      expect((parseServerMessage('x y') as SonioxWebSocketError).message).to.equal(
        'malformed message from the server (not JSON, 3 characters)',
      );
      expect((parseServerMessage('[]') as SonioxWebSocketError).message).to.equal(
        'malformed message from the server (not an object)',
      );
      expect(parseServerMessage('{"tokens":[{"text":"a","end_ms":1e400}]}')).to.be.instanceOf(
        SonioxWebSocketError,
      );
      expect(parseServerMessage('{"tokens":[{"text":"a"}]}')).not.to.be.instanceOf(
        SonioxWebSocketError,
      );
      expect(parseServerMessage('{"tokens":[{"text":"a","is_final":false}]}')).not.to.be.instanceOf(
        SonioxWebSocketError,
      );
    });

    it('turns error frames into errors with whatever the server gave', () => {
      const full = parseServerMessage(
        '{"tokens":[],"error_code":503,"error_type":"service_unavailable","error_message":"restart","request_id":"r-1"}',
      ) as SonioxWebSocketError;
      expect(full.message).to.equal(
        'realtime session failed with 503 service_unavailable: restart (request id r-1)',
      );
      expect(full).to.include({
        serverCode: 503,
        errorType: 'service_unavailable',
        requestId: 'r-1',
        retryable: true,
      });
      const bare = parseServerMessage('{"error_message":"boom"}') as SonioxWebSocketError;
      expect(bare.message).to.equal('realtime session failed with an error: boom');
      expect(bare.serverCode).to.equal(undefined);
      const codeOnly = parseServerMessage('{"error_code":"400"}') as SonioxWebSocketError;
      expect(codeOnly.message).to.equal('realtime session failed with an error: no message');
      const numeric = parseServerMessage(
        '{"error_code":400,"error_type":7}',
      ) as SonioxWebSocketError;
      expect(numeric.message).to.equal('realtime session failed with 400: no message');
      expect(numeric.retryable).to.equal(false);
    });
  });
});

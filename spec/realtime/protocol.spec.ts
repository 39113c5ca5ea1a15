import { expect } from 'chai';
import { SonioxWebSocketError } from '../../lib/errors';
import { MAX_TIMER_MS, checkConfig, parseServerMessage, splitConfig } from '../../lib/realtime/protocol';
import type { RealtimeMessage } from '../../lib/types';

const PCM16 = { model: 'stt-rt-v5', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 };
const fieldsOf = (options: Record<string, unknown>, start: Record<string, unknown> = PCM16) => checkConfig(start, options).map((i) => i.field);

describe('realtime/protocol', () => {
  describe('parseServerMessage: every frame is checked before it is used', () => {
    for (const [what, frame] of [
      ['tokens that are not a list', '{"tokens":{}}'],
      ['a null token', '{"tokens":[null]}'],
      ['a token that is a list', '{"tokens":[[]]}'],
      ['a token without text', '{"tokens":[{"is_final":true}]}'],
      ['a non-boolean is_final', '{"tokens":[{"text":"a","is_final":"yes"}]}'],
      ['a non-numeric start_ms', '{"tokens":[{"text":"a","is_final":true,"start_ms":"0"}]}'],
      ['a non-finite end_ms', '{"tokens":[{"text":"a","is_final":true,"end_ms":"Infinity"}]}'],
      ['a non-numeric total_audio_proc_ms', '{"tokens":[],"total_audio_proc_ms":[]}'],
      ['a non-boolean finished', '{"tokens":[],"finished":1}'],
    ] as const) {
      it(`refuses ${what}`, () => {
        const parsed = parseServerMessage(frame);
        expect(parsed).to.be.instanceOf(SonioxWebSocketError);
        expect((parsed as SonioxWebSocketError).message).to.match(/^malformed message from the server \(.+\)$/);
      });
    }

    it('accepts a result with nulls where the API may send them, and a finished message without tokens', () => {
      const ok = parseServerMessage('{"tokens":[{"text":"a","is_final":true,"start_ms":null,"speaker":null}],"final_audio_proc_ms":null}');
      expect(ok).not.to.be.instanceOf(SonioxWebSocketError);
      expect((parseServerMessage('{"finished":true}') as RealtimeMessage).tokens).to.deep.equal([]);
    });

    it('keeps the API key out of every field of an error frame', () => {
      const key = 'sk-realtime-SECRET-123456';
      const parsed = parseServerMessage(JSON.stringify({
        tokens: [], error_code: 401, error_type: `bad ${key}`, error_message: `Invalid API key ${key}.`, request_id: `id-${key}`,
      }), [key, undefined]) as SonioxWebSocketError;
      expect(parsed).to.be.instanceOf(SonioxWebSocketError);
      expect(JSON.stringify({ ...parsed, message: parsed.message })).not.to.include(key);
      expect(parsed.message).to.include('[REDACTED]');
      expect(parsed.serverCode).to.equal(401);
    });
  });

  describe('checkConfig: every timing option and the reconnect policy', () => {
    for (const field of ['keepaliveIntervalMs', 'heartbeatIntervalMs', 'handshakeTimeoutMs', 'finishTimeoutMs']) {
      it(`refuses ${field} that is over 2^31-1 ms, non-finite, zero, negative or not a number`, () => {
        for (const bad of [MAX_TIMER_MS + 1, 3e9, Number.POSITIVE_INFINITY, Number.NaN, 0, -5, '1000', null]) {
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
      for (const bad of [0, -1, Number.NaN, 'big']) expect(fieldsOf({ highWaterMark: bad }), String(bad)).to.deep.equal(['highWaterMark']);
    });

    it('refuses a reconnect policy that is null, not an object, or allows no attempt', () => {
      expect(fieldsOf({ reconnect: null })).to.deep.equal(['reconnect']);
      expect(fieldsOf({ reconnect: true })).to.deep.equal(['reconnect']);
      for (const maxAttempts of [0, -1, 1.5, '3', undefined, 1001]) {
        expect(fieldsOf({ reconnect: { maxAttempts } }), String(maxAttempts)).to.deep.equal(['reconnect.maxAttempts']);
      }
      expect(fieldsOf({ reconnect: { maxAttempts: 1 } })).to.deep.equal([]);
      expect(fieldsOf({ reconnect: undefined })).to.deep.equal([]);
    });

    it('refuses reconnect delays over 2^31-1 ms or non-finite, a buffer that is not a positive integer, a getApiKey that is not a function', () => {
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: 3e9 } })).to.deep.equal(['reconnect.baseDelayMs']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, maxDelayMs: Number.POSITIVE_INFINITY } })).to.deep.equal(['reconnect.maxDelayMs']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: -1 } })).to.deep.equal(['reconnect.baseDelayMs']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, maxBufferBytes: 0 } })).to.deep.equal(['reconnect.maxBufferBytes']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, getApiKey: 'key' } })).to.deep.equal(['reconnect.getApiKey']);
      expect(fieldsOf({ reconnect: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 10, maxBufferBytes: 1024, getApiKey: () => 'k' } })).to.deep.equal([]);
    });

    it('refuses reconnection for a container format, whose header only the first session saw', () => {
      expect(fieldsOf({ reconnect: { maxAttempts: 2 } }, { model: 'stt-rt-v5', audio_format: 'auto' })).to.deep.equal(['reconnect']);
    });

    it('refuses auth, tokens, signal and webSocketFactory of the wrong kind', () => {
      expect(fieldsOf({ auth: 'cookie' })).to.deep.equal(['auth']);
      expect(fieldsOf({ tokens: 'some' })).to.deep.equal(['tokens']);
      expect(fieldsOf({ signal: { aborted: false } })).to.deep.equal(['signal']);
      expect(fieldsOf({ webSocketFactory: 'ws' })).to.deep.equal(['webSocketFactory']);
    });

    it('takes SDK options out of the start message and keeps unknown fields in it', () => {
      const factory = () => undefined as never;
      const { start, options } = splitConfig({ ...PCM16, webSocketFactory: factory, future_field: 1 }, 'stt-rt-v5');
      expect(start).to.deep.equal({ ...PCM16, future_field: 1 });
      expect(options.webSocketFactory).to.equal(factory);
    });
  });
});

import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { expect } from 'chai';
import { PCM } from '../audio';
import {
  DEFAULT_REPLAY_BYTES,
  MAX_TIMER_MS,
  realtimeConfigIssues,
  resolveOptions,
  splitConfig,
  type RealtimeOptions,
  type RealtimeStreamConfig,
} from '../../lib/realtime/protocol';

// What a user sees for each option: the exact issue (field and message) of a refused value,
// the defaults a stream runs with, and the start message the server receives.

const PCM16 = { model: 'stt-rt-v5', ...PCM } as const;
const issuesOf = (options: Record<string, unknown>, start: Record<string, unknown> = PCM16) =>
  realtimeConfigIssues(start, options);
const start = (format: string | undefined) =>
  format === undefined ? { model: 'stt-rt-v5' } : { model: 'stt-rt-v5', audio_format: format };
const PACING_SHAPE =
  'must be true, false or { bytesPerSecond } with a positive number of bytes per second';

describe('realtime/protocol: options and messages as the user sees them', () => {
  describe('splitConfig: the start message the server receives', () => {
    const sdkOptions: Required<RealtimeOptions> = {
      tokens: 'final',
      markers: 'inband',
      pacing: true,
      auth: 'message',
      keepaliveIntervalMs: 2000,
      finalizeMinIntervalMs: 1500,
      heartbeatIntervalMs: 3000,
      handshakeTimeoutMs: 4000,
      acceptanceWindowMs: 450,
      finishTimeoutMs: 5000,
      highWaterMark: 1024,
      reconnect: { maxAttempts: 2 },
      rollover: { beforeCapMs: 60_000 },
      saveAudio: 'call.wav',
      signal: new AbortController().signal,
      webSocketFactory: () => undefined as never,
      agent: new Agent(),
      headers: { 'X-Gateway-Token': 'gw' },
      translate: { to: 'de' },
      extra: { future_field: true },
    };

    for (const [name, value] of Object.entries(sdkOptions)) {
      it(`keeps the SDK option ${name} out of the start message and hands it to the stream`, () => {
        const split = splitConfig({ ...PCM16, ...sdkOptions }, 'stt-rt-v5');
        expect(split.start).not.to.have.property(name);
        expect((split.options as Record<string, unknown>)[name]).to.equal(value);
      });
    }

    it('sends only the start-message fields when every SDK option is set', () => {
      const split = splitConfig({ ...PCM16, ...sdkOptions }, 'stt-rt-v5');
      // `translate` is the one SDK option that stands for start-message fields.
      expect(split.start).to.deep.equal({
        ...PCM16,
        future_field: true,
        translation: { type: 'one_way', target_language: 'de' },
      });
    });

    it("defaults the model to the client's and audio_format to 'auto', and given values win", () => {
      expect(splitConfig({}, 'stt-rt-v5').start).to.deep.equal({
        model: 'stt-rt-v5',
        audio_format: 'auto',
      });
      expect(splitConfig({ model: 'mine', audio_format: 'mp3' }, 'stt-rt-v5').start).to.deep.equal({
        model: 'mine',
        audio_format: 'mp3',
      });
    });

    it('sends the fields of extra, leaves out the undefined ones, and ignores an extra of null', () => {
      const { start: sent } = splitConfig(
        { ...PCM16, extra: { future_field: 0, dropped: undefined } },
        'stt-rt-v5',
      );
      expect(sent).to.deep.equal({ ...PCM16, future_field: 0 });
      expect(sent).not.to.have.property('dropped');
      const nullExtra = { ...PCM16, extra: null } as unknown as RealtimeStreamConfig;
      expect(splitConfig(nullExtra, 'stt-rt-v5').start).to.deep.equal(PCM16);
    });
  });

  describe('resolveOptions: the defaults a stream runs with', () => {
    it('fills every default when no option is given', () => {
      expect(resolveOptions({})).to.deep.equal({
        auth: 'header',
        keepaliveIntervalMs: 5000,
        heartbeatIntervalMs: 10_000,
        handshakeTimeoutMs: 10_000,
        acceptanceWindowMs: 500,
        finishTimeoutMs: 30_000,
        highWaterMark: 64 * 1024,
        reconnect: undefined,
      });
    });

    it('keeps every given value over its default', () => {
      const given = {
        auth: 'message',
        keepaliveIntervalMs: 2000,
        heartbeatIntervalMs: 3000,
        handshakeTimeoutMs: 4000,
        acceptanceWindowMs: 0,
        finishTimeoutMs: 6000,
        highWaterMark: 100,
      } as const;
      expect(resolveOptions(given)).to.deep.equal({ ...given, reconnect: undefined });
    });

    it('falls back to the default highWaterMark for zero, negative, NaN or non-number values', () => {
      for (const bad of [0, -1, Number.NaN, '100', undefined]) {
        const options = { highWaterMark: bad } as unknown as RealtimeOptions;
        expect(resolveOptions(options).highWaterMark, String(bad)).to.equal(64 * 1024);
      }
      expect(resolveOptions({ highWaterMark: 1 }).highWaterMark).to.equal(1);
    });

    it('fills the reconnect delays and replay buffer, and keeps given ones (0 included)', () => {
      const getApiKey = () => 'k';
      expect(resolveOptions({ reconnect: { maxAttempts: 3, getApiKey } }).reconnect).to.deep.equal({
        maxAttempts: 3,
        getApiKey,
        baseDelayMs: 250,
        maxDelayMs: 5000,
        maxBufferBytes: DEFAULT_REPLAY_BYTES,
      });
      expect(DEFAULT_REPLAY_BYTES).to.equal(16 * 1024 * 1024);
      expect(
        resolveOptions({
          reconnect: { maxAttempts: 1, baseDelayMs: 7, maxDelayMs: 70, maxBufferBytes: 700 },
        }).reconnect,
      ).to.deep.equal({ maxAttempts: 1, baseDelayMs: 7, maxDelayMs: 70, maxBufferBytes: 700 });
      expect(
        resolveOptions({ reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).reconnect,
      ).to.include({ baseDelayMs: 0, maxDelayMs: 0 });
    });
  });

  describe('realtimeConfigIssues: each refused value named with the values accepted', () => {
    it('says the range of each timing option and of highWaterMark', () => {
      expect(issuesOf({ keepaliveIntervalMs: 999 })).to.deep.equal([
        { field: 'keepaliveIntervalMs', message: `must be a number from 1000 to ${MAX_TIMER_MS}` },
      ]);
      for (const field of ['heartbeatIntervalMs', 'handshakeTimeoutMs', 'finishTimeoutMs'])
        expect(issuesOf({ [field]: 0 })).to.deep.equal([
          { field, message: 'must be a number from 1 to 2147483647' },
        ]);
      expect(issuesOf({ acceptanceWindowMs: -1 })).to.deep.equal([
        { field: 'acceptanceWindowMs', message: 'must be a number from 0 to 2147483647' },
      ]);
      expect(issuesOf({ acceptanceWindowMs: 0 })).to.deep.equal([]);
      expect(issuesOf({ highWaterMark: 'big' })).to.deep.equal([
        { field: 'highWaterMark', message: 'must be a number from 1 to 9007199254740991' },
      ]);
    });

    it('says which raw format needs sample_rate and num_channels', () => {
      expect(
        realtimeConfigIssues({ model: 'stt-rt-v5', audio_format: 'pcm_f32le' }, {}),
      ).to.deep.equal([
        { field: 'sample_rate', message: 'is required for audio_format pcm_f32le' },
        { field: 'num_channels', message: 'is required for audio_format pcm_f32le' },
      ]);
    });

    it('names the accepted values of tokens, markers and auth', () => {
      expect(issuesOf({ tokens: 'some' })).to.deep.equal([
        { field: 'tokens', message: "must be 'all' or 'final'" },
      ]);
      for (const bad of ['all', '', 'INBAND', 1])
        expect(issuesOf({ markers: bad }), String(bad)).to.deep.equal([
          { field: 'markers', message: "must be 'events' or 'inband'" },
        ]);
      for (const ok of ['events', 'inband', undefined])
        expect(issuesOf({ markers: ok }), String(ok)).to.deep.equal([]);
      expect(issuesOf({ auth: 'cookie' })).to.deep.equal([
        { field: 'auth', message: "must be 'header' or 'message'" },
      ]);
    });

    it('says what kind of webSocketFactory, agent and signal it takes', () => {
      expect(issuesOf({ webSocketFactory: 'ws' })).to.deep.equal([
        { field: 'webSocketFactory', message: 'must be a function' },
      ]);
      expect(issuesOf({ agent: { keepAlive: true } })).to.deep.equal([
        { field: 'agent', message: 'must be an http.Agent (or https.Agent)' },
      ]);
      expect(issuesOf({ agent: new Agent() })).to.deep.equal([]);
      expect(issuesOf({ agent: new HttpsAgent() })).to.deep.equal([]);
      expect(issuesOf({ signal: { aborted: false } })).to.deep.equal([
        { field: 'signal', message: 'must be an AbortSignal' },
      ]);
    });

    it('takes extra as an object of fields and refuses null, lists and non-objects', () => {
      for (const ok of [{ future_field: 1 }, {}, undefined])
        expect(issuesOf({ extra: ok }), JSON.stringify(ok)).to.deep.equal([]);
      for (const bad of [null, [1], 5, 'field'])
        expect(issuesOf({ extra: bad }), JSON.stringify(bad)).to.deep.equal([
          { field: 'extra', message: 'must be an object of start-message fields' },
        ]);
    });

    it('paces raw, WAV and auto-detected audio with pacing: true, but not a compressed format', () => {
      for (const audio_format of ['pcm_s16le', 'mulaw', 'wav', 'auto'])
        expect(issuesOf({ pacing: true }, { ...PCM16, audio_format }), audio_format).to.deep.equal(
          [],
        );
      // Without audio_format (refused by the schema), pacing reads it as the default 'auto'.
      expect(
        issuesOf({ pacing: true }, start(undefined)).filter((i) => i.field === 'pacing'),
      ).to.deep.equal([]);
      expect(issuesOf({ pacing: true }, start('mp3'))).to.deep.equal([
        {
          field: 'pacing',
          message:
            'cannot pace mp3 audio at real time: it has no fixed byte rate; give its average rate as pacing: { bytesPerSecond } (file size / duration), or send it as read with pacing: false',
        },
      ]);
      expect(issuesOf({ pacing: false }, start('mp3'))).to.deep.equal([]);
      expect(issuesOf({ pacing: undefined }, start('mp3'))).to.deep.equal([]);
    });

    it('takes pacing: { bytesPerSecond } with a positive finite number, for any format', () => {
      expect(issuesOf({ pacing: { bytesPerSecond: 16000 } }, start('mp3'))).to.deep.equal([]);
      expect(issuesOf({ pacing: { bytesPerSecond: 32000 } })).to.deep.equal([]);
      expect(issuesOf({ pacing: { bytesPerSecond: 0.5 } })).to.deep.equal([]);
      const refused = [{ field: 'pacing', message: PACING_SHAPE }];
      for (const bytesPerSecond of [
        0,
        -1,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        '16000',
        undefined,
      ])
        expect(issuesOf({ pacing: { bytesPerSecond } }), String(bytesPerSecond)).to.deep.equal(
          refused,
        );
    });

    it('refuses pacing that is null, a number, a string or a function', () => {
      const fn = Object.assign(() => undefined, { bytesPerSecond: 16000 });
      for (const pacing of [null, 16000, 'real-time', fn, {}])
        expect(issuesOf({ pacing }), typeof pacing).to.deep.equal([
          { field: 'pacing', message: PACING_SHAPE },
        ]);
    });

    it('says what each part of the reconnect policy must be', () => {
      expect(issuesOf({ reconnect: null })).to.deep.equal([
        {
          field: 'reconnect',
          message:
            'must be an object such as { maxAttempts: 3 } (leave it out for no reconnection)',
        },
      ]);
      expect(
        issuesOf({
          reconnect: { maxAttempts: 0, baseDelayMs: -1, maxDelayMs: 'x', maxBufferBytes: 0.5 },
        }),
      ).to.deep.equal([
        {
          field: 'reconnect.maxAttempts',
          message: 'must be an integer from 1 to 1000 (leave reconnect out for none)',
        },
        { field: 'reconnect.baseDelayMs', message: 'must be a number from 0 to 2147483647' },
        { field: 'reconnect.maxDelayMs', message: 'must be a number from 0 to 2147483647' },
        { field: 'reconnect.maxBufferBytes', message: 'must be an integer >= 1' },
      ]);
      expect(issuesOf({ reconnect: { maxAttempts: 1, getApiKey: 'key' } })).to.deep.equal([
        { field: 'reconnect.getApiKey', message: 'must be a function' },
      ]);
      expect(issuesOf({ reconnect: { maxAttempts: 1 } }, start('mp3'))).to.deep.equal([
        {
          field: 'reconnect',
          message:
            'needs a raw PCM audio_format such as pcm_s16le, not "mp3": a stream with a header cannot be resumed mid-way (its header went to the first session)',
        },
      ]);
    });
  });
});

import { expect } from 'chai';
import { once } from 'node:events';
import Module from 'node:module';
import sinon from 'sinon';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SonioxAbortError, SonioxValidationError, SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeStream, RealtimeStreamConfig } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM, chunked, fixture } from '../audio';
import { SECRET_KEY, rejection, fixture as testFixture } from '../helpers';

/** Collects every token the stream emits. */
function collect(stream: RealtimeStream): { tokens: RealtimeToken[]; done: Promise<void> } {
  const tokens: RealtimeToken[] = [];
  const done = (async () => {
    for await (const token of stream) tokens.push(token);
  })();
  return { tokens, done };
}

const finals = (tokens: RealtimeToken[]) => tokens.filter((t) => t.is_final);
const words = (tokens: RealtimeToken[]) => finals(tokens).map((t) => t.text.trim());

describe('realtime/stream (against the mock server)', () => {
  // The server-error specs read errorType and requestId: the mock's rich error frames.
  const t = testFixture({ mock: { realtimePacing: false, realtimeErrorShape: 'rich' } });

  it('pipes raw PCM in and yields the fixture words as final tokens, each once', async () => {
    const audio = fixture('hello-world.wav');
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM });
    const got: RealtimeToken[] = [];
    await pipeline(
      chunked(audio.pcm),
      stream,
      new Writable({
        objectMode: true,
        write(token: RealtimeToken, _e, done) {
          got.push(token);
          done();
        },
      }),
    );
    expect(words(got)).to.deep.equal(audio.words.map((w) => w.text));
    expect(finals(got).map((t) => t.start_ms)).to.deep.equal(audio.words.map((w) => w.start_ms));
    expect(stream.transcript).to.equal(audio.text);
    expect(stream.audioMsSent).to.be.closeTo(audio.duration_ms, 1);
    expect(stream.finalizedAudioMs).to.be.at.least(audio.words.at(-1)!.end_ms);
  });

  it('works with for await over a WAV file (audio_format auto), emitting open, result and finished', async () => {
    const audio = fixture('weather.wav');
    const client = t.clientWith();
    const stream = client.realtime();
    const events: string[] = [];
    stream.on('open', () => events.push('open'));
    stream.on('result', () => events.includes('result') || events.push('result'));
    stream.on('finished', () => events.push('finished'));
    chunked(audio.wav, 4096).pipe(stream);
    const { tokens, done } = collect(stream);
    await done;
    expect(words(tokens)).to.deep.equal(audio.words.map((w) => w.text));
    expect(events).to.deep.equal(['open', 'result', 'finished']);
  });

  it("emits non-final tokens in 'all' mode and only finals in 'final' mode", async () => {
    const audio = fixture('hello-world.wav');
    const client = t.clientWith();
    const all = client.realtime({ ...PCM });
    chunked(audio.pcm, 1600).pipe(all);
    const a = collect(all);
    await a.done;
    expect(a.tokens.some((t) => !t.is_final)).to.equal(true);
    const only = client.realtime({ ...PCM, tokens: 'final' });
    chunked(audio.pcm, 1600).pipe(only);
    const f = collect(only);
    await f.done;
    expect(f.tokens.every((t) => t.is_final)).to.equal(true);
    expect(words(f.tokens)).to.deep.equal(words(a.tokens));
  });

  it('turns <end> into endpoint events and never emits it as a token', async () => {
    const audio = fixture('two-phrases.wav');
    const client = t.clientWith();
    const stream = client.realtime({
      ...PCM,
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
    });
    let endpoints = 0;
    stream.on('endpoint', () => endpoints++);
    chunked(audio.pcm).pipe(stream);
    const { tokens, done } = collect(stream);
    await done;
    expect(endpoints).to.equal(2);
    expect(tokens.map((t) => t.text)).not.to.include('<end>');
    expect(words(tokens)).to.deep.equal(['good', 'morning', 'how', 'are', 'you']);
  });

  it('finalize() finalizes everything so far and emits finalized, never a <fin> token', async () => {
    const audio = fixture('hello-world.wav');
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM });
    const { tokens, done } = collect(stream);
    stream.write(audio.pcm.subarray(0, 32_000));
    await once(stream, 'result');
    stream.finalize({ trailing_silence_ms: 300 });
    await once(stream, 'finalized');
    await new Promise((resolve) => setImmediate(resolve));
    const finalCount = finals(tokens).length;
    expect(finalCount).to.be.greaterThan(0);
    expect(tokens.every((t) => t.text !== '<fin>')).to.equal(true);
    stream.end(audio.pcm.subarray(32_000));
    await done;
    expect(words(tokens)).to.deep.equal(audio.words.map((w) => w.text));
  });

  it('sends the key in the start message when auth is message (the classic way)', async () => {
    const audio = fixture('hello-world.wav');
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM, auth: 'message', tokens: 'final' });
    chunked(audio.pcm).pipe(stream);
    const { tokens, done } = collect(stream);
    await done;
    expect(words(tokens)).to.have.length(audio.words.length);
  });

  it('rejects a bad config with a validation error and opens no socket', async () => {
    const client = t.clientWith();
    for (const config of [
      { audio_format: 'pcm_s16le' },
      { audio_format: 'auto', reconnect: { maxAttempts: 2 } },
      { ...PCM, keepaliveIntervalMs: 10 },
      { ...PCM, max_endpoint_delay_ms: 10 },
      { ...PCM, api_key: 'x' },
      { ...PCM, tokens: 'some' as never },
    ]) {
      const stream = client.realtime(config as RealtimeStreamConfig);
      const [error] = (await once(stream, 'error')) as [SonioxValidationError];
      expect(error, JSON.stringify(config)).to.be.instanceOf(SonioxValidationError);
      expect(await rejection(stream.connect())).to.be.instanceOf(SonioxValidationError);
    }
    expect(t.server.state.hits['WS /transcribe-websocket'] ?? 0).to.equal(0);
  });

  it('names every bad field of the config in one error', async () => {
    const client = t.clientWith();
    // Untyped callers (JavaScript) can still send this: the run-time check names each field.
    const untyped = { audio_format: 'pcm_s16le', reconnect: { maxAttempts: -1 } };
    const stream = client.realtime(untyped as unknown as RealtimeStreamConfig);
    const [error] = (await once(stream, 'error')) as [SonioxValidationError];
    expect(error.issues.map((i) => i.field)).to.include.members([
      'sample_rate',
      'num_channels',
      'reconnect.maxAttempts',
    ]);
    expect(error.message).to.equal(
      'invalid realtime config: sample_rate is required for audio_format pcm_s16le; ' +
        'num_channels is required for audio_format pcm_s16le; reconnect.maxAttempts must be an integer from 1 to 1000 (leave reconnect out for none)',
    );
  });

  it('uses highWaterMark for its writable side and socket buffer (64 KiB by default); a refused one neither throws nor applies', async () => {
    const client = t.clientWith();
    expect(client.realtime({ ...PCM }).writableHighWaterMark).to.equal(64 * 1024);
    expect(client.realtime({ ...PCM, highWaterMark: 1000 }).writableHighWaterMark).to.equal(1000);
    for (const highWaterMark of [0, '4096']) {
      const stream = client.realtime({ ...PCM, highWaterMark } as RealtimeStreamConfig);
      expect(stream.writableHighWaterMark).to.equal(64 * 1024);
      const [error] = (await once(stream, 'error')) as [SonioxValidationError];
      expect(error.issues.map((i) => i.field)).to.deep.equal(['highWaterMark']);
    }
  });

  it('resolves ws once per process, not once per session (require looks it up on disk each call)', async () => {
    const client = t.clientWith();
    const spy = sinon.spy(Module.prototype, 'require');
    t.defer(() => spy.restore());
    for (let i = 0; i < 3; i++) {
      const stream = client.realtime({ ...PCM });
      stream.resume();
      stream.end(Buffer.alloc(3200));
      await once(stream, 'end');
    }
    const ws = spy.getCalls().filter((call) => call.args[0] === 'ws');
    expect(ws.length).to.be.at.most(1);
  });

  it('removes a listener with off()', () => {
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM });
    let calls = 0;
    const listener = () => calls++;
    stream.on('finished', listener);
    stream.off('finished', listener);
    stream.emit('finished');
    expect(calls).to.equal(0);
    expect(stream.listenerCount('finished')).to.equal(0);
    stream.destroy();
  });

  describe('server errors', () => {
    const cases: Array<[number, boolean]> = [
      [400, false],
      [402, false],
      [408, true],
      [429, false],
      [500, true],
      [503, true],
    ];
    for (const [code, retryable] of cases) {
      it(`turns error ${code} into one SonioxWebSocketError (retryable: ${retryable}) and a clean close`, async () => {
        t.server.setFaults({ ws: [{ errorCode: code, afterAudioMs: 200 }] });
        // A 429 before any result is a refused start, which the adaptive limiter would queue.
        const client = t.clientWith(code === 429 ? { adaptiveRate: false } : {});
        const stream = client.realtime({ ...PCM });
        const errors: SonioxWebSocketError[] = [];
        stream.on('error', (e) => errors.push(e as SonioxWebSocketError));
        stream.resume();
        stream.write(fixture('hello-world.wav').pcm);
        await new Promise<void>((resolve) => stream.on('close', resolve));
        expect(errors).to.have.length(1);
        expect(errors[0]).to.be.instanceOf(SonioxWebSocketError);
        expect(errors[0]).to.include({ serverCode: code, retryable });
        expect(errors[0]!.errorType).to.be.a('string');
        expect(errors[0]!.requestId).to.be.a('string');
        expect(stream.requestId).to.equal(errors[0]!.requestId);
      });
    }

    it('reports a wrong key as a 401 error without the key in it', async () => {
      const client = t.clientWith({ apiKey: `${SECRET_KEY}-nope` });
      const stream = client.realtime({ ...PCM });
      stream.write(Buffer.alloc(3200));
      const [error] = (await once(stream, 'error')) as [SonioxWebSocketError];
      expect(error.serverCode).to.equal(401);
      expect(JSON.stringify(error) + error.message).not.to.include(SECRET_KEY);
    });

    it('reports an abrupt close (1006) instead of ending silently', async () => {
      t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 100 }] });
      const client = t.clientWith();
      const stream = client.realtime({ ...PCM });
      stream.resume();
      stream.write(Buffer.alloc(32_000, 1));
      const [error] = (await once(stream, 'error')) as [SonioxWebSocketError];
      expect(error.closeCode).to.equal(1006);
      expect(error.message).to.match(/closed unexpectedly/);
    });

    it('reports a garbage frame as a malformed message', async () => {
      t.server.setFaults({ ws: [{ garbageFrame: true }] });
      const client = t.clientWith();
      const stream = client.realtime({ ...PCM });
      stream.write(Buffer.alloc(3200));
      const [error] = (await once(stream, 'error')) as [SonioxWebSocketError];
      expect(error.message).to.match(/malformed message/);
    });

    it('reports a connection that cannot be opened', async () => {
      const client = t.clientWith({
        realtimeURL: t.server.realtimeURL.replace('/transcribe-websocket', '/nowhere'),
      });
      const stream = client.realtime({ ...PCM });
      const error = await rejection(stream.connect());
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.message).to.match(/cannot open/);
    });
  });

  it('destroys the stream with an abort error when its signal fires', async () => {
    const client = t.clientWith();
    const controller = new AbortController();
    const stream = client.realtime({ ...PCM, signal: controller.signal });
    await stream.connect();
    controller.abort();
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(error.message).to.equal('realtime session aborted');
  });

  it('is destroyed at once by an already aborted signal, and finalize() on a dead stream is harmless', async () => {
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM, signal: AbortSignal.abort() });
    const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [Error];
    expect(error).to.be.instanceOf(SonioxAbortError);
    stream.finalize();
    // connect() on a dead stream rejects with what killed it.
    expect(await rejection(stream.connect())).to.be.instanceOf(SonioxAbortError);
  });

  it('fails a write made right after creating a stream with an already aborted signal with the abort error', async () => {
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM, signal: AbortSignal.abort() });
    stream.on('error', () => undefined);
    const written = await new Promise<Error | null | undefined>((resolve) =>
      stream.write(Buffer.alloc(320), resolve),
    );
    expect(written).to.be.instanceOf(SonioxAbortError);
  });

  it('fails with the last error when the server is gone and reconnecting cannot open a session', async () => {
    t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 100 }] });
    const client = t.clientWith();
    const stream = client.realtime({
      ...PCM,
      reconnect: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 20 },
    });
    stream.once('reconnect', () => void t.server.close());
    stream.resume();
    stream.write(Buffer.alloc(16_000, 1));
    const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [
      SonioxWebSocketError,
    ];
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect(error.message).to.match(/cannot open/);
  });

  it('reports a server message that is not an object', async () => {
    const { parseServerMessage } = await import('../../lib/realtime/protocol');
    expect(parseServerMessage('[1]')).to.be.instanceOf(SonioxWebSocketError);
    expect(parseServerMessage('null')).to.be.instanceOf(SonioxWebSocketError);
    const noTokens = parseServerMessage('{"final_audio_proc_ms": 5}');
    expect(noTokens).to.deep.equal({ final_audio_proc_ms: 5, tokens: [] });
    const bare = parseServerMessage('{"error_message": "boom"}') as SonioxWebSocketError;
    expect(bare.serverCode).to.equal(undefined);
    expect(bare.message).to.match(/an error: boom/);
  });
});

/**
 * What a user reads off a realtime stream (surface.ts), over an in-memory socket on fake time:
 * every getter before anything happened and after the server said something, the typed event
 * methods, the iterator, destroy()'s error, and the events of markers (with their arguments).
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { SonioxError } from '../../lib/errors';
import type { RealtimeStream, RealtimeStreamConfig } from '../../lib/realtime/stream';
import type { RealtimeItem } from '../../lib/realtime/markers';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

const final = (text: string, start_ms: number, extra: Partial<RealtimeToken> = {}) => ({
  text,
  start_ms,
  end_ms: start_ms + 100,
  is_final: true,
  ...extra,
});

describe('realtime/surface: what a stream shows its user', () => {
  const t = fixture();
  let clock: sinon.SinonFakeTimers;
  let socket: ScriptedSocket;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    socket = new ScriptedSocket();
  });
  afterEach(() => clock.restore());

  function session<T extends RealtimeItem = RealtimeToken>(
    config: Record<string, unknown> = {},
  ): RealtimeStream<T> {
    const stream = t.client.realtime({
      ...PCM,
      acceptanceWindowMs: 0,
      ...config,
      webSocketFactory: () => socket,
    } as RealtimeStreamConfig) as unknown as RealtimeStream<T>;
    t.defer(() => stream.destroy());
    return stream;
  }

  async function opened<T extends RealtimeItem = RealtimeToken>(
    config: Record<string, unknown> = {},
  ): Promise<RealtimeStream<T>> {
    const stream = session<T>(config);
    const connecting = stream.connect();
    await clock.tickAsync(0);
    socket.open();
    await connecting;
    return stream;
  }

  const say = (message: Record<string, unknown>) =>
    socket.emit('message', Buffer.from(JSON.stringify(message)), false);

  it('shows nothing before the session: idle, empty texts, nothing sent or processed', () => {
    const stream = session();
    expect(stream.phase).to.equal('idle');
    expect(stream.transcript).to.equal('');
    expect(stream.translation).to.equal('');
    expect(stream.translations).to.deep.equal({});
    expect(stream.originals).to.deep.equal({});
    expect(stream.translationPairs).to.deep.equal([]);
    expect(stream.audioMsSent).to.equal(0);
    expect(stream.audioBytesSent).to.equal(0);
    expect(stream.audioProcessed).to.deep.equal({ finalMs: 0, totalMs: 0 });
    expect(stream.finalizedAudioMs).to.equal(0);
    expect(stream.pacingRate).to.equal(undefined);
    expect(stream.requestId).to.equal(undefined);
  });

  it('counts the audio sent in bytes and whole ms (16 kHz s16le: 32 bytes a ms)', async () => {
    const stream = await opened();
    stream.write(Buffer.alloc(3231));
    await clock.tickAsync(0);
    expect(stream.phase).to.equal('open');
    expect(stream.audioBytesSent).to.equal(3231);
    expect(stream.audioMsSent).to.equal(100);
  });

  it('has no audio ms for a container format (its rate is unknown)', async () => {
    const stream = await opened({ audio_format: 'auto', sample_rate: undefined });
    stream.write(Buffer.alloc(3200));
    await clock.tickAsync(0);
    expect(stream.audioBytesSent).to.equal(3200);
    expect(stream.audioMsSent).to.equal(undefined);
  });

  it('shows the pacing rate once pacing applies', () => {
    expect(session({ pacing: true }).pacingRate).to.equal(32_000);
    expect(session({ pacing: { bytesPerSecond: 8000 } }).pacingRate).to.equal(8000);
  });

  it("shows the server's request id, texts and processed audio as they come", async () => {
    const stream = await opened();
    stream.resume();
    say({
      request_id: 'req-7',
      tokens: [final('Hello', 0), final(' world', 100)],
      final_audio_proc_ms: 200,
      total_audio_proc_ms: 480,
    });
    expect(stream.requestId).to.equal('req-7');
    expect(stream.transcript).to.equal('Hello world');
    expect(stream.audioProcessed).to.deep.equal({ finalMs: 200, totalMs: 480 });
    expect(stream.finalizedAudioMs).to.equal(200);
  });

  it('shows a one-way translation, per language, and its pairs', async () => {
    const stream = await opened({ translation: { type: 'one_way', target_language: 'es' } });
    stream.resume();
    say({
      tokens: [
        final('Good', 0, { translation_status: 'original', language: 'en' }),
        final(' day', 100, { translation_status: 'original', language: 'en' }),
        { text: 'Buen', is_final: true, translation_status: 'translation', language: 'es' },
        { text: ' día', is_final: true, translation_status: 'translation', language: 'es' },
      ],
    });
    expect(stream.translation).to.equal('Buen día');
    expect(stream.translations).to.deep.equal({ es: 'Buen día' });
    expect(stream.originals).to.deep.equal({ en: 'Good day' });
    expect(
      stream.translationPairs.map((p) => [p.original?.text, p.translation?.text]),
    ).to.deep.equal([['Good day', 'Buen día']]);
  });

  it('shows no single translation for two-way translation, only each direction', async () => {
    const stream = await opened({
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
    });
    stream.resume();
    say({
      tokens: [
        final('Hi', 0, { translation_status: 'original', language: 'en' }),
        { text: 'Hola', is_final: true, translation_status: 'translation', language: 'es' },
      ],
    });
    expect(stream.translations).to.deep.equal({ es: 'Hola' });
    expect(stream.translation).to.equal('');
  });

  it('emits a marker event without arguments, and finished with the message and the audio processed', async () => {
    const stream = await opened({ enable_endpoint_detection: true });
    const endpoint = sinon.spy();
    const finished = sinon.spy();
    stream.on('endpoint', endpoint);
    stream.on('finished', finished);
    stream.resume();
    say({ tokens: [final('Hi', 0), { text: '<end>', is_final: true }], final_audio_proc_ms: 100 });
    say({ tokens: [], finished: true, final_audio_proc_ms: 100, total_audio_proc_ms: 100 });
    await clock.tickAsync(0);
    expect(endpoint.calledOnce).to.equal(true);
    expect(endpoint.firstCall.args).to.deep.equal([]);
    expect(finished.calledOnce).to.equal(true);
    expect(finished.firstCall.args[0]).to.include({ finished: true });
    expect(finished.firstCall.args[1]).to.deep.equal({ finalMs: 100, totalMs: 100 });
    expect(stream.phase).to.equal('finished');
  });

  it("yields in-band markers among the tokens with markers: 'inband', each in its place", async () => {
    const stream = await opened<RealtimeItem>({
      enable_endpoint_detection: true,
      markers: 'inband',
    });
    const items: unknown[] = [];
    stream.on('data', (item) => items.push(item));
    say({ tokens: [final('Hi', 0), { text: '<end>', is_final: true }, final(' there', 200)] });
    await clock.tickAsync(0);
    expect(
      items.map((i) => (i as { text?: string }).text ?? (i as { marker: string }).marker),
    ).to.deep.equal(['Hi', 'endpoint', ' there']);
  });

  it('reads tokens with read(), skipping past a marker to the token after it', async () => {
    const stream = await opened({ enable_endpoint_detection: true });
    const endpoint = sinon.spy();
    stream.on('endpoint', endpoint);
    // A reader (paused: it reads when it wants): the marker waits for it in the buffer.
    stream.pause();
    say({ tokens: [final('Hi', 0), { text: '<end>', is_final: true }, final(' there', 200)] });
    expect(stream.read()?.text).to.equal('Hi');
    expect(endpoint.called).to.equal(false);
    expect(stream.read()?.text).to.equal(' there');
    expect(endpoint.calledOnce).to.equal(true);
    expect(stream.read()).to.equal(null);
  });

  it('iterates over the tokens with for await', async () => {
    const stream = await opened();
    say({ tokens: [final('a', 0), final('b', 100)] });
    say({ tokens: [], finished: true });
    const texts: string[] = [];
    const done = (async () => {
      for await (const token of stream) texts.push(token.text);
    })();
    stream.end();
    await clock.tickAsync(0);
    await done;
    expect(texts).to.deep.equal(['a', 'b']);
  });

  it('calls a once() listener once and an off() listener never', async () => {
    const stream = await opened();
    const first = sinon.spy();
    const gone = sinon.spy();
    stream.once('result', first);
    stream.on('result', gone);
    stream.off('result', gone);
    stream.resume();
    say({ tokens: [final('a', 0)] });
    say({ tokens: [final('b', 100)] });
    expect(first.calledOnce).to.equal(true);
    expect(gone.called).to.equal(false);
  });

  it("wraps an error that is not the SDK's in destroy(), its cause kept", async () => {
    const stream = session();
    const errors: Error[] = [];
    stream.on('error', (error) => errors.push(error));
    const cause = new TypeError('the app broke');
    stream.destroy(cause);
    await clock.tickAsync(0);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(SonioxError);
    expect(errors[0]?.cause).to.equal(cause);
    expect(stream.phase).to.equal('failed');
  });

  it('emits no error for destroy() without one', async () => {
    const stream = session();
    const errors: Error[] = [];
    stream.on('error', (error) => errors.push(error));
    stream.destroy();
    await clock.tickAsync(0);
    expect(errors).to.deep.equal([]);
    expect(stream.phase).to.equal('destroyed');
  });

  it("emits no error for destroy(null), as Node's own stream helpers call it", async () => {
    const stream = session();
    const errors: Error[] = [];
    stream.on('error', (error) => errors.push(error));
    stream.destroy(null as unknown as Error);
    await clock.tickAsync(0);
    expect(errors).to.deep.equal([]);
    expect(stream.phase).to.equal('destroyed');
  });

  it("fails with the server's error once the reader has taken the tokens before it", async () => {
    const stream = await opened();
    const seen: string[] = [];
    stream.on('data', (token: RealtimeToken) => seen.push(token.text));
    stream.on('error', (error) => seen.push(`error: ${error.message}`));
    say({ tokens: [final('a', 0)] });
    say({ error_code: 503, error_message: 'Service unavailable' });
    await clock.tickAsync(0);
    expect(seen[0]).to.equal('a');
    expect(seen[1]).to.match(/^error: .*Service unavailable/);
    expect(stream.destroyed).to.equal(true);
  });

  it("refuses audio written after the server finished, with the SDK's error", async () => {
    const stream = await opened();
    stream.resume();
    say({ tokens: [final('a', 0)] });
    say({ tokens: [], finished: true });
    await clock.tickAsync(0);
    expect(stream.readableEnded).to.equal(true);
    // Node reports a refused write as an 'error' too.
    stream.on('error', () => undefined);
    const error = await new Promise<Error | null | undefined>((resolve) =>
      stream.write(Buffer.alloc(640), resolve),
    );
    expect(error?.message).to.equal(
      'cannot write audio: the realtime session has already finished',
    );
  });

  it('stops sending to an unpiped destination', async () => {
    const stream = await opened();
    const { PassThrough } = await import('node:stream');
    const kept: unknown[] = [];
    const destination = new PassThrough({ objectMode: true });
    destination.on('data', (token) => kept.push(token));
    stream.pipe(destination);
    say({ tokens: [final('a', 0)] });
    await clock.tickAsync(0);
    stream.unpipe(destination);
    say({ tokens: [final('b', 100)] });
    await clock.tickAsync(0);
    expect(kept.map((k) => (k as RealtimeToken).text)).to.deep.equal(['a']);
  });
});

/**
 * `client.translate(source, { to | between, from? })`, as a user porting from the official SDK
 * would try it against the mock (which translates the fixtures as the API does): `to` is one-way
 * translation of every spoken language into `to`, `between: [a, b]` two-way, `from` hints the
 * source language. Contradictory or undocumented input is refused before any upload, with one
 * SonioxValidationError naming every problem. The realtime side (`translate` on
 * `client.realtime()`) maps through the same function.
 */
import { expect } from 'chai';
import { SonioxValidationError } from '../lib';
import type { RealtimeToken } from '../lib/types';
import { PCM, fixture as audioFixture } from './audio';
import { fixture, rejection } from './helpers';

const hello = 'fixtures/audio/hello-world.wav';

describe('client.translate', () => {
  const t = fixture({ mock: { timing: { queuedMs: 1, processingMs: 1 } } });

  /** The create body the mock received last. */
  const lastCreate = () => t.server.received.transcriptions.at(-1)?.request;
  const translated = (tokens: Array<{ text: string; translation_status?: string | null }>) =>
    tokens
      .filter((token) => token.translation_status === 'translation')
      .map((token) => token.text)
      .join('');

  it("translate(file, { to: 'es' }) sends a one-way translation config and returns translated tokens", async () => {
    const result = await t.client.translate(hello, { to: 'es', pollIntervalMs: 10 });
    expect(lastCreate()?.translation).to.deep.equal({ type: 'one_way', target_language: 'es' });
    expect(lastCreate()).not.to.have.property('language_hints');
    expect(translated(result.tokens)).to.equal('hola mundo esto es una prueba');
    expect(result.status).to.equal('completed');
    // transcribe()'s cleanup: the job and the upload are gone.
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('hints the source language with from', async () => {
    await t.client.translate(hello, { to: 'fr', from: 'en', pollIntervalMs: 10 });
    expect(lastCreate()).to.deep.include({
      translation: { type: 'one_way', target_language: 'fr' },
      language_hints: ['en'],
    });
  });

  it('sends a two-way config for between: [a, b], both hinted, and passes the create params on', async () => {
    const result = await t.client.translate(hello, {
      between: ['en', 'es'],
      client_reference_id: 'call-7',
      pollIntervalMs: 10,
    });
    expect(lastCreate()).to.deep.include({
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      language_hints: ['en', 'es'],
      client_reference_id: 'call-7',
    });
    expect(result.client_reference_id).to.equal('call-7');
    expect(translated(result.tokens)).to.equal('hola mundo esto es una prueba');
  });

  it('keeps language_hints of the caller after those of from, once each', async () => {
    await t.client.translate(hello, {
      to: 'fr',
      from: 'en',
      language_hints: ['es', 'en'],
      pollIntervalMs: 10,
    });
    expect(lastCreate()?.language_hints).to.deep.equal(['en', 'es']);
  });

  it('refuses to with between, and a translation config beside them, naming every problem before an upload', async () => {
    const error = await rejection(
      t.client.translate(hello, {
        to: 'de',
        between: ['en', 'es'],
        from: 'en',
        translation: { type: 'one_way', target_language: 'fr' },
      } as never),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
      'between',
      'from',
      'translation',
    ]);
    expect(error.message).to.match(/^translate: invalid parameters: /);
    expect(t.server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('refuses a call with neither to nor between, a malformed between and the same language twice', async () => {
    const none = await rejection(t.client.translate(hello, {} as never));
    expect((none as SonioxValidationError).issues).to.deep.equal([
      {
        field: 'to',
        message: "or between is required: to: 'de' (one-way) or between: ['en', 'es']",
      },
    ]);
    const bad = await rejection(t.client.translate(hello, { between: ['en'] } as never));
    expect((bad as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal(['between']);
    const same = await rejection(t.client.translate(hello, { between: ['en', 'en'] }));
    expect((same as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal(['between']);
    const selfish = await rejection(t.client.translate(hello, { to: 'en', from: 'en' }));
    expect((selfish as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal(['from']);
  });

  it('refuses every code that is not a language code or not in the model list, at once, before an upload', async () => {
    const error = await rejection(
      t.client.translate(hello, { to: 'German', from: 'qq', pollIntervalMs: 10 }),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    const issues = (error as SonioxValidationError).issues;
    expect(issues.map((i) => i.field)).to.deep.equal(['to', 'from']);
    expect(issues[0]?.message).to.match(/must be a language code such as 'de'/);
    expect(issues[1]?.message).to.match(/^qq is not a language code of stt-async-v5/);
    expect(t.server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
    const twoWay = await rejection(t.client.translate(hello, { between: ['en', 'qq'] }));
    expect((twoWay as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
      'between.1',
    ]);
  });
});

describe('client.realtime({ translate })', () => {
  const t = fixture();

  /** The tokens of one realtime session of the hello-world audio with `config`. */
  async function session(config: Record<string, unknown>): Promise<RealtimeToken[]> {
    const stream = t.client.realtime({ ...PCM, pacing: false, tokens: 'final', ...config });
    t.defer(() => stream.destroy());
    stream.end(audioFixture('hello-world.wav').pcm);
    const tokens: RealtimeToken[] = [];
    for await (const token of stream) tokens.push(token);
    return tokens;
  }

  it('maps { to } onto the start message, as the async call does, and yields translated tokens', async () => {
    const tokens = await session({ translate: { to: 'es', from: 'en' } });
    const start = t.server.received.sessions.at(-1)?.start;
    expect(start).to.deep.include({
      translation: { type: 'one_way', target_language: 'es' },
      language_hints: ['en'],
    });
    expect(start).not.to.have.property('translate');
    expect(
      tokens
        .filter((x) => x.translation_status === 'translation')
        .map((x) => x.text)
        .join(''),
    ).to.equal('hola mundo esto es una prueba');
  });

  it('maps { between } onto a two-way config', async () => {
    await session({ translate: { between: ['en', 'fr'] } });
    expect(t.server.received.sessions.at(-1)?.start).to.deep.include({
      translation: { type: 'two_way', language_a: 'en', language_b: 'fr' },
      language_hints: ['en', 'fr'],
    });
  });

  it('refuses contradictory input before connecting, every problem in one error', async () => {
    const stream = t.client.realtime({
      ...PCM,
      translate: { to: 'de', between: ['en', 'Spanish'] } as never,
      translation: { type: 'one_way', target_language: 'fr' },
    });
    stream.on('error', () => undefined);
    const error = await rejection(stream.connect());
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
      'translate.between',
      'translate.between.1',
      'translation',
    ]);
    expect(t.server.received.sessions).to.deep.equal([]);
  });

  it('leaves the codes to the server, which refuses one it does not document (400)', async () => {
    const stream = t.client.realtime({ ...PCM, translate: { to: 'qq' } });
    stream.on('error', () => undefined);
    const error = await rejection(stream.connect());
    expect(error.message).to.match(/400/);
  });
});

/**
 * The model and languages of client.transcribe() and transcribeMany() are checked against the
 * model list before a byte is uploaded: a typo fails at once, with a "did you mean". The list is
 * fetched once per client (one GET /v1/models for any number of calls), fetched again once when
 * a name is missing from it (a model released since), and a list that cannot be fetched does
 * not block the transcription (the API still checks).
 */
import { expect } from 'chai';
import { SonioxAbortError, SonioxValidationError } from '../lib/errors';
import { catalogueOf } from '../lib/model-catalogue';
import { MODELS } from '../lib/mock/models';
import { fixture as audioFixture } from './audio';
import { buffers, collect } from './batch/helpers';
import { fixture, rejection, until } from './helpers';

const UPLOAD = 'POST /v1/files';
const MODELS_ROUTE = 'GET /v1/models';
const FAST = { pollIntervalMs: 5 };

describe('the model check of transcribe() and transcribeMany()', () => {
  // Only Date is faked: the flows' own timers run, and a minute passes at a tick.
  const t = fixture({ clock: { toFake: ['Date'] } });
  const hits = (route: string) => t.server.state.hits[route] ?? 0;
  const audio = audioFixture('hello-world.wav');

  it("refuses a misspelt model before uploading, naming the closest: SonioxValidationError on 'model'", async () => {
    const error = await rejection(t.client.transcribe(audio.path, { model: 'stt-asnyc-v5' }));
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.equal(
      'transcribe: model stt-asnyc-v5 is not an async model: did you mean stt-async-v5? (async models: stt-async-v5, stt-async-v4)',
    );
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal(['model']);
    expect(hits(UPLOAD)).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('refuses a real-time model, a language name for a code and a misspelt translation target, before uploading', async () => {
    const realtime = await rejection(t.client.transcribe(audio.path, { model: 'stt-rt-v5' }));
    expect(realtime.message).to.match(/^transcribe: model stt-rt-v5 is not an async model/);
    const hint = await rejection(
      t.client.transcribe(audio.path, { language_hints: ['en', 'english'] }),
    );
    expect(hint).to.be.instanceOf(SonioxValidationError);
    expect(hint.message).to.match(
      /^transcribe: language_hints english is not a language code of stt-async-v5: did you mean en\? \(valid codes: [a-z, ]+\)$/,
    );
    const target = await rejection(
      t.client.transcribe(audio.path, {
        translation: { type: 'one_way', target_language: 'Spanish' },
      }),
    );
    expect(target.message).to.match(/translation\.target_language Spanish .*did you mean es\?/);
    const pair = await rejection(
      t.client.transcribe(audio.path, {
        translation: { type: 'two_way', language_a: 'en', language_b: 'sx' },
      }),
    );
    expect((pair as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
      'translation.language_b',
    ]);
    expect(hits(UPLOAD)).to.equal(0);
  });

  it('asks for the model list once for two transcriptions (and not at all without a model or language)', async () => {
    await t.client.transcribe(audio.path, { ...FAST });
    expect(hits(MODELS_ROUTE)).to.equal(0);
    const options = { model: 'stt-async-v5', language_hints: ['en'], ...FAST };
    const [a, b] = [
      await t.client.transcribe(audio.path, options),
      await t.client.transcribe(audio.path, options),
    ];
    expect(a.text).to.match(/hello world/i);
    expect(b.text).to.match(/hello world/i);
    // Two at once share the one request in flight.
    const other = t.clientWith();
    await Promise.all([
      other.transcribe(audio.path, options),
      other.transcribe(audio.path, options),
    ]);
    expect(hits(MODELS_ROUTE)).to.equal(2);
  });

  it('fetches the list again, once, when a name is not in the one it holds', async () => {
    // The first list is from before stt-async-v4 existed.
    t.server.setFaults({
      http: [
        {
          route: MODELS_ROUTE,
          json: { models: MODELS.filter((m) => m.id !== 'stt-async-v4') },
          times: 1,
        },
      ],
    });
    await t.client.transcribe(audio.path, { model: 'stt-async-v5', ...FAST });
    expect(hits(MODELS_ROUTE)).to.equal(1);
    const transcript = await t.client.transcribe(audio.path, { model: 'stt-async-v4', ...FAST });
    expect(transcript.text).to.match(/hello world/i);
    expect(hits(MODELS_ROUTE)).to.equal(2);
    // A typo still costs one fetch, not a loop of them, and no upload.
    const uploads = hits(UPLOAD);
    const error = await rejection(t.client.transcribe(audio.path, { model: 'stt-async-v6' }));
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(hits(MODELS_ROUTE)).to.equal(3);
    expect(hits(UPLOAD)).to.equal(uploads);
  });

  it('goes ahead when the list cannot be fetched, and tries it again only a minute later', async () => {
    t.server.setFaults({ http: [{ route: MODELS_ROUTE, status: 503 }] });
    const client = t.clientWith({ maxRetries: 0 });
    const transcript = await client.transcribe(audio.path, { model: 'stt-async-v5', ...FAST });
    expect(transcript.text).to.match(/hello world/i);
    const failed = hits(MODELS_ROUTE);
    expect(failed).to.be.at.least(1);
    await client.transcribe(audio.path, { model: 'stt-async-v5', ...FAST });
    expect(hits(MODELS_ROUTE)).to.equal(failed);
    t.server.setFaults({});
    t.clock.tick(60_000);
    const error = await rejection(client.transcribe(audio.path, { model: 'stt-asnyc-v5' }));
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(hits(MODELS_ROUTE)).to.equal(failed + 1);
  });

  it('transcribeMany refuses a misspelt model before pulling or uploading any input', async () => {
    let pulled = 0;
    function* inputs() {
      for (const b of buffers(3)) {
        pulled++;
        yield b;
      }
    }
    const error = await rejection(
      collect(t.client.transcribeMany(inputs(), { model: 'stt-asnyc-v5', ...FAST })),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.match(
      /^transcribeMany: model stt-asnyc-v5 .*did you mean stt-async-v5\?/,
    );
    expect(pulled).to.equal(0);
    expect(hits(UPLOAD)).to.equal(0);
    // A good batch on the same client asks for the list no more.
    const results = await collect(
      t.client.transcribeMany(buffers(2), { model: 'stt-async-v5', ...FAST }),
    );
    expect(results).to.have.length(2);
    expect(hits(MODELS_ROUTE)).to.equal(1);
  });

  it('an abort while the list is on its way rejects with SonioxAbortError, uploading nothing', async () => {
    t.server.setFaults({ http: [{ route: MODELS_ROUTE, delayMs: 5_000 }] });
    const controller = new AbortController();
    const flow = rejection(
      t.client.transcribe(audio.path, { model: 'stt-async-v5', signal: controller.signal }),
    );
    await until(() => hits(MODELS_ROUTE) === 1);
    controller.abort();
    const error = await flow;
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(error.message).to.equal('transcribe: aborted');
    expect(hits(UPLOAD)).to.equal(0);
    // An already aborted signal does not wait at all.
    const already = await rejection(
      catalogueOf(t.client).check({ model: 'x' }, { signal: AbortSignal.abort() }),
    );
    expect(already.message).to.equal('model check: aborted');
  });

  it("checks an alias's languages against the model it stands for when it lists none", async () => {
    const models = MODELS.map((m) => (m.id === 'stt-async-v4' ? { ...m, languages: [] } : m));
    t.server.setFaults({ http: [{ route: MODELS_ROUTE, json: { models } }] });
    const catalogue = catalogueOf(t.client);
    await catalogue.check({ model: 'stt-async-v4', language_hints: ['fr'] });
    const error = await rejection(
      catalogue.check(
        { model: 'stt-async-v4', language_hints: ['frr'] },
        { labels: { language_hints: '--language' } },
      ),
    );
    expect(error.message).to.match(
      /^--language frr is not a language code of stt-async-v4: did you mean fr\?/,
    );
    expect(() => catalogueOf({})).to.throw(TypeError, /not a SonioxClient/);
  });
});

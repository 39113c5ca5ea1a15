import { expect } from 'chai';
import { fixture } from '../helpers';

/**
 * The OpenAPI document's `GET /v1/tts-models`: "Retrieves list of available TTS models and their
 * attributes." (get_tts_models), answering `GetTTSModelsResponse` `{ "models": TTSModel[] }`,
 * each with `id`, `aliased_model_id`, `name`, `voices` (`{ id }`) and `languages`
 * (`{ code, name }`), all required. The SDK does not use text-to-speech; the mock answers the
 * route so a client that lists it (the official SDK's `tts.listModels()`) works offline.
 */
describe('mock: GET /v1/tts-models', () => {
  const t = fixture();

  it("answers the document's example: one model, its voices and languages", async () => {
    const res = await fetch(`${t.server.url}/v1/tts-models`, {
      headers: { Authorization: `Bearer ${t.server.apiKey}` },
    });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      models: Array<{
        id: string;
        aliased_model_id: string | null;
        name: string;
        voices: Array<{ id: string }>;
        languages: Array<{ code: string; name: string }>;
      }>;
    };
    expect(body.models.map((m) => [m.id, m.aliased_model_id, m.name])).to.deep.equal([
      ['tts-rt-v1-preview', null, 'TTS RT v1 Preview'],
    ]);
    const [model] = body.models;
    expect(model!.voices.map((v) => v.id)).to.include.members(['Maya', 'Daniel', 'Kenji']);
    expect(model!.voices).to.have.length(12);
    expect(model!.languages).to.have.length(63);
    expect(model!.languages).to.deep.include({ code: 'en', name: 'English' });
    for (const language of model!.languages) expect(language).to.have.all.keys('code', 'name');
  });

  it('answers 401 with the error body without a valid key, as every route', async () => {
    const res = await fetch(`${t.server.url}/v1/tts-models`);
    expect(res.status).to.equal(401);
    expect(await res.json()).to.include({ status_code: 401, error_type: 'unauthenticated' });
  });
});

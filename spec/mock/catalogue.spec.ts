import { expect } from 'chai';
import { validate } from '../../lib/schemas';
import type { ModelList } from '../../lib/types';
import { SECRET_KEY, fixture } from '../helpers';

describe('mock: the model catalogue', () => {
  const t = fixture();
  const models = async (): Promise<ModelList> => {
    const res = await fetch(`${t.server.url}/v1/models`, {
      headers: { Authorization: `Bearer ${SECRET_KEY}` },
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as ModelList;
  };

  it('lists the 60 languages of the current models, from Afrikaans to Welsh', async () => {
    const list = await models();
    for (const m of list.models) {
      expect(m.languages, m.id).to.have.length(60);
      expect(m.languages[0]).to.deep.equal({ code: 'af', name: 'Afrikaans' });
      expect(m.languages[59]).to.deep.equal({ code: 'cy', name: 'Welsh' });
      expect(m.languages.map((l) => l.code)).to.include.members(['en', 'es', 'zh', 'tl', 'no']);
    }
  });

  it('carries the newer supports_* fields: endpoint tuning on real-time models only', async () => {
    const list = await models();
    const rt = list.models.find((m) => m.id === 'stt-rt-v5');
    const async = list.models.find((m) => m.id === 'stt-async-v5');
    expect(rt).to.include({
      supports_language_hints_strict: true,
      supports_max_endpoint_delay: true,
      supports_endpoint_sensitivity: true,
      supports_endpoint_latency_adjustment: true,
      endpoint_latency_adjustment_max_level: 3,
    });
    expect(async).to.include({
      supports_max_endpoint_delay: false,
      supports_endpoint_sensitivity: false,
      supports_endpoint_latency_adjustment: false,
    });
    expect(validate('modelList', list)).to.deep.equal([]);
  });
});

describe('mock: what the catalogue lets a client do', () => {
  const t = fixture();
  const create = async (body: Record<string, unknown>) => {
    const res = await fetch(`${t.server.url}/v1/transcriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ audio_url: 'https://example.com/a.mp3', ...body }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const models = async (): Promise<ModelList> => {
    const res = await fetch(`${t.server.url}/v1/models`, {
      headers: { Authorization: `Bearer ${SECRET_KEY}` },
    });
    return (await res.json()) as ModelList;
  };

  it('names every language by a code and a name, in alphabetical order of the names, each once', async () => {
    const [first] = (await models()).models;
    const names = first!.languages.map((l) => l.name);
    const codes = first!.languages.map((l) => l.code);
    for (const { code, name } of first!.languages) {
      expect(code, name).to.match(/^[a-z]{2}$/);
      expect(name, code).to.match(/^[A-Z][a-z]+$/);
    }
    expect(names).to.deep.equal([...names].sort((a, b) => a.localeCompare(b)));
    expect(new Set(codes).size).to.equal(60);
    expect(new Set(names).size).to.equal(60);
  });

  it('lists the two current models and the two older ids aliased to them', async () => {
    const list = await models();
    expect(
      list.models.map((m) => [
        m.id,
        m.aliased_model_id,
        m.name,
        m.transcription_mode,
        m.context_version,
      ]),
    ).to.deep.equal([
      ['stt-rt-v5', null, 'Speech-to-Text Real-time v5', 'real_time', 2],
      ['stt-async-v5', null, 'Speech-to-Text Async v5', 'async', 2],
      ['stt-rt-v4', 'stt-rt-v5', 'Speech-to-Text Real-time v4', 'real_time', 2],
      ['stt-async-v4', 'stt-async-v5', 'Speech-to-Text Async v4', 'async', 2],
    ]);
  });

  it('offers translation between all languages and no endpoint tuning on async models', async () => {
    for (const m of (await models()).models) {
      expect(m, m.id).to.deep.include({
        supports_language_hints_strict: true,
        translation_targets: [],
        two_way_translation_pairs: [],
        one_way_translation: 'all_languages',
        two_way_translation: 'all_languages',
      });
      expect(m.endpoint_latency_adjustment_max_level, m.id).to.equal(
        m.transcription_mode === 'real_time' ? 3 : 0,
      );
    }
  });

  it('transcribes with an async model or its alias, and refuses a real-time one', async () => {
    expect((await create({ model: 'stt-async-v5' })).status).to.equal(201);
    expect((await create({ model: 'stt-async-v4' })).status).to.equal(201);
    const rt = await create({ model: 'stt-rt-v5' });
    expect(rt.status).to.equal(400);
    expect(rt.json.validation_errors).to.deep.equal([
      { error_type: 'value_error', location: 'body.payload.model', message: 'Invalid model' },
    ]);
  });

  it("accepts a hint of any listed language, the first and the last, and refuses one the model doesn't list", async () => {
    const ok = await create({ model: 'stt-async-v5', language_hints: ['af', 'cy'] });
    expect(ok.status).to.equal(201);
    const bad = await create({ model: 'stt-async-v5', language_hints: ['en', 'xx'] });
    expect(bad.status).to.equal(400);
    expect(bad.json.validation_errors).to.deep.equal([
      {
        error_type: 'value_error',
        location: 'body.payload.language_hints.1',
        message: 'Invalid language hint "xx".',
      },
    ]);
  });
});

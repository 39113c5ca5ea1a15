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

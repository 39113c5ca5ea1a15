/**
 * Issue 28: the endpoint options of a realtime session against the model list, where the
 * catalogue is at hand (the CLI's `soniox realtime`, or a caller's `checkRealtime`): the level
 * against the model's `endpoint_latency_adjustment_max_level`, each option against its
 * `supports_*` flag. Values the list does not speak of pass (the server decides).
 */
import { expect } from 'chai';
import { SonioxValidationError } from '../lib/errors';
import { catalogueOf, realtimeModelIssues } from '../lib/model-catalogue';
import { MODELS } from '../lib/mock/models';
import type { Model } from '../lib/types';
import { fixture, rejection } from './helpers';

const base = MODELS.find((m) => m.id === 'stt-rt-v5') as Model;
const limited: Model = {
  ...base,
  id: 'stt-rt-small',
  endpoint_latency_adjustment_max_level: 1,
  supports_endpoint_sensitivity: false,
  supports_max_endpoint_delay: false,
  supports_language_hints_strict: false,
};
const alias: Model = { ...limited, id: 'stt-rt-small-alias', aliased_model_id: 'stt-rt-small' };
const models = [base, limited, alias];
const fields = (params: Parameters<typeof realtimeModelIssues>[1]) =>
  realtimeModelIssues(models, params, 'stt-rt-v5').map((i) => i.field);

describe('the model check of realtime endpoint options', () => {
  it('refuses a latency level over the model’s endpoint_latency_adjustment_max_level', () => {
    const issues = realtimeModelIssues(
      models,
      { model: 'stt-rt-small', endpoint_latency_adjustment_level: 2 },
      'stt-rt-v5',
    );
    expect(issues).to.deep.equal([
      {
        field: 'endpoint_latency_adjustment_level',
        message: 'is 2; stt-rt-small allows at most 1 (endpoint_latency_adjustment_max_level)',
      },
    ]);
    expect(fields({ model: 'stt-rt-small', endpoint_latency_adjustment_level: 1 })).to.deep.equal(
      [],
    );
  });

  it('refuses each option the model does not support, by its supports_* flag (aliases too)', () => {
    for (const model of ['stt-rt-small', 'stt-rt-small-alias']) {
      expect(
        fields({
          model,
          endpoint_sensitivity: 0.5,
          max_endpoint_delay_ms: 1000,
          language_hints_strict: true,
        }),
      ).to.deep.equal(['max_endpoint_delay_ms', 'endpoint_sensitivity', 'language_hints_strict']);
    }
    expect(
      fields({ model: 'stt-rt-small', language_hints_strict: false, endpoint_sensitivity: 0 }),
    ).to.deep.equal(['endpoint_sensitivity']);
  });

  it('passes the default model with every option, and a model the list does not know', () => {
    const all = {
      endpoint_sensitivity: 0.5,
      max_endpoint_delay_ms: 1000,
      endpoint_latency_adjustment_level: 3,
      language_hints_strict: true,
    };
    expect(fields(all)).to.deep.equal([]);
    expect(fields({ ...all, model: 'stt-rt-v9' })).to.deep.equal([]);
  });

  describe('catalogueOf(client).checkRealtime, against the mock’s list', () => {
    const t = fixture();
    it('throws SonioxValidationError for a level over the max, and passes a valid one', async () => {
      const catalogue = catalogueOf(t.client);
      await catalogue.checkRealtime({ model: 'stt-rt-v5', endpoint_latency_adjustment_level: 3 });
      const error = await rejection(
        catalogue.checkRealtime(
          { model: 'stt-rt-v4', endpoint_latency_adjustment_level: 4 },
          { what: 'realtime' },
        ),
      );
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.equal(
        'realtime: endpoint_latency_adjustment_level is 4; stt-rt-v4 allows at most 3 (endpoint_latency_adjustment_max_level)',
      );
    });
  });
});

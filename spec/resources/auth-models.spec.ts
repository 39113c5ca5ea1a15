import { expect } from 'chai';
import { SonioxAuthenticationError, SonioxValidationError } from '../../lib/errors';
import { rejection, fixture } from '../helpers';

describe('resources/auth and resources/models', () => {
  const t = fixture();

  it('lists models with aliases', async () => {
    const client = t.client;
    const { models } = await client.models.list();
    const alias = models.find((m) => m.id === 'stt-rt-v4');
    expect(alias?.aliased_model_id).to.equal('stt-rt-v5');
  });

  it('creates a temporary key that the REST API refuses', async () => {
    const client = t.client;
    const key = await client.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
    });
    expect(key.api_key).to.match(/^temp:/);
    expect(Date.parse(key.expires_at)).to.be.greaterThan(Date.now());
    const temp = t.clientWith({ apiKey: key.api_key });
    expect(await rejection(temp.models.list())).to.be.instanceOf(SonioxAuthenticationError);
  });

  it('rejects out-of-range temporary key parameters before sending', async () => {
    const client = t.client;
    const error = await rejection(
      client.auth.createTemporaryKey({ usage_type: 'nope' as never, expires_in_seconds: 4000 }),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.include.members([
      'usage_type',
      'expires_in_seconds',
    ]);
    expect(t.server.state.hits['POST /v1/auth/temporary-api-key'] ?? 0).to.equal(0);
  });
});

import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { SonioxAuthenticationError, SonioxValidationError } from '../../lib/errors';
import { clientFor, mock, rejection } from '../helpers';

describe('resources/auth and resources/models', () => {
  let server: MockServer;
  beforeEach(async () => {
    server = await mock();
  });
  afterEach(() => server.close());

  it('lists models with aliases', async () => {
    const client = clientFor(server);
    const { models } = await client.models.list();
    const alias = models.find((m) => m.id === 'stt-rt-v4');
    expect(alias?.aliased_model_id).to.equal('stt-rt-v5');
    client.close();
  });

  it('creates a temporary key that the REST API refuses', async () => {
    const client = clientFor(server);
    const key = await client.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
    });
    expect(key.api_key).to.match(/^temp:/);
    expect(Date.parse(key.expires_at)).to.be.greaterThan(Date.now());
    const temp = clientFor(server, { apiKey: key.api_key });
    expect(await rejection(temp.models.list())).to.be.instanceOf(SonioxAuthenticationError);
    temp.close();
    client.close();
  });

  it('rejects out-of-range temporary key parameters before sending', async () => {
    const client = clientFor(server);
    const error = await rejection(
      client.auth.createTemporaryKey({ usage_type: 'nope' as never, expires_in_seconds: 4000 }),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.include.members([
      'usage_type',
      'expires_in_seconds',
    ]);
    expect(server.state.hits['POST /v1/auth/temporary-api-key'] ?? 0).to.equal(0);
    client.close();
  });
});

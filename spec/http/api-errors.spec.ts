/**
 * API errors say what the server said, briefly and without the key: validation details in the
 * message, a huge message cut to a sane length, the key redacted from every field.
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import { SonioxAPIError, SonioxBadRequestError } from '../../lib/errors';
import { SECRET_KEY, fixture, rejection } from '../helpers';

const CREATE = 'POST /v1/transcriptions';
const audio_url = 'https://example.com/a.mp3';

describe('http/error-mapping: what an API error says (over the wire)', () => {
  const t = fixture();

  it('puts a short form of validation_errors in the message: "model: Invalid model"', async () => {
    const client = t.clientWith();
    const error = await rejection(client.transcriptions.create({ audio_url, model: 'nope' }));
    expect(error).to.be.instanceOf(SonioxBadRequestError);
    expect(error.message).to.match(/Invalid request\..*body\.payload\.model: Invalid model/);
    client.close();
  });

  it('cuts a huge server message to a sane length', async () => {
    t.server.setFaults({
      http: [
        {
          route: CREATE,
          status: 400,
          json: {
            status_code: 400,
            error_type: 'invalid_request',
            message: 'x'.repeat(100_000),
            request_id: 'r1',
          },
        },
      ],
    });
    const client = t.clientWith();
    const error = await rejection(client.transcriptions.create({ audio_url }));
    expect(error.message.length).to.be.below(2_000);
    expect(error.message).to.match(/\[cut: 100000 characters\]/);
    client.close();
  });

  it('redacts the key from every field of an error body, not only the message', async () => {
    t.server.setFaults({
      http: [
        {
          route: CREATE,
          status: 400,
          json: {
            status_code: 400,
            error_type: `bad_${SECRET_KEY}`,
            message: `key ${SECRET_KEY} refused`,
            request_id: `req-${SECRET_KEY}`,
            more_info: `https://x/${SECRET_KEY}`,
            validation_errors: [
              {
                error_type: SECRET_KEY,
                location: `body.${SECRET_KEY}`,
                message: `is ${SECRET_KEY}`,
              },
            ],
          },
        },
      ],
    });
    const client = t.clientWith();
    const error = (await rejection(client.transcriptions.create({ audio_url }))) as SonioxAPIError;
    expect(error).to.be.instanceOf(SonioxAPIError);
    for (const shown of [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      String(error.stack),
    ]) {
      expect(shown).not.to.include(SECRET_KEY);
    }
    expect(error.errorType).to.equal('bad_[REDACTED]');
    expect(error.validationErrors[0]).to.deep.equal({
      error_type: '[REDACTED]',
      location: 'body.[REDACTED]',
      message: 'is [REDACTED]',
    });
    client.close();
  });
});

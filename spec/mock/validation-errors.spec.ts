import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { fixture } from '../helpers';

/**
 * The items of `validation_errors`, as the documentation words them (docs/api.md §3, the Errors
 * page): "validation_errors[] items: { "error_type": string, "location": string, "message":
 * string }", e.g. `{"error_type":"less_than_equal","location":"body.payload.expires_in_seconds",
 * "message":"Input should be less than or equal to 3600"}` and
 * `{"error_type":"missing","location":"file.file","message":"Field required"}`: one item per
 * field at fault, located at that field. A user's code that reads `error_type` of an item (or
 * shows its message) meets these words live, so the mock answers them too.
 */
interface Item {
  error_type: string;
  location: string;
  message: string;
}

async function post(server: MockServer, path: string, body: unknown): Promise<Item[]> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).to.equal(400);
  const answer = (await res.json()) as { error_type: string; validation_errors: Item[] };
  expect(answer.error_type).to.equal('invalid_request');
  return answer.validation_errors;
}

const KEY = '/v1/auth/temporary-api-key';
const CREATE = '/v1/transcriptions';
const URL_SOURCE = { model: 'stt-async-v5', audio_url: 'https://example.com/a.mp3' };

describe('mock: validation_errors in the documented words', () => {
  const t = fixture();

  it('a value over its maximum: less_than_equal, "Input should be less than or equal to N"', async () => {
    expect(
      await post(t.server, KEY, { usage_type: 'transcribe_websocket', expires_in_seconds: 3601 }),
    ).to.deep.equal([
      {
        error_type: 'less_than_equal',
        location: 'body.payload.expires_in_seconds',
        message: 'Input should be less than or equal to 3600',
      },
    ]);
  });

  it('a value under its minimum: greater_than_equal, the same wording', async () => {
    expect(
      await post(t.server, KEY, { usage_type: 'transcribe_websocket', expires_in_seconds: 0 }),
    ).to.deep.equal([
      {
        error_type: 'greater_than_equal',
        location: 'body.payload.expires_in_seconds',
        message: 'Input should be greater than or equal to 1',
      },
    ]);
  });

  it('a string over its length: string_too_long, as the upload route words it', async () => {
    expect(
      await post(t.server, CREATE, { ...URL_SOURCE, client_reference_id: 'x'.repeat(257) }),
    ).to.deep.equal([
      {
        error_type: 'string_too_long',
        location: 'body.payload.client_reference_id',
        message: 'String should have at most 256 characters',
      },
    ]);
  });

  it('a missing field: missing, "Field required"', async () => {
    expect(await post(t.server, KEY, { usage_type: 'transcribe_websocket' })).to.deep.equal([
      {
        error_type: 'missing',
        location: 'body.payload.expires_in_seconds',
        message: 'Field required',
      },
    ]);
  });

  it('one item per field at fault, at that field: no second item on its nullable parent', async () => {
    // A field that may also be null (`language_hints`, `translation`) used to add "Input must be
    // null" at the parent beside the real fault: an item for a field that is not at fault.
    const hints = await post(t.server, CREATE, { ...URL_SOURCE, language_hints: ['abcdefghijk'] });
    expect(hints.map((i) => i.location)).to.deep.equal(['body.payload.language_hints.0']);
    expect(hints[0]?.error_type).to.equal('string_too_long');
    const translation = await post(t.server, CREATE, {
      ...URL_SOURCE,
      translation: { type: 'one_way' },
    });
    expect(translation).to.deep.equal([
      {
        error_type: 'missing',
        location: 'body.payload.translation.target_language',
        message: 'Field required',
      },
    ]);
    const context = await post(t.server, CREATE, {
      ...URL_SOURCE,
      context: { general: [{ key: 'domain' }] },
    });
    expect(context).to.deep.equal([
      {
        error_type: 'missing',
        location: 'body.payload.context.general.0.value',
        message: 'Field required',
      },
    ]);
  });

  it('a field of the wrong type: one value_error item at that field, saying what it must be', async () => {
    expect(await post(t.server, CREATE, { ...URL_SOURCE, model: 123 })).to.deep.equal([
      {
        error_type: 'value_error',
        location: 'body.payload.model',
        message: 'Input must be string',
      },
    ]);
  });

  it('a body that is not a JSON object: one item located at the payload itself', async () => {
    for (const body of [[URL_SOURCE], 'stt-async-v5'])
      expect(await post(t.server, CREATE, body)).to.deep.equal([
        { error_type: 'value_error', location: 'body.payload', message: 'Input must be object' },
      ]);
  });

  it('two fields at fault whose names share a prefix: an item for each', async () => {
    const items = await post(t.server, CREATE, {
      ...URL_SOURCE,
      language_hints: 'en',
      language_hints_strict: 'yes',
    });
    expect(items.map((i) => i.location)).to.deep.equal([
      'body.payload.language_hints',
      'body.payload.language_hints_strict',
    ]);
  });
});

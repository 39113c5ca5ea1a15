import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { openSession } from './flows';

/**
 * The context page: "Maximum 8,000 tokens (~10,000 characters) ... If you exceed the limit, the
 * API will return an error", for async and realtime alike (an older guide said 20,000 for async).
 */
async function createWithContext(server: MockServer, context: unknown): Promise<Response> {
  return fetch(`${server.url}/v1/transcriptions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'stt-async-v5',
      audio_url: 'https://example.com/a.mp3',
      context,
    }),
  });
}

describe('mock: the context limit of the current documentation', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('async: refuses a context over 10,000 characters with the API error body, accepts 10,000', async () => {
    const refused = await createWithContext(t.server, { text: 'x'.repeat(10_001) });
    expect(refused.status).to.equal(400);
    const body = (await refused.json()) as {
      error_type: string;
      validation_errors: Array<{ location: string; message: string }>;
    };
    expect(body.error_type).to.equal('invalid_request');
    expect(body.validation_errors[0]?.location).to.equal('body.payload.context');
    expect(body.validation_errors[0]?.message).to.match(/10001 characters, at most 10000/);
    expect((await createWithContext(t.server, { text: 'x'.repeat(10_000) })).status).to.equal(201);
  });

  it('realtime: refuses a context over 10,000 characters with a 400 error frame', async () => {
    const s = await openSession(t.server, {
      model: 'stt-rt-v5',
      ...PCM,
      context: { text: 'x'.repeat(10_001) },
    });
    await s.closed();
    expect(s.messages[0]).to.include({ error_code: 400 });
    expect(s.messages[0]?.error_message).to.match(/Context is too long \(10001 characters/);
  });

  it('the limits are options: asyncContextChars and realtimeContextChars', async () => {
    const server = await t.serverWith({
      limits: { asyncContextChars: 20_000, realtimeContextChars: 100 },
    });
    expect((await createWithContext(server, { text: 'x'.repeat(15_000) })).status).to.equal(201);
    const s = await openSession(server, { model: 'stt-rt-v5', ...PCM, context: 'y'.repeat(101) });
    await s.closed();
    expect(s.messages[0]).to.include({ error_code: 400 });
  });
});

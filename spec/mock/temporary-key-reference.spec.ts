import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { PCM, fixture as audio } from '../audio';
import { fixture } from '../helpers';
import { openSession } from './flows';

/**
 * docs/api.md §7 (Temporary API keys, WebSocket API pages): a temporary key's
 * `client_reference_id` is "bound to the key, shows in usage logs", and "`client_reference_id`
 * in the WS config is ignored when the connection uses a temporary key". A browser can send any
 * reference in its start message; the server attributes the session to the key's.
 */
async function session(server: MockServer, apiKey: string, reference: string): Promise<void> {
  const s = await openSession(server, {
    api_key: apiKey,
    model: 'stt-rt-v5',
    ...PCM,
    client_reference_id: reference,
  });
  s.ws.send(audio('hello-world.wav').pcm);
  s.ws.send('');
  await s.closed();
  expect(s.messages.at(-1)).to.include({ finished: true });
}

async function references(server: MockServer): Promise<Array<string | null>> {
  const window = `start_time=${new Date(Date.now() - 3_600_000).toISOString()}&end_time=${new Date(Date.now() + 60_000).toISOString()}`;
  const res = await fetch(`${server.url}/v1/usage-logs?${window}&sort=end_time_asc`, {
    headers: { Authorization: `Bearer ${server.apiKey}` },
  });
  const body = (await res.json()) as { usage_logs: Array<{ client_reference_id: string | null }> };
  return body.usage_logs.map((l) => l.client_reference_id);
}

async function temporaryKey(server: MockServer, reference?: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/auth/temporary-api-key`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
      ...(reference === undefined ? {} : { client_reference_id: reference }),
    }),
  });
  return ((await res.json()) as { api_key: string }).api_key;
}

describe("mock: a temporary key's client_reference_id", () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it("attributes the session to the key's reference, not the start message's", async () => {
    await session(t.server, await temporaryKey(t.server, 'tenant-42'), 'forged-by-browser');
    await session(t.server, await temporaryKey(t.server), 'forged-too');
    await session(t.server, t.server.apiKey, 'server-side');
    expect(await references(t.server)).to.deep.equal(['tenant-42', null, 'server-side']);
  });
});

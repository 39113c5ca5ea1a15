import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { CLOCK, SECOND, delivered, errorOf, openSession } from './flows';

/**
 * The realtime session limits a user testing against the mock runs into (docs/api.md §8.2,
 * §8.6): the context's size counted over all of a structured context, as the API counts it.
 */
const START = { model: 'stt-rt-v5', ...PCM };

/** A temporary key for realtime sessions of at most `seconds`. */
async function temporaryKey(server: MockServer, seconds: number): Promise<string> {
  const res = await fetch(`${server.url}/v1/auth/temporary-api-key`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 600,
      max_session_duration_seconds: seconds,
    }),
  });
  return ((await res.json()) as { api_key: string }).api_key;
}

/** The first error frame of a session started with `context`, once it has closed or finished. */
async function contextAnswer(server: MockServer, context: unknown) {
  const s = await openSession(server, { ...START, context });
  s.ws.send('');
  await s.closed();
  return s.messages.find((m) => m.error_code !== undefined);
}

describe('mock: realtime session limits', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  describe('a structured context counts every string in it', () => {
    // Each context below holds exactly 40 characters; the limit is 40.
    const limited = () => t.serverWith({ limits: { realtimeContextChars: 40 } });
    const contexts: Record<string, (extra: string) => unknown> = {
      text: (x) => ({ text: 'a'.repeat(40) + x }),
      'general keys and values': (x) => ({
        general: [
          { key: 'domain', value: 'medicine' + x },
          { key: 'topic', value: 'a'.repeat(40 - 6 - 8 - 5) },
        ],
      }),
      terms: (x) => ({ terms: ['a'.repeat(20), 'b'.repeat(20) + x] }),
      'translation terms, source and target': (x) => ({
        translation_terms: [
          { source: 'a'.repeat(10), target: 'b'.repeat(10) + x },
          { source: 'c'.repeat(10), target: 'd'.repeat(10) },
        ],
      }),
      'all parts together': (x) => ({
        text: 'a'.repeat(10),
        general: [{ key: 'k'.repeat(5), value: 'v'.repeat(5) }],
        terms: ['t'.repeat(10)],
        translation_terms: [{ source: 's'.repeat(5), target: 'u'.repeat(5) + x }],
      }),
    };
    for (const [what, context] of Object.entries(contexts)) {
      it(`${what}: 40 characters pass a 40-character limit, 41 end with a 400 naming the count`, async () => {
        const server = await limited();
        expect(await contextAnswer(server, context(''))).to.equal(undefined);
        const refused = await contextAnswer(server, context('x'));
        expect(refused).to.include({ error_code: 400 });
        expect(refused?.error_message).to.equal('Context is too long (41 characters, at most 40).');
      });
    }

    it('a plain string context (older revisions) counts its length', async () => {
      const server = await limited();
      expect(await contextAnswer(server, 'a'.repeat(40))).to.equal(undefined);
      expect(await contextAnswer(server, 'a'.repeat(41))).to.include({ error_code: 400 });
    });
  });

  describe('on a simulated clock', () => {
    const c = fixture({ mock: { realtimeErrorShape: 'rich' }, clock: CLOCK });

    it('a temporary key allowing more than the stream limit ends at the stream limit, with its error', async () => {
      const server = await c.serverWith({
        limits: { streamDurationMs: 30_000 },
        realtimeIdleTimeoutMs: 2 ** 31 - 1,
        realtimeErrorShape: 'rich',
      });
      const s = await openSession(server, { ...START, api_key: await temporaryKey(server, 60) });
      await delivered(s);
      c.clock.tick(29_999);
      await delivered(s);
      expect(errorOf(s)).to.equal(undefined);
      c.clock.tick(1);
      await s.closed();
      expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
      expect(errorOf(s)?.error_message).to.equal('Maximum stream duration (0.5 minutes) reached.');
    });

    it("a temporary key's expiry names its duration", async () => {
      const s = await openSession(c.server, { ...START, api_key: await temporaryKey(c.server, 5) });
      await delivered(s);
      c.clock.tick(5000);
      await s.closed();
      expect(errorOf(s)?.error_message).to.equal(
        "The temporary API key's maximum session duration (5 s) was exceeded.",
      );
    });

    it('a stream limit past what a timer holds (24.8 days) is no limit, not an instant end', async () => {
      const server = await c.serverWith({
        limits: { streamDurationMs: 2 ** 40 },
        realtimeIdleTimeoutMs: 2 ** 31 - 1,
      });
      const s = await openSession(server, START);
      await delivered(s);
      c.clock.tick(60_000);
      await delivered(s);
      expect(errorOf(s)).to.equal(undefined);
    });

    it('audio ahead of real time ends with how far ahead it ran and the allowed lead', async () => {
      const server = await c.serverWith({ cadence: { maxAheadMs: 2000 } });
      const s = await openSession(server, START);
      for (let i = 0; i < 3; i++) s.ws.send(SECOND);
      await s.closed();
      expect(errorOf(s)?.error_message).to.equal(
        'Audio is arriving faster than real time (3 s ahead, at most 2 s); send it at real-time pace.',
      );
    });

    it('a session that ended leaves no timer behind (a test process can exit)', async () => {
      const server = await c.serverWith({ realtimePacing: false });
      const s = await openSession(server, START);
      s.ws.send(SECOND);
      s.ws.send('');
      await s.closed();
      await delivered(s);
      expect(c.clock.countTimers()).to.equal(0);
    });
  });
});

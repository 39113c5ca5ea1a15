import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { openSession } from './flows';

/**
 * The realtime session limits a user testing against the mock runs into (docs/api.md §8.2,
 * §8.6): the context's size counted over all of a structured context, as the API counts it.
 */
const START = { model: 'stt-rt-v5', ...PCM };

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
});

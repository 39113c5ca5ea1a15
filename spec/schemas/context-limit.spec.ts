import { expect } from 'chai';
import { SonioxValidationError } from '../../lib/errors';
import { realtimeConfigIssues } from '../../lib/realtime/protocol';
import { fixture, rejection } from '../helpers';

// docs/api.md §5: "Maximum 8,000 tokens (~10,000 characters) ... If you exceed the limit, the
// API will return an error" (the context page, async and realtime alike).
const audio_url = 'https://example.com/call.mp3';
const START = { model: 'stt-rt-v5', audio_format: 'auto' };
const over = { general: [{ key: 'domain', value: 'x'.repeat(4_994) }], terms: ['y'.repeat(5_001)] };
const at = { text: 'x'.repeat(9_000), terms: ['y'.repeat(1_000)] };

describe('schemas: the documented context limit (~10,000 characters)', () => {
  const t = fixture();

  it('async: refuses 10,001 characters of context before sending, string or structured', async () => {
    for (const context of [over, 'x'.repeat(10_001)]) {
      const error = await rejection(t.client.transcriptions.create({ audio_url, context }));
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.match(/context .*10001 characters.*10,000 characters/);
      expect((error as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
        'context',
      ]);
    }
    expect(t.server.received.transcriptions).to.have.length(0);
  });

  it('async: accepts exactly 10,000 characters', async () => {
    const created = await t.client.transcriptions.create({ audio_url, context: at });
    expect(created.status).to.equal('queued');
  });

  it('realtime: refuses 10,001 characters of context, string or structured, and takes 10,000', () => {
    for (const context of [over, 'x'.repeat(10_001)]) {
      const issues = realtimeConfigIssues({ ...START, context }, {});
      expect(issues.map((i) => i.field)).to.deep.equal(['context']);
      expect(issues[0]?.message).to.match(/10001 characters.*10,000 characters/);
    }
    expect(realtimeConfigIssues({ ...START, context: at }, {})).to.deep.equal([]);
    expect(realtimeConfigIssues({ ...START, context: 'x'.repeat(10_000) }, {})).to.deep.equal([]);
  });
});

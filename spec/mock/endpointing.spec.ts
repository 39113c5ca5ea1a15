import { expect } from 'chai';
import type { RealtimeMessage } from '../../lib/types';
import { fixture as audioFixture } from '../audio';
import { fixture } from '../helpers';
import { finalsOf, streamFixture } from './flows';

/**
 * `max_endpoint_delay_ms` is documented as the "Maximum delay between the end of speech and
 * returned endpoint" (500..3000, default 2000): an endpoint comes after a short pause, sooner
 * with a higher `endpoint_sensitivity` ("Higher values make endpoints more likely") or latency
 * adjustment level ("endpoints are returned sooner"), and never later than that maximum.
 */
const ENDPOINTS = { enable_endpoint_detection: true };

/** The audio position of each `<end>` (its message's final_audio_proc_ms). */
const endpointsAt = (messages: RealtimeMessage[]) =>
  messages
    .filter((m) => m.tokens.some((t) => t.text === '<end>'))
    .map((m) => m.final_audio_proc_ms);

describe('mock: endpoints at most max_endpoint_delay_ms after the end of speech', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('conversation-two.wav gives its three turns under the default settings (pauses of ~2 s)', async () => {
    const messages = await streamFixture(t.server, 'conversation-two.wav', ENDPOINTS);
    const texts = finalsOf(messages).map((x) => x.text.trim());
    const turns = texts
      .join(' ')
      .split(' <end>')
      .map((s) => s.trim());
    const segments = audioFixture('conversation-two.wav').segments ?? [];
    expect(turns.slice(0, 3)).to.deep.equal(segments.map((s) => s.text.replace(/[.,?!]/g, '')));
    expect(texts.filter((x) => x === '<end>')).to.have.length(2);
  });

  for (const max of [500, 1000, 2000, 3000]) {
    it(`each <end> at most ${max} ms after the turn's last word ends`, async () => {
      const messages = await streamFixture(t.server, 'conversation-three.wav', {
        ...ENDPOINTS,
        max_endpoint_delay_ms: max,
      });
      const ends = audioFixture('conversation-three.wav').segments?.map((s) => s.end_ms) ?? [];
      const at = endpointsAt(messages);
      expect(at.length).to.be.at.least(2);
      at.slice(0, 2).forEach((ms, i) => expect((ms ?? 0) - ends[i]!).to.be.within(1, max));
    });
  }

  it('a higher endpoint_sensitivity and a higher latency level bring the <end> sooner', async () => {
    const first = async (extra: object) =>
      endpointsAt(await streamFixture(t.server, 'two-phrases.wav', { ...ENDPOINTS, ...extra }))[0];
    const neutral = await first({});
    const eager = await first({ endpoint_sensitivity: 1 });
    const patient = await first({ endpoint_sensitivity: -1 });
    const adjusted = await first({ endpoint_latency_adjustment_level: 3 });
    expect(eager).to.be.below(neutral as number);
    expect(patient).to.be.above(neutral as number);
    expect(adjusted).to.be.below(neutral as number);
    // Patient, but still no later than the documented maximum (default 2000 ms).
    expect((patient as number) - 1040).to.be.at.most(2000);
  });
});

import { expect } from 'chai';
import { G711_ALAW, G711_MULAW } from '../../lib/mock/g711';
import type { RealtimeMessage } from '../../lib/types';
import { fixture as audioFixture } from '../audio';
import { fixture } from '../helpers';
import { finalsOf, openSession } from './flows';
import { linearToAlaw, linearToMulaw, toPhone } from './g711-encode';

/**
 * Phone audio: Soniox takes `mulaw` and `alaw` at 8 kHz natively (raw formats with
 * `sample_rate` and `num_channels`). The mock recognises the fixtures sent that way as it does
 * 16 kHz PCM: words, speakers, endpoints (it gave placeholder words and no endpoints).
 */
const START = {
  model: 'stt-rt-v5',
  sample_rate: 8000,
  num_channels: 1,
  enable_speaker_diarization: true,
  enable_endpoint_detection: true,
};

async function phoneSession(
  server: Parameters<typeof openSession>[0],
  law: 'mulaw' | 'alaw',
  audio: Buffer,
): Promise<RealtimeMessage[]> {
  const s = await openSession(server, { ...START, audio_format: law });
  for (let at = 0; at < audio.length; at += 160) s.ws.send(audio.subarray(at, at + 160));
  s.ws.send('');
  await s.closed();
  return s.messages;
}

describe('mock: phone audio (mu-law and A-law at 8 kHz)', () => {
  it('decodes G.711 by the standard tables', () => {
    expect([G711_MULAW[0xff], G711_MULAW[0x7f], G711_MULAW[0x00], G711_MULAW[0x80]]).to.deep.equal([
      0, 0, -32124, 32124,
    ]);
    expect([G711_ALAW[0xd5], G711_ALAW[0x55], G711_ALAW[0xaa], G711_ALAW[0x2a]]).to.deep.equal([
      8, -8, 32256, -32256,
    ]);
    // Encoding then decoding keeps a sample within the law's step at its magnitude.
    for (const s of [0, 100, -100, 1000, -5000, 12345, -32000]) {
      expect(Math.abs(G711_MULAW[linearToMulaw(s)]! - s)).to.be.at.most(Math.abs(s) / 16 + 8);
      expect(Math.abs(G711_ALAW[linearToAlaw(s)]! - s)).to.be.at.most(Math.abs(s) / 16 + 16);
    }
  });

  const t = fixture({ mock: { realtimePacing: false } });

  for (const [law, resample] of [
    ['mulaw', 'average'],
    ['alaw', 'drop'],
  ] as const) {
    it(`${law} (8 kHz by ${resample === 'drop' ? 'decimation' : 'averaging'}): the fixture's words, speakers and endpoints`, async () => {
      const audio = audioFixture('conversation-two.wav');
      const messages = await phoneSession(t.server, law, toPhone(audio.pcm, law, resample));
      const finals = finalsOf(messages);
      const words = finals.filter((x) => x.text !== '<end>');
      expect(words.map((x) => x.text.trim())).to.deep.equal(audio.words.map((w) => w.text));
      expect(words.map((x) => x.speaker)).to.deep.equal(audio.words.map((w) => w.speaker));
      words.forEach((x, i) => expect(x.start_ms).to.be.closeTo(audio.words[i]!.start_ms, 20));
      expect(finals.filter((x) => x.text === '<end>')).to.have.length(2);
    });
  }

  it('mid-way (a resumed stream): the words after its start, timed from it', async () => {
    const audio = audioFixture('conversation-three.wav');
    // From 3.0 s: the second turn on (it starts at 3.61 s).
    const phone = toPhone(audio.pcm, 'mulaw', 'average').subarray(3 * 8000);
    const messages = await phoneSession(t.server, 'mulaw', phone);
    const words = finalsOf(messages).filter((x) => x.text !== '<end>');
    const expected = audio.words.filter((w) => w.start_ms >= 3000);
    expect(words.map((x) => x.text.trim())).to.deep.equal(expected.map((w) => w.text));
    expect(words[0]!.start_ms).to.be.closeTo(expected[0]!.start_ms - 3000, 20);
  });

  it('16-bit PCM at 8 kHz (a rate no fixture has) is found the same way', async () => {
    const audio = audioFixture('weather.wav');
    const pcm8k = Buffer.alloc(Math.floor(audio.pcm.length / 4) * 2);
    for (let i = 0; i < pcm8k.length / 2; i++)
      pcm8k.writeInt16LE(audio.pcm.readInt16LE(i * 4), i * 2);
    const s = await openSession(t.server, { ...START, audio_format: 'pcm_s16le' });
    s.ws.send(pcm8k);
    s.ws.send('');
    await s.closed();
    const words = finalsOf(s.messages).filter((x) => x.text !== '<end>');
    expect(words.map((x) => x.text.trim())).to.deep.equal(audio.words.map((w) => w.text));
  });

  it('other 8 kHz mu-law audio still gets placeholder words', async () => {
    const tone = Buffer.alloc(16_000);
    for (let i = 0; i < tone.length; i++)
      tone[i] = linearToMulaw(Math.round(6000 * Math.sin((i * 2 * Math.PI * 440) / 8000)));
    const messages = await phoneSession(t.server, 'mulaw', tone);
    expect(finalsOf(messages).map((x) => x.text.trim())).to.include('lorem');
  });
});

import { expect } from 'chai';
import type { RealtimeMessage } from '../../lib/types';
import { PCM, fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { finalsOf, openSession } from './flows';

/** The final token texts of a session, `<end>` included. */
const finalTexts = (messages: RealtimeMessage[]) => finalsOf(messages).map((t) => t.text.trim());

describe('mock: endpoints come from the pauses in the audio', () => {
  const START = {
    model: 'stt-rt-v5',
    enable_endpoint_detection: true,
    max_endpoint_delay_ms: 1000,
  };
  // The fixture ends ~0.7 s after "you": shorter than the 800 ms pause (endpointing.ts), no second endpoint.
  const EXPECTED = ['good', 'morning', '<end>', 'how', 'are', 'you'];

  describe('paced by a fake clock', () => {
    // The mock paces results by wall-clock time: fake it, so a 4.5 s stream takes no real time.
    const t = fixture({ clock: { toFake: ['setInterval', 'clearInterval', 'Date'] } });

    it('a burst of raw PCM gets an <end> after each pause, as a paced send does', async () => {
      const server = t.server;
      const clock = t.clock;
      const pcm = audioFixture('two-phrases.wav').pcm;
      const settle = async () => {
        await until(() => burst.ws.bufferedAmount === 0);
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      };
      const burst = await openSession(server, { ...START, ...PCM });
      burst.ws.send(pcm);
      await settle();
      for (let ms = 0; ms < 5000; ms += 100) clock.tick(100);
      burst.ws.send('');
      await burst.closed();
      expect(finalTexts(burst.messages)).to.deep.equal(EXPECTED);

      // The same audio in 100 ms frames, one per 100 ms.
      const paced = await openSession(server, { ...START, ...PCM });
      for (let at = 0; at < pcm.length; at += 3200) {
        paced.ws.send(pcm.subarray(at, at + 3200));
        await until(() => paced.ws.bufferedAmount === 0);
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        clock.tick(100);
      }
      paced.ws.send('');
      await paced.closed();
      expect(finalTexts(paced.messages)).to.deep.equal(EXPECTED);
      // Paced, the endpoint came while audio was still arriving, not at the end.
      const endAt = paced.messages.findIndex((m) => m.tokens.some((t) => t.text === '<end>'));
      expect(paced.messages.slice(endAt + 1).some((m) => m.tokens.length > 0)).to.equal(true);
    });
  });

  describe('unpaced', () => {
    const t = fixture({ mock: { realtimePacing: false } });

    it('a WAV stream sent at once gets the same endpoints; the unpaced mock too', async () => {
      const server = t.server;
      const s = await openSession(server, { ...START, audio_format: 'wav' });
      s.ws.send(audioFixture('two-phrases.wav').wav);
      s.ws.send('');
      await s.closed();
      expect(finalTexts(s.messages)).to.deep.equal(EXPECTED);
    });

    it('no <end> without enable_endpoint_detection, and none for containers it cannot decode', async () => {
      const server = t.server;
      const off = await openSession(server, { ...START, ...PCM, enable_endpoint_detection: false });
      off.ws.send(audioFixture('two-phrases.wav').pcm);
      off.ws.send('');
      await off.closed();
      expect(finalTexts(off.messages)).not.to.include('<end>');
      const mp3 = await openSession(server, { ...START, audio_format: 'mp3' });
      mp3.ws.send(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(64_000 - 3)]));
      mp3.ws.send('');
      await mp3.closed();
      expect(finalTexts(mp3.messages)).not.to.include('<end>');
    });
  });
});

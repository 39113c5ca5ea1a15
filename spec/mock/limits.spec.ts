import { expect } from 'chai';
import { PCM, fixture as audioFixture } from '../audio';
import { fixture, mock } from '../helpers';
import { CLOCK, SECOND, delivered, errorOf, openSession } from './flows';

const START = { model: 'stt-rt-v5', ...PCM };

describe('mock: realtime cadence and session limits', () => {
  describe('with the default rules', () => {
    const t = fixture({ mock: { realtimeErrorShape: 'rich' }, clock: CLOCK });

    it('drops a session whose audio runs more than 60 s ahead of real time (the default)', async () => {
      const s = await openSession(t.server, START);
      for (let i = 0; i < 60; i++) s.ws.send(SECOND);
      await delivered(s);
      expect(errorOf(s)).to.equal(undefined);
      s.ws.send(SECOND);
      s.ws.send(SECOND);
      await s.closed();
      expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
      expect(errorOf(s)?.error_message).to.match(/faster than real time/);
    });

    it('ends a session after 20 s without audio or keepalive with a 408; keepalives hold it open', async () => {
      const s = await openSession(t.server, START);
      for (let i = 0; i < 4; i++) {
        t.clock.tick(10_000);
        s.ws.send(JSON.stringify({ type: 'keepalive' }));
        await delivered(s);
      }
      expect(errorOf(s)).to.equal(undefined);
      t.clock.tick(20_000);
      await s.closed();
      expect(errorOf(s)).to.include({ error_code: 408, error_type: 'request_timeout' });
    });

    it("ends a temporary key's session after its max_session_duration_seconds", async () => {
      const res = await fetch(`${t.server.url}/v1/auth/temporary-api-key`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.server.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          usage_type: 'transcribe_websocket',
          expires_in_seconds: 60,
          max_session_duration_seconds: 15,
        }),
      });
      const { api_key } = (await res.json()) as { api_key: string };
      const s = await openSession(t.server, { ...START, api_key });
      s.ws.send(SECOND);
      await delivered(s);
      t.clock.tick(14_999);
      await delivered(s);
      expect(errorOf(s)).to.equal(undefined);
      t.clock.tick(1);
      await s.closed();
      expect(errorOf(s)).to.include({
        error_code: 403,
        error_type: 'temp_api_key_session_expired',
      });
    });

    it('refuses a context over the limit: error frame (realtime) and 400 body (async)', async () => {
      const s = await openSession(t.server, {
        ...START,
        context: { terms: Array.from({ length: 1001 }, () => 'abcdefghij') },
      });
      await s.closed();
      expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
      expect(errorOf(s)?.error_message).to.match(/Context is too long \(10010 characters/);
      const res = await fetch(`${t.server.url}/v1/transcriptions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.server.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          model: 'stt-async-v5',
          audio_url: 'https://example.com/a.mp3',
          context: { text: 'x'.repeat(20_001) },
        }),
      });
      expect(res.status).to.equal(400);
      const body = (await res.json()) as { validation_errors: Array<{ location: string }> };
      expect(body.validation_errors[0]?.location).to.equal('body.payload.context');
    });
  });

  describe('with a 2 s cadence threshold', () => {
    const t = fixture({ mock: { cadence: { maxAheadMs: 2000 } }, clock: CLOCK });

    it('accepts audio at real-time pace past the threshold, and any burst with cadence off', async () => {
      const paced = await openSession(t.server, START);
      for (let i = 0; i < 5; i++) {
        paced.ws.send(SECOND);
        await delivered(paced);
        t.clock.tick(1000);
      }
      paced.ws.send('');
      await paced.closed();
      expect(errorOf(paced)).to.equal(undefined);
      expect(paced.messages.at(-1)?.finished).to.equal(true);
      const burst = await openSession(t.server, START);
      for (let i = 0; i < 4; i++) burst.ws.send(SECOND);
      await burst.closed();
      expect(errorOf(burst)?.error_code).to.equal(400);

      const server = await mock({ cadence: false });
      t.defer(() => server.close());
      const free = await openSession(server, START);
      for (let i = 0; i < 90; i++) free.ws.send(SECOND);
      free.ws.send('');
      await free.closed();
      expect(errorOf(free)).to.equal(undefined);
    });
  });

  describe('with no idle limit', () => {
    const t = fixture({
      mock: { realtimeIdleTimeoutMs: 2 ** 31 - 1, realtimeErrorShape: 'rich' },
      clock: CLOCK,
    });

    it('ends a session at the 300-minute stream limit (simulated clock)', async () => {
      const s = await openSession(t.server, START);
      await delivered(s);
      t.clock.tick(300 * 60_000 - 1);
      await delivered(s);
      expect(errorOf(s)).to.equal(undefined);
      t.clock.tick(1);
      await s.closed();
      expect(errorOf(s)).to.include({ error_code: 400, error_type: 'invalid_request' });
      expect(errorOf(s)?.error_message).to.match(/300 minutes/);
    });
  });

  describe('unpaced', () => {
    const t = fixture({ mock: { realtimePacing: false } });

    it('an empty binary frame is not the end of audio; the empty text frame is', async () => {
      const pcm = audioFixture('hello-world.wav').pcm;
      const half = pcm.length / 2;
      const s = await openSession(t.server, START);
      s.ws.send(pcm.subarray(0, half));
      s.ws.send(Buffer.alloc(0));
      s.ws.send(pcm.subarray(half));
      await delivered(s);
      expect(s.messages.some((m) => m.finished)).to.equal(false);
      s.ws.send('');
      await s.closed();
      const finals = s.messages.flatMap((m) => m.tokens).filter((t) => t.is_final);
      expect(finals.map((t) => t.text).join('')).to.equal(audioFixture('hello-world.wav').text);
      expect(s.messages.at(-1)?.finished).to.equal(true);
    });
  });
});

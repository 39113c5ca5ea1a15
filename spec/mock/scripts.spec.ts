import { expect } from 'chai';
import { PCM, fixture as audioFixture } from '../audio';
import { clientFor, fixture, until } from '../helpers';
import { openSession, transcribeFixture } from './flows';

const START = { model: 'stt-rt-v5', ...PCM };
/** 16 kHz s16le mono: 32 bytes per ms. */
const ms = (n: number) => Buffer.alloc(n * 32);

describe('mock: scripts for users’ own tests', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('realtime: answers exactly the scripted steps as audio arrives, then ends with the scripted error', async () => {
    t.server.scripts.realtime({
      steps: [
        {
          on: { audioMs: 100 },
          tokens: [{ text: 'Hel', start_ms: 20, end_ms: 90, is_final: false }],
        },
        {
          on: { audioMs: 300 },
          tokens: [
            { text: 'Hello', start_ms: 20, end_ms: 200, speaker: '2', language: 'en' },
            {
              text: 'Hola',
              translation_status: 'translation',
              language: 'es',
              source_language: 'en',
            },
          ],
          endpoint: true,
        },
        { on: { audioMs: 500 }, error: { code: 503 } },
      ],
    });
    const s = await openSession(t.server, { ...START, client_reference_id: 'mine' });
    s.ws.send(ms(150));
    await until(() => s.messages.length === 1);
    expect(s.messages[0]).to.deep.equal({
      tokens: [{ text: 'Hel', start_ms: 20, end_ms: 90, is_final: false }],
      final_audio_proc_ms: 0,
      total_audio_proc_ms: 150,
    });
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    s.ws.send(ms(200));
    await until(() => s.messages.length === 2);
    expect(s.messages[1]?.tokens.map((x) => x.text)).to.deep.equal(['Hello', 'Hola', '<end>']);
    expect(s.messages[1]?.tokens[0]).to.include({ speaker: '2', language: 'en', is_final: true });
    s.ws.send(ms(200));
    await s.closed();
    // The documented two-field frame: no type was scripted.
    expect(s.messages[2]).to.deep.equal({
      error_code: 503,
      error_message: 'Cannot continue request (code 1). Please restart the request.',
    });

    const [received] = t.server.received.sessions;
    expect(received?.start).to.include({ model: 'stt-rt-v5', client_reference_id: 'mine' });
    expect(received?.audioBytes).to.equal(550 * 32);
    expect(Buffer.concat(received?.audio ?? []).length).to.equal(550 * 32);
    expect(received?.controls).to.deep.equal([{ type: 'keepalive' }]);
  });

  it('realtime: a finalize step answers the finalize with <fin>; a drop cuts the connection', async () => {
    t.server.scripts.realtime({
      clientReferenceId: 'second',
      steps: [{ on: { audioMs: 0 }, drop: true }],
    });
    t.server.scripts.realtime({
      clientReferenceId: 'first',
      steps: [
        { on: 'finalize', tokens: [{ text: 'done', start_ms: 0, end_ms: 100 }] },
        { on: 'end-of-audio', tokens: [{ text: ' bye', start_ms: 100, end_ms: 200 }] },
      ],
    });
    const first = await openSession(t.server, { ...START, client_reference_id: 'first' });
    first.ws.send(ms(100));
    first.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => first.messages.length === 1);
    expect(first.messages[0]?.tokens.map((x) => x.text)).to.deep.equal(['done', '<fin>']);
    first.ws.send('');
    await first.closed();
    expect(first.messages.map((m) => m.tokens.map((x) => x.text).join('|'))).to.deep.equal([
      'done|<fin>',
      ' bye',
      '',
    ]);
    expect(first.messages.at(-1)?.finished).to.equal(true);
    expect(t.server.received.sessions[0]?.endOfAudio).to.equal(true);
    expect(t.server.received.sessions[0]?.controls).to.deep.equal([{ type: 'finalize' }]);

    const second = await openSession(t.server, { ...START, client_reference_id: 'second' });
    second.ws.send(ms(10));
    expect(await second.closed()).to.equal(1006);
    expect(second.messages).to.deep.equal([]);
  });

  it('async: a transcription of a scripted file name answers its tokens; another fails as scripted', async () => {
    t.server.scripts.transcription({
      filename: 'hello-world.wav',
      tokens: [
        { text: 'Scripted', start_ms: 0, end_ms: 500, confidence: 0.99, speaker: '3' },
        { text: ' words', start_ms: 500, end_ms: 900, confidence: 0.98, speaker: '3' },
      ],
    });
    t.server.scripts.transcription({
      filename: 'weather.wav',
      error: { type: 'audio_decode_error', message: 'Scripted failure.' },
    });
    const tokens = await transcribeFixture(t.server, 'hello-world.wav', {
      client_reference_id: 'job-1',
    });
    expect(tokens.map((x) => `${x.text}/${x.speaker}`)).to.deep.equal(['Scripted/3', ' words/3']);
    const failed = await transcribeFixture(t.server, 'weather.wav').catch((e: Error) => e);
    expect(failed).to.be.instanceOf(Error);
    const job = [...t.server.state.transcriptions.values()].at(-1)?.transcription;
    expect(job).to.include({ status: 'error', error_type: 'audio_decode_error' });
    const received = t.server.received.transcriptions;
    expect(received.map((r) => r.filename)).to.deep.equal(['hello-world.wav', 'weather.wav']);
    expect(received[0]?.request).to.include({
      model: 'stt-async-v5',
      client_reference_id: 'job-1',
    });
    // Unscripted sessions and files behave as before.
    t.server.scripts.clear();
    expect(t.server.received.transcriptions).to.deep.equal([]);
    const plain = await transcribeFixture(t.server, 'hello-world.wav');
    expect(plain.map((x) => x.text).join('')).to.equal(audioFixture('hello-world.wav').text);
  });
  it('keeps only the most recent receivedLimit records, so a long-running mock does not grow', async () => {
    const server = await t.serverWith({ receivedLimit: 2 });
    const client = clientFor(server);
    t.defer(() => client.close());
    for (const ref of ['a', 'b', 'c']) {
      await client.transcriptions.create({
        model: 'stt-async-v5',
        audio_url: 'https://example.com/x.wav',
        client_reference_id: ref,
      });
    }
    const refs = server.received.transcriptions.map((r) => r.request.client_reference_id);
    expect(refs).to.deep.equal(['b', 'c']);
  });
});

/**
 * Realtime and async scripts as a user writing tests against the mock relies on them: which
 * session a script serves, when its steps run (audio, finalize, end of audio), the shape of
 * the messages they make (finals first, counters that never go back), and which async script
 * answers a file.
 */
import { expect } from 'chai';
import { PCM, fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { openSession, transcribeFixture, type RawSession } from './flows';

const START = { model: 'stt-rt-v5', ...PCM };
/** 16 kHz s16le mono: 32 bytes per ms. */
const ms = (n: number) => Buffer.alloc(n * 32);
const texts = (s: RawSession) => s.messages.map((m) => m.tokens.map((x) => x.text).join('|'));

describe('mock: script steps, as a user writing tests relies on them', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('runs the steps still waiting for audio at the end of audio, then finishes', async () => {
    t.server.scripts.realtime({
      steps: [
        { on: { audioMs: 50 }, tokens: [{ text: 'early' }] },
        { on: { audioMs: 5000 }, tokens: [{ text: 'late' }] },
        { on: 'end-of-audio', tokens: [{ text: 'flushed' }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    await until(() => s.messages.length === 1);
    s.ws.send('');
    expect(await s.closed()).to.equal(1000);
    expect(texts(s)).to.deep.equal(['early', 'late', 'flushed', '']);
    expect(s.messages.map((m) => m.finished ?? false)).to.deep.equal([false, false, false, true]);
    // The documented last message: no tokens, the counters, `finished`.
    expect(s.messages.at(-1)?.tokens).to.deep.equal([]);
  });

  it('runs every step without a trigger on the first audio, not one per audio frame', async () => {
    t.server.scripts.realtime({
      steps: [{ tokens: [{ text: 'one' }] }, { tokens: [{ text: 'two' }] }],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(1));
    await until(() => s.messages.length === 2);
    expect(texts(s)).to.deep.equal(['one', 'two']);
  });

  it('a finalize before any audio runs the steps without a trigger first', async () => {
    t.server.scripts.realtime({
      steps: [{ tokens: [{ text: 'ready' }] }, { on: 'finalize', tokens: [{ text: 'done' }] }],
    });
    const s = await openSession(t.server, START);
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 2);
    expect(texts(s)).to.deep.equal(['ready', 'done|<fin>']);
  });

  it('each finalize answers the next finalize step only', async () => {
    t.server.scripts.realtime({
      steps: [
        { on: 'finalize', tokens: [{ text: 'one' }] },
        { on: 'finalize', tokens: [{ text: 'two' }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(10));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 1);
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    await until(() => t.server.received.sessions[0]?.controls.length === 2);
    expect(texts(s)).to.deep.equal(['one|<fin>']);
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 2);
    expect(texts(s)).to.deep.equal(['one|<fin>', 'two|<fin>']);
  });

  it('a scripted endpoint is a final <end>, and tokens without timings leave the counters numbers', async () => {
    t.server.scripts.realtime({
      steps: [
        {
          tokens: [
            { text: 'Hi', start_ms: 0, end_ms: 300 },
            { text: 'Hola', translation_status: 'translation', language: 'es' },
          ],
          endpoint: true,
        },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    await until(() => s.messages.length === 1);
    expect(s.messages[0]?.tokens.at(-1)).to.deep.equal({ text: '<end>', is_final: true });
    expect(s.messages[0]).to.include({ final_audio_proc_ms: 300, total_audio_proc_ms: 300 });
  });

  it('with no script, a fresh mock transcribes a file from its audio', async () => {
    const server = await t.serverWith({});
    const tokens = await transcribeFixture(server, 'hello-world.wav');
    expect(tokens.map((x) => x.text).join('')).to.equal(audioFixture('hello-world.wav').text);
  });

  it('a step without a trigger runs at once; a step waits for exactly its audio', async () => {
    t.server.scripts.realtime({
      steps: [
        { tokens: [{ text: 'now' }] },
        { on: { audioMs: 200 }, tokens: [{ text: 'at 200' }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(1));
    await until(() => s.messages.length === 1);
    s.ws.send(ms(198));
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    await until(() => t.server.received.sessions[0]?.controls.length === 1);
    expect(texts(s)).to.deep.equal(['now']);
    s.ws.send(ms(1));
    await until(() => s.messages.length === 2);
    expect(texts(s)).to.deep.equal(['now', 'at 200']);
  });

  it('answers a finalize the script has no step for with <fin> alone, after the steps due', async () => {
    t.server.scripts.realtime({
      steps: [
        { on: { audioMs: 50 }, tokens: [{ text: 'due' }] },
        { on: 'end-of-audio', tokens: [{ text: 'last' }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    await until(() => s.messages.length === 1);
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 2);
    expect(s.messages[1]?.tokens).to.deep.equal([{ text: '<fin>', is_final: true }]);
    s.ws.send('');
    await s.closed();
    expect(texts(s)).to.deep.equal(['due', '<fin>', 'last', '']);
  });

  it('a finalize step with no tokens puts <fin> in a message of its own, not in the last one sent', async () => {
    t.server.scripts.realtime({
      steps: [
        { on: { audioMs: 10_000 }, tokens: [{ text: 'pending' }] },
        { on: 'finalize', endpoint: true },
        { on: 'finalize' },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 2);
    // The audio step before the finalize step runs with it; the finalize's own message ends in <fin>.
    expect(texts(s)).to.deep.equal(['pending', '<end>|<fin>']);
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.length === 3);
    expect(texts(s)[2]).to.equal('<fin>');
  });

  it('a finalize step that fails ends the session with its error and no <fin>', async () => {
    t.server.scripts.realtime({
      steps: [{ on: 'finalize', error: { code: 400, type: 'invalid_request', message: 'No.' } }],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    expect(await s.closed()).to.equal(1000);
    expect(s.messages).to.deep.equal([
      { error_code: 400, error_type: 'invalid_request', error_message: 'No.' },
    ]);
  });

  it('a step after an error or a drop never runs', async () => {
    t.server.scripts.realtime({
      steps: [
        { on: { audioMs: 10 }, tokens: [{ text: 'said' }], drop: true },
        { on: { audioMs: 10 }, tokens: [{ text: 'never' }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(100));
    expect(await s.closed()).to.equal(1006);
    expect(texts(s)).to.deep.equal(['said']);
  });

  it('sends finals before the non-final tail, with counters from the token times that never go back', async () => {
    t.server.scripts.realtime({
      steps: [
        {
          on: { audioMs: 10 },
          tokens: [
            { text: ' tail', start_ms: 400, end_ms: 900, is_final: false },
            { text: 'said', start_ms: 0, end_ms: 400 },
          ],
        },
        { on: { audioMs: 20 }, tokens: [{ text: ' old', start_ms: 100, end_ms: 200 }] },
      ],
    });
    const s = await openSession(t.server, START);
    s.ws.send(ms(50));
    await until(() => s.messages.length === 2);
    s.ws.send('');
    await s.closed();
    const [first, second, last] = s.messages;
    expect(first?.tokens.map((x) => [x.text, x.is_final])).to.deep.equal([
      ['said', true],
      [' tail', false],
    ]);
    expect(first).to.include({ final_audio_proc_ms: 400, total_audio_proc_ms: 900 });
    expect(second).to.include({ final_audio_proc_ms: 400, total_audio_proc_ms: 900 });
    expect(last).to.include({ final_audio_proc_ms: 400, total_audio_proc_ms: 900, finished: true });
  });

  it('serves the session of its client_reference_id only, once; others run unscripted', async () => {
    t.server.scripts.realtime({ clientReferenceId: 'mine', steps: [{ tokens: [{ text: 'x' }] }] });
    const other = await openSession(t.server, { ...START, client_reference_id: 'theirs' });
    other.ws.send(ms(100));
    other.ws.send('');
    await other.closed();
    expect(texts(other)).to.not.include('x');
    // Unscripted, a session without audio answers an empty result, then `finished`.
    for (const expected of [
      ['x', ''],
      ['', ''],
    ]) {
      const mine = await openSession(t.server, { ...START, client_reference_id: 'mine' });
      mine.ws.send('');
      await mine.closed();
      expect(texts(mine)).to.deep.equal(expected);
    }
  });

  it('clear() drops the realtime scripts still queued', async () => {
    t.server.scripts.realtime({ steps: [{ tokens: [{ text: 'scripted' }] }] });
    t.server.scripts.clear();
    const s = await openSession(t.server, START);
    s.ws.send('');
    await s.closed();
    expect(texts(s)).to.deep.equal(['', '']);
  });

  it('async: a later script for the same file wins; one without a name answers every file', async () => {
    const token = (text: string) => ({ text, start_ms: 0, end_ms: 100, confidence: 0.9 });
    t.server.scripts.transcription({ tokens: [token('any file')] });
    t.server.scripts.transcription({ filename: 'weather.wav', tokens: [token('older')] });
    t.server.scripts.transcription({ filename: 'weather.wav', tokens: [token('newer')] });
    const weather = await transcribeFixture(t.server, 'weather.wav');
    expect(weather.map((x) => x.text)).to.deep.equal(['newer']);
    const hello = await transcribeFixture(t.server, 'hello-world.wav');
    expect(hello.map((x) => x.text)).to.deep.equal(['any file']);
  });

  it('keeps the most recent sessions past receivedLimit', async () => {
    const server = await t.serverWith({ receivedLimit: 2, realtimePacing: false });
    for (const ref of ['a', 'b', 'c']) {
      const s = await openSession(server, { ...START, client_reference_id: ref });
      s.ws.send('');
      await s.closed();
    }
    const refs = server.received.sessions.map((r) => r.start?.client_reference_id);
    expect(refs).to.deep.equal(['b', 'c']);
  });
});

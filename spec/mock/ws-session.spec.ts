/**
 * One realtime session of the mock as a realtime app tested against it sees it, read from the
 * documented WebSocket API (docs/api.md §8.3-§8.5): the messages' counters, each final token
 * once, `<fin>` after the last final, the `finished` message, what ends a session and how.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { RealtimeMessage } from '../../lib/types';
import { PCM, fixture } from '../audio';
import { fixture as specFixture, until } from '../helpers';
import { openSession, type RawSession } from './flows';

const START = { model: 'stt-rt-v5', ...PCM };
/** hello-world.wav's spoken words (fixtures/audio/manifest.json). */
const HELLO = 'hello world this is a test';
/** Whole ms of 16 kHz mono 16-bit PCM in `bytes`. */
const msOf = (bytes: number) => Math.floor(bytes / 32);

const texts = (messages: RealtimeMessage[], final: boolean) =>
  messages.flatMap((m) => m.tokens.filter((t) => t.is_final === final).map((t) => t.text));
const errorOf = (s: RawSession) => s.messages.find((m) => m.error_code !== undefined);

/** Streams all of `pcm` in 3200-byte frames. */
function stream(s: RawSession, pcm: Buffer): void {
  for (let at = 0; at < pcm.length; at += 3200) s.ws.send(pcm.subarray(at, at + 3200));
}

describe('mock: one realtime session, as the WebSocket API documents it', () => {
  const t = specFixture({ mock: { realtimePacing: false } });

  it('sends each final token once, the first without a leading space, then finishes with the audio received', async () => {
    const pcm = fixture('hello-world.wav').pcm;
    const s = await openSession(t.server, START);
    stream(s, pcm);
    s.ws.send('');
    expect(await s.closed()).to.equal(1000);
    expect(texts(s.messages, true).join('')).to.equal(HELLO);
    const last = s.messages.at(-1) as RealtimeMessage;
    expect(last).to.deep.equal({
      tokens: [],
      final_audio_proc_ms: msOf(pcm.length),
      total_audio_proc_ms: msOf(pcm.length),
      finished: true,
    });
    expect(s.messages.slice(0, -1).every((m) => m.finished === undefined)).to.equal(true);
  });

  it('keeps both counters whole numbers that never go back, the final one never past the total', async () => {
    const pcm = fixture('hello-world.wav').pcm;
    const s = await openSession(t.server, START);
    // A finalize in the middle of a word ("this" is cut at 1100 ms): audio finalized is
    // still no more than audio processed.
    stream(s, pcm.subarray(0, 35_200));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    stream(s, pcm.subarray(35_200));
    s.ws.send('');
    await s.closed();
    let final = 0;
    let total = 0;
    for (const m of s.messages) {
      const [f, n] = [m.final_audio_proc_ms, m.total_audio_proc_ms] as [number, number];
      expect([f, n].every(Number.isInteger), 'whole ms').to.equal(true);
      expect(f).to.be.at.least(final).and.at.most(n);
      expect(n).to.be.at.least(total);
      [final, total] = [f, n];
    }
    expect(total).to.be.above(0);
    // Endpoint detection was not asked for: the pause between the phrases gives no <end>.
    expect(texts(s.messages, true)).not.to.include('<end>');
  });

  it('a word stays non-final until 300 ms of audio follow it, then turns final with the audio up to its end', async () => {
    const pcm = fixture('hello-world.wav').pcm;
    const s = await openSession(t.server, START);
    // "hello" ends at 713 ms: 1100 ms of audio is more than 300 ms past it, "world" (to 1096) is not, and "this" has begun.
    s.ws.send(pcm.subarray(0, 35_200));
    await until(() => s.messages.length > 0);
    const [first] = s.messages as [RealtimeMessage];
    expect(first.tokens.map((x) => [x.text, x.is_final])).to.deep.equal([
      ['hello', true],
      [' world', false],
      [' this', false],
    ]);
    expect(first.tokens[0]).to.deep.include({ start_ms: 330, end_ms: 713 });
    expect(first).to.include({ final_audio_proc_ms: 713, total_audio_proc_ms: 1100 });
    s.ws.close();
  });

  it('a word turns final when exactly 300 ms of audio follow its end', async () => {
    const s = await openSession(t.server, START);
    // "hello" ends at 713 ms: 1013 ms of audio.
    s.ws.send(fixture('hello-world.wav').pcm.subarray(0, 1013 * 32));
    await until(() => s.messages.length > 0);
    expect(s.messages[0]).to.include({ total_audio_proc_ms: 1013, final_audio_proc_ms: 713 });
    expect(s.messages[0]!.tokens[0]).to.include({ text: 'hello', is_final: true });
    s.ws.close();
  });

  it('with endpoint detection, a finalize settles the turn: no <end> for the speech before it', async () => {
    const pcm = fixture('two-phrases.wav').pcm;
    const s = await openSession(t.server, {
      ...START,
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
    });
    // "morning" ends at 1040 ms; its pause would make an <end> at 1540 ms.
    stream(s, pcm.subarray(0, 35_200));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    stream(s, pcm.subarray(35_200));
    s.ws.send('');
    await s.closed();
    const specials = texts(s.messages, true).filter((x) => x.startsWith('<'));
    expect(specials).to.deep.equal(['<fin>', '<end>']);
    expect(texts(s.messages, true).join('')).to.equal('good morning<fin> how are you<end>');
  });

  it('a finalize answers with <fin> after the last final token, every word so far final; audio may follow', async () => {
    const pcm = fixture('hello-world.wav').pcm;
    const s = await openSession(t.server, START);
    s.ws.send(pcm.subarray(0, 35_200));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => texts(s.messages, true).includes('<fin>'));
    const fin = s.messages.find((m) => m.tokens.some((x) => x.text === '<fin>')) as RealtimeMessage;
    expect(fin.tokens.map((x) => x.text)).to.deep.equal([' world', ' this', '<fin>']);
    expect(fin.tokens.every((x) => x.is_final)).to.equal(true);
    expect(fin).to.include({ final_audio_proc_ms: 1100, total_audio_proc_ms: 1100 });
    stream(s, pcm.subarray(35_200));
    s.ws.send(JSON.stringify({ type: 'finalize', trailing_silence_ms: 300 }));
    s.ws.send('');
    await s.closed();
    expect(texts(s.messages, true).filter((x) => x === '<fin>')).to.have.length(2);
    expect(
      texts(s.messages, true)
        .filter((x) => x !== '<fin>')
        .join(''),
    ).to.equal(HELLO);
  });

  it('an empty binary frame is neither audio nor the end; a keepalive gets no answer', async () => {
    const s = await openSession(t.server, START);
    s.ws.send(Buffer.alloc(0));
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    s.ws.send(fixture('hello-world.wav').pcm.subarray(0, 3200));
    await until(() => s.messages.length > 0);
    expect(s.messages[0]).to.include({ total_audio_proc_ms: 100 });
    expect(s.messages.some((m) => m.finished)).to.equal(false);
    s.ws.send('');
    await s.closed();
    expect(s.messages.at(-1)).to.include({ finished: true, total_audio_proc_ms: 100 });
  });

  for (const [what, first, binary] of [
    ['a binary frame', Buffer.from([1, 2, 3]), true],
    ['text that is not JSON', 'hello', false],
    ['a JSON array', '[]', false],
    ['JSON null', 'null', false],
  ] as const) {
    it(`a first message that is ${what} ends the session with a 400 error, then the socket closes`, async () => {
      const ws = new WebSocket(t.server.realtimeURL, {
        headers: { Authorization: `Bearer ${t.server.apiKey}` },
      });
      t.defer(() => ws.terminate());
      const messages: Array<Record<string, unknown>> = [];
      ws.on('message', (d: Buffer) =>
        messages.push(JSON.parse(d.toString()) as Record<string, unknown>),
      );
      await once(ws, 'open');
      ws.send(first, { binary });
      const [code] = (await once(ws, 'close')) as [number];
      expect(messages).to.deep.equal([
        {
          error_code: 400,
          error_message: 'The first message must be the JSON start message.',
        },
      ]);
      expect(code).to.equal(1000);
    });
  }

  for (const [what, start, message] of [
    [
      'a raw format without sample_rate',
      { model: 'stt-rt-v5', audio_format: 'pcm_s16le', num_channels: 1 },
      'audio_format pcm_s16le requires sample_rate and num_channels.',
    ],
    [
      'a raw format without num_channels',
      { model: 'stt-rt-v5', audio_format: 'pcm_s16le', sample_rate: 16000 },
      'audio_format pcm_s16le requires sample_rate and num_channels.',
    ],
  ] as const) {
    it(`refuses ${what} with a 400 naming what is missing`, async () => {
      const s = await openSession(t.server, start);
      await s.closed();
      expect(s.messages).to.deep.equal([{ error_code: 400, error_message: message }]);
    });
  }

  it('a container format needs no sample_rate: an mp3 session starts', async () => {
    const s = await openSession(t.server, { model: 'stt-rt-v5', audio_format: 'mp3' });
    s.ws.send('');
    await s.closed();
    expect(errorOf(s)).to.equal(undefined);
    expect(s.messages.at(-1)).to.include({ finished: true, total_audio_proc_ms: 0 });
  });

  it('text after the start that is not JSON, or an unknown type, ends the session with a 400 naming it', async () => {
    for (const [text, message] of [
      ['nope', 'Invalid message: expected JSON or binary audio.'],
      [JSON.stringify({ type: 'dance' }), 'Unknown message type "dance".'],
      [JSON.stringify({}), 'Unknown message type undefined.'],
    ]) {
      const s = await openSession(t.server, START);
      s.ws.send(text as string);
      expect(await s.closed()).to.equal(1000);
      expect(s.messages).to.deep.equal([{ error_code: 400, error_message: message }]);
    }
  });

  it('a server error ends the session with its documented message and a 1011 close', async () => {
    const server = await t.serverWith({ realtimePacing: false });
    server.setFaults({ ws: [{ errorCode: 500, afterAudioMs: 0 }] });
    const s = await openSession(server, START);
    expect(await s.closed()).to.equal(1011);
    expect(s.messages).to.deep.equal([
      { error_code: 500, error_message: 'Internal server error.' },
    ]);
  });

  it('a session that ended is billed in the usage logs: its audio and its final tokens', async () => {
    const pcm = fixture('hello-world.wav').pcm;
    const s = await openSession(t.server, { ...START, client_reference_id: 'call-7' });
    stream(s, pcm);
    s.ws.send('');
    await s.closed();
    await until(() => t.server.state.usage.records.length > 0);
    expect(t.server.state.usage.records.at(-1)).to.deep.include({
      request_scope: 'stt_rt',
      model: 'stt-rt-v5',
      client_reference_id: 'call-7',
      input_audio_duration_ms: msOf(pcm.length),
      output_text_tokens: HELLO.split(' ').length,
    });
  });

  it('a session refused at its start is not billed', async () => {
    const s = await openSession(t.server, { model: 'stt-rt-v0', ...PCM });
    await s.closed();
    expect(errorOf(s)).to.include({ error_code: 400 });
    expect(t.server.state.usage.records).to.deep.equal([]);
  });

  for (const [code, message, close] of [
    [402, 'Organization balance exhausted.', 1000],
    [408, 'Request timeout.', 1000],
    [429, 'Rate limit exceeded.', 1000],
    [503, 'Cannot continue request (code 1). Please restart the request.', 1011],
    [409, 'Invalid request.', 1000],
  ] as const) {
    it(`an injected ${code} ends the session with its message and a ${close} close`, async () => {
      const server = await t.serverWith({ realtimePacing: false });
      server.setFaults({ ws: [{ errorCode: code, afterAudioMs: 0 }] });
      const s = await openSession(server, START);
      expect(await s.closed()).to.equal(close);
      expect(s.messages).to.deep.equal([{ error_code: code, error_message: message }]);
    });
  }

  it('records what the session sent, its key redacted, and hands each message to onRealtimeSend', async () => {
    const sent: Array<{ sessionId: string; message: unknown }> = [];
    const server = await t.serverWith({
      realtimePacing: false,
      recordAudio: true,
      onRealtimeSend: (e) => sent.push(e),
    });
    const pcm = fixture('hello-world.wav').pcm.subarray(0, 6400);
    const s = await openSession(server, { ...START, api_key: server.apiKey });
    s.ws.send(pcm);
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    s.ws.send(JSON.stringify({ type: 'finalize', trailing_silence_ms: 300 }));
    s.ws.send('');
    await s.closed();
    const [session] = server.received.sessions;
    expect(session).to.deep.include({
      start: { ...START, api_key: '[redacted]' },
      audioBytes: 6400,
      controls: [{ type: 'keepalive' }, { type: 'finalize', trailing_silence_ms: 300 }],
      endOfAudio: true,
    });
    expect(Buffer.concat(session!.audio).equals(pcm)).to.equal(true);
    expect(sent.map((e) => e.message)).to.deep.equal(s.messages);
    expect(new Set(sent.map((e) => e.sessionId))).to.deep.equal(new Set([session!.id]));
  });

  it('keeps no audio of an unscripted session without recordAudio, only its size', async () => {
    const s = await openSession(t.server, START);
    s.ws.send(Buffer.alloc(3200));
    s.ws.send('');
    await s.closed();
    expect(t.server.received.sessions.at(-1)).to.deep.include({ audioBytes: 3200, audio: [] });
  });
});

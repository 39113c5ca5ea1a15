import { expect } from 'chai';
import { once } from 'node:events';
import sinon from 'sinon';
import WebSocket from 'ws';
import type { MockServer } from '../../lib/mock';
import type { RealtimeMessage } from '../../lib/types';
import { PCM, fixture } from '../audio';
import { drive, fixture as specFixture, frameText, until } from '../helpers';

const KEY = 'mock-ws-key';

/** A raw ws client that records every server message. */
async function session(
  server: MockServer,
  opts: {
    headers?: Record<string, string>;
    protocols?: readonly string[];
    start?: object | string;
    path?: string;
  } = {},
) {
  const url = server.realtimeURL.replace(
    '/transcribe-websocket',
    opts.path ?? '/transcribe-websocket',
  );
  const ws = new WebSocket(url, [...(opts.protocols ?? [])], {
    headers: opts.headers,
    perMessageDeflate: false,
  });
  const messages: RealtimeMessage[] = [];
  let closeCode: number | undefined;
  ws.on('message', (d) => messages.push(JSON.parse(frameText(d)) as RealtimeMessage));
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  if (opts.start !== undefined)
    ws.send(typeof opts.start === 'string' ? opts.start : JSON.stringify(opts.start));
  return {
    ws,
    messages,
    closed: () => until(() => closeCode !== undefined).then(() => closeCode as number),
  };
}
const finalsOf = (messages: RealtimeMessage[]) =>
  messages.flatMap((m) => m.tokens).filter((t) => t.is_final);
const START = { model: 'stt-rt-v5', ...PCM };

describe('mock/ws: the realtime API', () => {
  const fx = specFixture({
    // Error frames are read by error_type, more_info and request_id: the rich shape.
    mock: {
      apiKey: KEY,
      realtimePacing: false,
      realtimeIdleTimeoutMs: 1000,
      realtimeErrorShape: 'rich',
    },
  });

  for (const [how, opts] of [
    ['the start message', { start: { ...START, api_key: KEY } }],
    ['the Authorization header', { headers: { Authorization: `Bearer ${KEY}` }, start: START }],
    ['the soniox-api-key subprotocol', { protocols: ['soniox-api-key', KEY], start: START }],
  ] as const) {
    it(`authenticates by ${how} and transcribes fixture audio, each final once, then finishes and closes 1000`, async () => {
      const audio = fixture('hello-world.wav');
      const s = await session(fx.server, opts);
      if (how.includes('subprotocol')) expect(s.ws.protocol).to.equal('soniox-api-key');
      for (let at = 0; at < audio.pcm.length; at += 4000)
        s.ws.send(audio.pcm.subarray(at, at + 4000));
      s.ws.send('');
      expect(await s.closed()).to.equal(1000);
      const last = s.messages.at(-1)!;
      expect(last).to.include({ finished: true });
      expect(last.tokens).to.deep.equal([]);
      expect(finalsOf(s.messages).map((t) => t.text)).to.deep.equal(
        audio.words.map((w, i) => (i ? ` ${w.text}` : w.text)),
      );
      // Every message lists finals before the non-final tail, and proc times never go back.
      let proc = 0;
      for (const m of s.messages) {
        const firstNonFinal = m.tokens.findIndex((t) => !t.is_final);
        if (firstNonFinal >= 0)
          expect(m.tokens.slice(firstNonFinal).every((t) => !t.is_final)).to.equal(true);
        expect(m.total_audio_proc_ms!).to.be.at.least(proc);
        proc = m.total_audio_proc_ms!;
      }
      expect(fx.server.state.hits['WS /transcribe-websocket']).to.equal(1);
    });
  }

  it('answers a wrong key with a 401 error message, then closes', async () => {
    const s = await session(fx.server, { start: { ...START, api_key: 'wrong' } });
    await s.closed();
    expect(s.messages[0]).to.include({ error_code: 401, error_type: 'unauthenticated' });
    expect(s.messages[0]!.request_id).to.be.a('string');
    expect(s.messages[0]!.tokens).to.deep.equal([]);
  });

  it("types a fault's error code as the REST answers do, more_info from the type", async () => {
    for (const [code, type] of [
      [403, 'forbidden'],
      [502, 'bad_gateway'],
      [503, 'service_unavailable'],
    ] as const) {
      fx.server.setFaults({ ws: [{ errorCode: code, times: 1 }] });
      const s = await session(fx.server, { start: { ...START, api_key: KEY } });
      await s.closed();
      expect(s.messages[0], String(code)).to.include({
        error_code: code,
        error_type: type,
        more_info: `https://soniox.com/docs/api-reference/errors#${type.replace(/_/g, '-')}`,
      });
    }
  });

  it('accepts a temporary key once when it is single-use', async () => {
    const res = await fetch(`${fx.server.url}/v1/auth/temporary-api-key`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 60,
        single_use: true,
      }),
    });
    const { api_key } = (await res.json()) as { api_key: string };
    const first = await session(fx.server, { start: { ...START, api_key } });
    first.ws.send('');
    await first.closed();
    expect(first.messages.at(-1)).to.include({ finished: true });
    const second = await session(fx.server, { start: { ...START, api_key } });
    await second.closed();
    expect(second.messages[0]).to.include({ error_code: 401 });
  });

  for (const [name, start, type] of [
    [
      'a raw format without sample_rate',
      { model: 'stt-rt-v5', audio_format: 'pcm_s16le', api_key: KEY },
      'invalid_request',
    ],
    ['an unknown model', { ...START, model: 'stt-rt-v0', api_key: KEY }, 'model_not_available'],
    ['an async model', { ...START, model: 'stt-async-v5', api_key: KEY }, 'model_not_available'],
    [
      'an unknown audio format',
      { ...START, audio_format: 'midi', api_key: KEY },
      'invalid_request',
    ],
    ['a bad field value', { ...START, max_endpoint_delay_ms: 1, api_key: KEY }, 'invalid_request'],
    ['a start message that is not JSON', 'hello', 'invalid_request'],
  ] as const) {
    it(`answers ${name} with a 400 error message`, async () => {
      const s = await session(fx.server, { start });
      await s.closed();
      expect(s.messages[0]).to.include({ error_code: 400, error_type: type });
    });
  }

  it('answers finalize with every token final and a <fin>', async () => {
    const audio = fixture('hello-world.wav');
    const s = await session(fx.server, { start: { ...START, api_key: KEY } });
    s.ws.send(audio.pcm.subarray(0, 24_000));
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    await until(() => s.messages.some((m) => m.tokens.some((t) => t.text === '<fin>')));
    const withFin = s.messages.find((m) => m.tokens.some((t) => t.text === '<fin>'))!;
    expect(withFin.tokens.every((t) => t.is_final)).to.equal(true);
    expect(withFin.tokens.at(-1)).to.deep.equal({ text: '<fin>', is_final: true });
    s.ws.close();
  });

  it('marks endpoints with <end> after silence when asked to', async () => {
    const audio = fixture('two-phrases.wav');
    const s = await session(fx.server, {
      start: {
        ...START,
        api_key: KEY,
        enable_endpoint_detection: true,
        max_endpoint_delay_ms: 500,
        enable_speaker_diarization: true,
        enable_language_identification: true,
      },
    });
    for (let at = 0; at < audio.pcm.length; at += 3200)
      s.ws.send(audio.pcm.subarray(at, at + 3200));
    s.ws.send(''); // the empty text frame ends the audio
    await s.closed();
    const tokens = s.messages.flatMap((m) => m.tokens);
    expect(tokens.filter((t) => t.text === '<end>')).to.have.length(2);
    expect(
      finalsOf(s.messages)
        .filter((t) => t.text !== '<end>')
        .every((t) => t.speaker === '1' && t.language === 'en'),
    ).to.equal(true);
  });

  it('closes an idle session with a 408 error, and keepalive prevents it', async () => {
    // The idle limit (1 s) and the keepalives run on a fake clock, driven between real frames.
    const clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    fx.defer(() => clock.restore());
    const kept = await session(fx.server, { start: { ...START, api_key: KEY } });
    const timer = setInterval(() => kept.ws.send(JSON.stringify({ type: 'keepalive' })), 100);
    const idle = await session(fx.server, { start: { ...START, api_key: KEY } });
    expect(await drive(clock, 5_000, () => idle.messages.length > 0)).to.be.at.least(1_000);
    await idle.closed();
    expect(idle.messages[0]).to.include({ error_code: 408, error_type: 'request_timeout' });
    expect(kept.ws.readyState).to.equal(WebSocket.OPEN);
    clearInterval(timer);
    kept.ws.close();
  });

  it('rejects unknown control messages and non-JSON text', async () => {
    for (const text of [JSON.stringify({ type: 'dance' }), 'nope']) {
      const s = await session(fx.server, { start: { ...START, api_key: KEY } });
      s.ws.send(text);
      await s.closed();
      expect(s.messages[0]).to.include({ error_code: 400 });
    }
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WebSocket(fx.server.realtimeURL.replace('/transcribe-websocket', '/elsewhere'));
    const [error] = (await once(ws, 'error')) as [Error];
    expect(error.message).to.match(/404/);
  });

  it('recognises a WAV stream (audio_format auto) and times other containers by an assumed bitrate', async () => {
    const audio = fixture('weather.wav');
    const wav = await session(fx.server, {
      start: { model: 'stt-rt-v5', audio_format: 'auto', api_key: KEY },
    });
    wav.ws.send(audio.wav);
    wav.ws.send('');
    await wav.closed();
    expect(finalsOf(wav.messages).map((t) => t.text.trim())).to.deep.equal(
      audio.words.map((w) => w.text),
    );
    const mp3 = await session(fx.server, {
      start: { model: 'stt-rt-v5', audio_format: 'mp3', api_key: KEY },
    });
    // An ID3 tag, then bytes the mock does not decode.
    mp3.ws.send(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(16_000 * 2 - 3, 7)]));
    mp3.ws.send('');
    await mp3.closed();
    expect(mp3.messages.at(-1)).to.include({ total_audio_proc_ms: 2000, finished: true });
    expect(finalsOf(mp3.messages)).to.have.length(5);
  });

  describe('faults', () => {
    it('sends a garbage frame', async () => {
      fx.server.setFaults({ ws: [{ garbageFrame: true, times: 1 }] });
      const url = fx.server.realtimeURL;
      const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${KEY}` } });
      const raw: string[] = [];
      ws.on('message', (d) => raw.push(frameText(d)));
      await once(ws, 'open');
      ws.send(JSON.stringify(START));
      await until(() => raw.length > 0);
      expect(() => JSON.parse(raw[0]!)).to.throw();
      ws.close();
    });

    it('closes with a chosen close code after some audio', async () => {
      fx.server.setFaults({ ws: [{ closeCode: 4000, afterAudioMs: 100 }] });
      const s = await session(fx.server, { start: { ...START, api_key: KEY } });
      s.ws.send(Buffer.alloc(6400));
      expect(await s.closed()).to.equal(4000);
    });

    it('drops the connection without a close frame (1006)', async () => {
      fx.server.setFaults({ ws: [{ abruptClose: true }] });
      const s = await session(fx.server, { start: { ...START, api_key: KEY } });
      expect(await s.closed()).to.equal(1006);
    });

    it('stops reading so that the client buffers', async () => {
      fx.server.setFaults({ ws: [{ stopReading: true }] });
      const s = await session(fx.server, { start: { ...START, api_key: KEY } });
      await until(() => fx.server.state.hits['WS /transcribe-websocket'] === 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 16; i++) s.ws.send(big);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(s.ws.bufferedAmount).to.be.greaterThan(1024 * 1024);
      s.ws.terminate();
    });
  });
});

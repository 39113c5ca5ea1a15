import { expect } from 'chai';
import WebSocket from 'ws';
import { fixture } from '../audio';
import { clientFor, fixture as specFixture, until } from '../helpers';

/**
 * The official SDK (@soniox/node) against the mock, unchanged: that is how we know the mock is
 * faithful. On Node 20 it needs a global WebSocket, which Node 22 provides natively.
 */
type Official = typeof import('@soniox/node');

function loadOfficial(): Official {
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= WebSocket;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@soniox/node') as Official;
}

describe('mock: the official @soniox/node SDK works against it', function () {
  this.timeout(30_000);
  const fx = specFixture({
    mock: {
      apiKey: 'official-key',
      timing: { queuedMs: 10, processingMs: 20 },
      realtimePacing: false,
    },
  });

  /**
   * The official SDK's wait() sleeps at least 1 s between polls, and the first poll finds the job
   * still queued: waiting for the mock to finish it first (30 ms) leaves one poll that answers
   * completed, so the spec does not sleep a second of real time.
   */
  const finished = (id: string) =>
    until(() => fx.server.state.transcriptions.get(id)?.transcription.status === 'completed');

  it('uploads, transcribes, waits, reads the transcript and deletes', async () => {
    const { SonioxNodeClient } = loadOfficial();
    const audio = fixture('hello-world.wav');
    const client = new SonioxNodeClient({ api_key: 'official-key', base_url: fx.server.url });
    const file = await client.files.upload(audio.wav, { filename: 'hello-world.wav' });
    expect(file.size).to.equal(audio.wav.length);
    const created = await client.stt.create({ model: 'stt-async-v5', file_id: file.id });
    await finished(created.id);
    const done = await created.wait({ interval_ms: 1000 });
    expect(done.status).to.equal('completed');
    const transcript = await done.getTranscript();
    expect(transcript?.text).to.equal(audio.text);
    await client.stt.delete(created.id);
    expect(fx.server.state.transcriptions.size).to.equal(0);
    expect(fx.server.state.files.size).to.equal(0);
  });

  it('runs a realtime session and gets the fixture words', async () => {
    const { SonioxNodeClient } = loadOfficial();
    const audio = fixture('hello-world.wav');
    const client = new SonioxNodeClient({
      api_key: 'official-key',
      base_url: fx.server.url,
      realtime: { ws_base_url: fx.server.realtimeURL },
    });
    const session = client.realtime.stt({
      model: 'stt-rt-v5',
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
    });
    const finals: string[] = [];
    session.on('result', (result: { tokens: Array<{ text: string; is_final: boolean }> }) => {
      for (const t of result.tokens) if (t.is_final) finals.push(t.text);
    });
    await session.connect();
    for (let at = 0; at < audio.pcm.length; at += 3200)
      session.sendAudio(audio.pcm.subarray(at, at + 3200));
    await session.finish();
    expect(finals.join('')).to.equal(audio.text);
  });

  /** A token as the official SDK hands it over. */
  interface OfficialToken {
    text: string;
    is_final?: boolean;
    speaker?: string | null;
    language?: string | null;
    source_language?: string | null;
    translation_status?: string | null;
    start_ms?: number;
  }

  it('async: diarization, identification and two-way translation on the bilingual fixture', async () => {
    const { SonioxNodeClient } = loadOfficial();
    const audio = fixture('bilingual.wav');
    const client = new SonioxNodeClient({ api_key: 'official-key', base_url: fx.server.url });
    const file = await client.files.upload(audio.wav, { filename: 'bilingual.wav' });
    const created = await client.stt.create({
      model: 'stt-async-v5',
      file_id: file.id,
      enable_speaker_diarization: true,
      enable_language_identification: true,
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
    });
    await finished(created.id);
    const done = await created.wait({ interval_ms: 1000 });
    const transcript = await done.getTranscript();
    const tokens = (transcript?.tokens ?? []) as OfficialToken[];
    const originals = tokens.filter((t) => t.translation_status === 'original');
    expect(originals.map((t) => t.speaker)).to.deep.equal(audio.words.map((w) => w.speaker));
    expect(originals.map((t) => t.language)).to.deep.equal(audio.words.map((w) => w.language));
    const translated = tokens.filter((t) => t.translation_status === 'translation');
    expect(translated.map((t) => t.text).join('')).to.equal(
      'buenas tardes a todos good afternoon everyone',
    );
    expect(translated.every((t) => t.start_ms === undefined)).to.equal(true);
  });

  it('realtime: diarization, identification and one-way translation on a three-voice conversation', async () => {
    const { SonioxNodeClient } = loadOfficial();
    const audio = fixture('conversation-three.wav');
    const client = new SonioxNodeClient({
      api_key: 'official-key',
      base_url: fx.server.url,
      realtime: { ws_base_url: fx.server.realtimeURL },
    });
    const session = client.realtime.stt({
      model: 'stt-rt-v5',
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      enable_speaker_diarization: true,
      enable_language_identification: true,
      translation: { type: 'one_way', target_language: 'es' },
    });
    const finals: OfficialToken[] = [];
    session.on('result', (result) => {
      for (const t of result.tokens as OfficialToken[]) if (t.is_final) finals.push(t);
    });
    await session.connect();
    for (let at = 0; at < audio.pcm.length; at += 3200)
      session.sendAudio(audio.pcm.subarray(at, at + 3200));
    await session.finish();
    const originals = finals.filter((t) => t.translation_status === 'original');
    expect(originals.map((t) => t.text).join('')).to.equal(audio.text);
    expect(originals.map((t) => t.speaker)).to.deep.equal(audio.words.map((w) => w.speaker));
    expect(new Set(originals.map((t) => t.language))).to.deep.equal(new Set(['en']));
    const translated = finals.filter((t) => t.translation_status === 'translation');
    expect(translated.map((t) => t.text).join('')).to.equal(
      'bienvenidos a la reunion gracias por invitarme empecemos',
    );
    expect([...new Set(translated.map((t) => t.speaker))]).to.deep.equal(['1', '2', '3']);
    expect(translated.every((t) => t.source_language === 'en' && t.language === 'es')).to.equal(
      true,
    );
  });

  it('reads the same usage logs, usage summary and concurrency limits as our client', async () => {
    const official = new (loadOfficial().SonioxNodeClient)({
      api_key: 'official-key',
      base_url: fx.server.url,
    });
    const ours = clientFor(fx.server, { apiKey: 'official-key' });
    fx.defer(() => ours.close());
    for (const ref of ['a', 'b'])
      await ours.transcribe(fixture('hello-world.wav').path, {
        client_reference_id: ref,
        pollIntervalMs: 10,
      });
    const window = {
      start_time: new Date(Date.now() - 3_600_000).toISOString(),
      end_time: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const theirs = await official.usageLogs.list(window);
    const mine = await ours.usageLogs.list(window);
    expect(theirs.usage_logs).to.have.length(2);
    expect(theirs.usage_logs).to.deep.equal(mine.usage_logs);
    expect(await official.usageLogs.getSummary(window)).to.deep.equal(
      await ours.usageLogs.getSummary(window),
    );
    expect(await official.concurrencyLimits.get()).to.deep.equal(
      await ours.concurrencyLimits.get(),
    );
    const hours = {
      start_time: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString(),
      end_time: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 7_200_000).toISOString(),
      period_sec: 3600 as const,
      kind: 'stt' as const,
    };
    expect(await official.concurrencyLimits.getHistory(hours)).to.deep.equal(
      await ours.concurrencyLimits.getHistory(hours),
    );
  });
});

/**
 * docs/testing.md "Testing your app with the mock": script exactly what the mock answers (speakers,
 * revisions, endpoints, translations, an error mid-stream, an async transcript) and check what
 * your code sent. Runs offline; in your project import from 'soniox-pro-sdk' and
 * 'soniox-pro-sdk/mock'.
 */
import assert from 'node:assert/strict';
import { SonioxClient, type RealtimeToken } from '../lib';
import { startMockServer } from '../lib/mock';

/** "Your app": live captions, one line per speaker turn, closed at each endpoint. */
async function liveCaptions(client: SonioxClient, audio: Buffer): Promise<string[]> {
  const stream = client.realtime({
    audio_format: 'pcm_s16le',
    sample_rate: 16000,
    num_channels: 1,
    enable_speaker_diarization: true,
    enable_endpoint_detection: true,
    tokens: 'final',
  });
  const lines: string[] = [];
  let line = '';
  let speaker: string | undefined;
  const close = () => {
    if (line) lines.push(`Speaker ${speaker ?? '?'}: ${line.trim()}`);
    line = '';
  };
  stream.on('endpoint', close);
  stream.end(audio);
  for await (const token of stream as AsyncIterable<RealtimeToken>) {
    if (token.translation_status === 'translation') continue;
    if (token.speaker !== speaker) close();
    speaker = token.speaker;
    line += token.text;
  }
  close();
  return lines;
}

/** "Your app": a file's transcript as speaker turns. */
async function transcriptTurns(client: SonioxClient, file: string): Promise<string[]> {
  const transcript = await client.transcribe(file, { enable_speaker_diarization: true });
  const turns: string[] = [];
  for (const token of transcript.tokens) {
    const label = `Speaker ${token.speaker ?? '?'}:`;
    const last = turns.at(-1);
    if (last?.startsWith(label)) turns[turns.length - 1] = `${last}${token.text}`;
    else turns.push(`${label} ${token.text.trim()}`);
  }
  return turns;
}

async function main(): Promise<void> {
  const server = await startMockServer();
  const client = new SonioxClient({
    apiKey: server.apiKey,
    baseURL: server.url,
    realtimeURL: server.realtimeURL,
  });
  try {
    // 1. A realtime session answered exactly as scripted, whatever the audio.
    server.scripts.realtime({
      steps: [
        {
          on: { audioMs: 100 },
          tokens: [{ text: 'Hel', start_ms: 0, end_ms: 90, is_final: false }],
        },
        {
          on: { audioMs: 400 },
          tokens: [
            { text: 'Hello', start_ms: 0, end_ms: 300, speaker: '1' },
            { text: ' there', start_ms: 300, end_ms: 380, speaker: '1' },
          ],
          endpoint: true,
        },
        {
          on: 'end-of-audio',
          tokens: [{ text: 'Hi', start_ms: 900, end_ms: 1100, speaker: '2' }],
        },
      ],
    });
    const audio = Buffer.alloc(32_000); // 1 s of silence: the script decides what is "heard"
    const lines = await liveCaptions(client, audio);
    assert.deepEqual(lines, ['Speaker 1: Hello there', 'Speaker 2: Hi']);
    // What the app sent: its start message and every audio byte.
    const [session] = server.received.sessions;
    assert.equal(session?.start?.enable_speaker_diarization, true);
    assert.equal(session?.audioBytes, audio.length);
    assert.equal(session?.endOfAudio, true);
    console.log(`captions: ${lines.join(' | ')}`);

    // 2. The service ends the session early: the app sees the API's error.
    server.scripts.realtime({
      steps: [
        { on: { audioMs: 0 }, tokens: [{ text: 'Partial', start_ms: 0, end_ms: 200 }] },
        { on: { audioMs: 500 }, error: { code: 402, message: 'Organization balance exhausted.' } },
      ],
    });
    const failure = await liveCaptions(client, audio).catch((e: Error) => e);
    assert.ok(failure instanceof Error);
    console.log(`error: ${failure.constructor.name}: ${failure.message}`);

    // 3. An async transcript scripted for one file name.
    server.scripts.transcription({
      filename: 'hello-world.wav',
      tokens: [
        { text: 'Good', start_ms: 0, end_ms: 300, confidence: 0.97, speaker: '1' },
        { text: ' morning', start_ms: 300, end_ms: 700, confidence: 0.96, speaker: '1' },
        { text: 'Hi', start_ms: 900, end_ms: 1100, confidence: 0.98, speaker: '2' },
      ],
    });
    const turns = await transcriptTurns(client, 'fixtures/audio/hello-world.wav');
    assert.deepEqual(turns, ['Speaker 1: Good morning', 'Speaker 2: Hi']);
    assert.equal(server.received.transcriptions[0]?.request.enable_speaker_diarization, true);
    console.log(`transcript: ${turns.join(' | ')}`);
  } finally {
    client.close();
    await server.close();
  }
}

void main();

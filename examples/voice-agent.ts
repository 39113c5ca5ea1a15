/**
 * A voice agent's turn loop: a recorded call streamed at real time (a file piped in is paced by
 * the stream itself), one turn per endpoint. Each completed utterance is printed with its
 * speaker and language, "answered" by a stub (your LLM / TTS call goes there), and the time from
 * the server's endpoint to the handler is shown. Markers travel in-band, so the endpoint is read
 * right after the words it closes, however long the agent takes to answer.
 *
 *   node -r ts-node/register/transpile-only examples/voice-agent.ts [call.wav]
 *
 * Runs offline against the package's mock unless SONIOX_API_KEY is set (see client-or-mock.ts).
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { utterances, type Utterance } from '../lib';
import { clientOrMock } from './client-or-mock';

/** The agent's answer to one turn: a stub standing in for an LLM call and speech synthesis. */
async function answer(turn: Utterance): Promise<string> {
  await sleep(50); // the "thinking" time; tokens meanwhile wait in the stream, in order
  const words = turn.text.split(/\s+/).length;
  return `(stub) heard ${words} word${words === 1 ? '' : 's'}: "${turn.text}"`;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(2));

async function main(): Promise<void> {
  const wav = process.argv[2] ?? 'fixtures/audio/conversation-two.wav';
  const { client, close } = await clientOrMock();
  try {
    const stream = client.realtime({
      audio_format: 'auto',
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
      enable_speaker_diarization: true,
      enable_language_identification: true,
      tokens: 'final',
      markers: 'inband',
    });
    // When each endpoint reached this process (the 'result' event fires as its frame arrives).
    // Taken in order by the turns that end at an endpoint: the API sends <end> only after speech.
    const endpointsAt: number[] = [];
    stream.on('result', (message) => {
      if (message.tokens.some((t) => t.text === '<end>')) endpointsAt.push(performance.now());
    });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    fs.createReadStream(wav).pipe(stream);

    let turns = 0;
    for await (const turn of utterances(stream)) {
      const arrived = turn.end === 'endpoint' ? endpointsAt.shift() : undefined;
      const latency =
        arrived === undefined
          ? ''
          : ` (endpoint -> handler ${(performance.now() - arrived).toFixed(1)} ms)`;
      turns += 1;
      console.log(
        `turn ${turns} [speaker ${turn.speaker ?? '?'}, ${turn.language ?? '?'}, ${seconds(turn.start_ms)}-${seconds(turn.end_ms)} s, ${turn.end}]: ${turn.text}${latency}`,
      );
      console.log(`  agent: ${await answer(turn)}`);
    }
    const { finalMs, totalMs } = stream.audioProcessed;
    console.log(`done: ${turns} turns, audio processed ${finalMs} ms final / ${totalMs} ms total`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

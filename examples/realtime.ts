/** README realtime quick start and docs/realtime.md: the pipe line, for await with endpoints, finalize, and reconnect without loss. */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SonioxClient, type RealtimeToken, type ReconnectEvent } from '../lib';

async function main(): Promise<void> {
  const wav = process.argv[2] ?? 'fixtures/audio/two-phrases.wav';
  const client = new SonioxClient();
  try {
    // 1. The pipe line: audio in, final tokens out.
    let piped = '';
    await pipeline(
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
      fs.createReadStream(wav),
      client.realtime({ audio_format: 'auto', tokens: 'final' }),
      new Writable({
        objectMode: true,
        write(token: RealtimeToken, _enc, done) {
          piped += token.text;
          done();
        },
      }),
    );
    console.log(`pipe: ${piped}`);

    // 2. for await, with endpoint events.
    const stream = client.realtime({
      audio_format: 'auto',
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
    });
    let endpoints = 0;
    stream.on('endpoint', () => endpoints++);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    fs.createReadStream(wav).pipe(stream);
    let text = '';
    for await (const token of stream) if (token.is_final) text += token.text;
    console.log(
      `for await: ${text} (${endpoints} endpoints; transcript ${JSON.stringify(stream.transcript)})`,
    );

    // 3. Manual finalization: everything sent so far turns final, then a 'finalized' event.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    const raw = fs.readFileSync(wav).subarray(44);
    const live = client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      tokens: 'final',
    });
    const finalized = new Promise<void>((resolve) => live.once('finalized', () => resolve()));
    live.resume();
    live.write(raw.subarray(0, 32_000));
    live.finalize({ trailing_silence_ms: 300 });
    await finalized;
    console.log(`finalize: ${live.transcript}`);
    live.end();
    await new Promise<void>((resolve) => live.once('close', resolve));

    // 4. Reconnect without loss (raw PCM only): skip the 44-byte WAV header.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    const pcm = fs.readFileSync(wav).subarray(44);
    const resumable = client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      tokens: 'final',
      reconnect: {
        maxAttempts: 3,
        baseDelayMs: 50,
        maxDelayMs: 500,
        getApiKey: async () =>
          (
            await client.auth.createTemporaryKey({
              usage_type: 'transcribe_websocket',
              expires_in_seconds: 60,
            })
          ).api_key,
      },
    });
    resumable.on('reconnect', ({ attempt, error }: ReconnectEvent) =>
      console.error(`reconnecting (${attempt}): ${error.message}`),
    );
    resumable.end(pcm);
    for await (const _token of resumable);
    console.log(`reconnect: ${resumable.transcript}`);
  } finally {
    client.close();
  }
}

void main();

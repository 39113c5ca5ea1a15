/**
 * Live captions that outlast a session: a realtime session ends at a hard cap (300 minutes, or
 * a temporary key's max_session_duration_seconds), and `rollover` carries the stream over into
 * a new session before it, with the captions on one timeline and no word lost or repeated.
 * Prints WebVTT as it goes: each cue as it closes, each rollover as a NOTE block.
 *
 *   node -r ts-node/register/transpile-only examples/long-captions.ts [call.wav]
 *
 * Against the real API (SONIOX_API_KEY set) the cap is the API's: a rollover comes every
 * 299.5 minutes. Offline, the package's mock is started with a 5-second cap, and the stream told
 * so (`capMs`), so that a short recording crosses two rollovers. The audio must be raw PCM (a
 * new session gets no container header): the WAV's samples are sent as pcm_s16le, paced at
 * real time (`pacing: true`), as a live source would send them.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { CueBuilder, formatCue, subtitleHeader, type Cue } from '../lib';
import { clientOrMock } from './client-or-mock';

/** The samples of a 16-bit PCM WAV file (its `data` chunk) and their layout. */
function wavSamples(file: Buffer): { pcm: Buffer; sampleRate: number; channels: number } {
  let at = 12;
  let sampleRate = 16_000;
  let channels = 1;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = file.readUInt16LE(at + 10);
      sampleRate = file.readUInt32LE(at + 12);
    }
    if (id === 'data') return { pcm: file.subarray(at + 8, at + 8 + size), sampleRate, channels };
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk: not a WAV file');
}

const DEMO_CAP_MS = 5_000;

async function main(): Promise<void> {
  const wav = process.argv[2] ?? 'fixtures/audio/conversation-two.wav';
  const { client, close, mock } = await clientOrMock({ limits: { streamDurationMs: DEMO_CAP_MS } });
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    const { pcm, sampleRate, channels } = wavSamples(fs.readFileSync(wav));
    const stream = client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: sampleRate,
      num_channels: channels,
      enable_endpoint_detection: true,
      tokens: 'final',
      pacing: true,
      // The API's cap is known; the demo's short one is told.
      rollover: mock ? { capMs: DEMO_CAP_MS, beforeCapMs: 2_000 } : {},
    });
    // WebVTT blocks, a blank line between them.
    let blocks = 0;
    const block = (text: string) => process.stdout.write(`${blocks++ ? '\n' : ''}${text}`);
    stream.on('rollover', ({ count, atMs }) =>
      block(`NOTE rollover ${count}: a new session from ${(atMs / 1000).toFixed(2)} s\n`),
    );
    const chunks: Buffer[] = [];
    for (let at = 0; at < pcm.length; at += 3200) chunks.push(pcm.subarray(at, at + 3200));
    Readable.from(chunks).pipe(stream);

    const cues = new CueBuilder({ maxLineChars: 42, speakerLabels: false });
    let n = 0;
    const show = (done: Cue[]) => {
      for (const cue of done) block(formatCue(cue, ++n, 'vtt'));
    };
    process.stdout.write(subtitleHeader('vtt'));
    for await (const token of stream) show(cues.push(token));
    show(cues.flush());
    console.log(`\ndone: ${n} cues; final transcript: ${stream.transcript.trim()}`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

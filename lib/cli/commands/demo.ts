/**
 * `soniox demo`: the SDK end to end, offline. Starts the embedded mock server, injects one
 * fault (a 503 with Retry-After on creating the transcription, retried visibly), uploads a
 * fixture with a progress bar, follows the job's status, prints the transcript with word
 * timings, streams the same audio through `client.realtime()` at real time with the words
 * appearing live, transcribes the fixtures folder as a batch (`soniox transcribe dir --out-dir`'s
 * display and runner), and ends with a table of what it measured. On a terminal: bar, live words;
 * elsewhere: plain lines. `--live` does the same against the real API (SONIOX_API_KEY), with
 * no injected fault.
 */
import { bytesToMs, parseWav } from '../../audio';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import pc from 'picocolors';
import type { SonioxClient } from '../../client';
import type { RetryEvent } from '../../config';
import { startMockServer, type MockServer } from '../../mock';
import { defaultFixturesDir, loadFixtures } from '../../mock/recognizer';
import type { RealtimeToken } from '../../types';
import { expandInputs } from '../batch/inputs';
import { OUTPUT_EXTENSIONS, planOutputs } from '../batch/names';
import { runBatch, type BatchRow } from '../batch/run';
import { assertInputFile, describe, InterruptedError, type Context } from '../context';
import type { Output } from '../io';
import { BatchDisplay } from '../render/batch-progress';
import { LiveText, PlainText, type TokenSink } from '../render/live';
import { Progress } from '../render/progress';
import { wordsOf } from '../../transcript';
import { bytes, table } from '../render/table';

/** Options of `soniox demo`. */
export interface DemoFlags {
  live?: boolean;
  pacing: boolean;
  audio?: string;
  /** Retry-After of the injected 503, in seconds (1; specs use 0). */
  retryAfter?: number;
  /**
   * The embedded mock's job lifecycle (150 ms queued, 300 ms processing, so that the statuses
   * show; specs use less).
   */
  timing?: { queuedMs: number; processingMs: number };
}

/** The fixture the demo uses by default. */
export function demoAudio(): string {
  const dir = defaultFixturesDir();
  const first = loadFixtures(dir)[0];
  if (!first)
    throw new Error(`no demo audio: ${path.join(dir, 'audio', 'manifest.json')} lists none`);
  return path.join(dir, 'audio', first.name);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * The two-voice fixture transcribed with diarization and a one-way translation into Spanish:
 * a line per speaker turn, its translation indented below.
 */
async function conversation(client: SonioxClient, signal: AbortSignal): Promise<string[]> {
  const file = path.join(defaultFixturesDir(), 'audio', 'conversation-two.wav');
  const target = 'es';
  const transcript = await client.transcribe(file, {
    enable_speaker_diarization: true,
    translation: { type: 'one_way', target_language: target },
    signal,
    pollIntervalMs: 50,
  });
  const lines: string[] = [];
  let said = '';
  let translated = '';
  let speaker: string | null | undefined;
  const flush = () => {
    if (said) lines.push(`speaker ${speaker ?? '?'}: ${said.trim()}`);
    if (translated) lines.push(`  ${target}: ${translated.trim()}`);
    said = translated = '';
  };
  for (const token of transcript.tokens) {
    if (token.translation_status === 'translation') {
      translated += token.text;
      continue;
    }
    if (translated || token.speaker !== speaker) flush();
    speaker = token.speaker;
    said += token.text;
  }
  flush();
  return lines;
}

/**
 * The fixtures folder through the many-file runner, with its display, into a scratch directory
 * removed afterwards: a row per file with the start of its transcript, and a figure.
 */
async function fixturesBatch(
  client: SonioxClient,
  signal: AbortSignal,
  out: Output,
  tty: boolean,
): Promise<{ rows: string[][]; figure: string }> {
  const inputs = planOutputs(
    expandInputs([path.relative(process.cwd(), path.join(defaultFixturesDir(), 'audio')) || '.']),
    OUTPUT_EXTENSIONS.text,
  );
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-demo-'));
  const display = new BatchDisplay(out, tty, inputs.length);
  const started = performance.now();
  try {
    const { rows, stopped } = await runBatch(
      client,
      {
        inputs,
        outDir,
        format: 'text',
        journal: path.join(outDir, 'journal.jsonl'),
        params: {},
        concurrency: 4,
        keep: false,
        pollMs: 50,
        signal,
      },
      display,
    );
    if (stopped) throw new InterruptedError();
    const ms = performance.now() - started;
    const text = (row: BatchRow) =>
      row.status === 'failed'
        ? `failed: ${row.detail}`
        : // eslint-disable-next-line security/detect-non-literal-fs-filename -- an output the batch wrote in its scratch directory
          (fs.readFileSync(row.detail, 'utf8').trim().split('\n')[0] ?? '').slice(0, 60);
    return {
      rows: rows.map((row) => [row.input.key, text(row)]),
      figure: `${rows.length} files in ${seconds(ms)}, ${((rows.length / ms) * 60_000).toFixed(0)} files/min`,
    };
  } finally {
    display.stop();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Runs the demo. */
export async function demo(ctx: Context, flags: DemoFlags): Promise<void> {
  const out = ctx.stdout;
  const tty = ctx.io.stdout.isTTY === true;
  const color = pc.createColors(tty && !ctx.io.env.NO_COLOR);
  const say = (line = '') => out.write(`${line}\n`);
  const heading = (line: string) => say(`\n${color.bold(line)}`);
  const audioPath = flags.audio ?? demoAudio();
  assertInputFile(audioPath);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the --audio path the user gave, else the package's fixture
  const audio = fs.readFileSync(audioPath);
  const retries: string[] = [];
  const onRetry = (e: RetryEvent) => {
    const line = `retry ${e.attempt - 1}: ${e.method} ${e.url} got "${describe(e.error)}"; retrying in ${seconds(e.delayMs)}`;
    retries.push(line);
    progress.line(color.yellow(line));
  };
  const progress = new Progress(out, tty ? 'tty' : 'plain');

  let server: MockServer | undefined;
  let client: SonioxClient;
  if (flags.live) {
    client = ctx.client({ onRetry });
    say(`soniox demo --live: against ${client.baseURL}`);
  } else {
    server = await startMockServer({
      timing: flags.timing ?? { queuedMs: 150, processingMs: 300 },
      realtimePacing: flags.pacing,
    });
    client = ctx.client({
      apiKey: server.apiKey,
      baseURL: server.url,
      realtimeURL: server.realtimeURL,
      env: {},
      onRetry,
      retry: { baseDelayMs: 100 },
    });
    server.setFaults({
      http: [
        {
          route: 'POST /v1/transcriptions',
          status: 503,
          retryAfter: flags.retryAfter ?? 1,
          times: 1,
        },
      ],
    });
    say(`soniox demo: offline, against the embedded mock server at ${server.url}`);
    say(
      `injected fault: POST /v1/transcriptions answers 503 with Retry-After: ${flags.retryAfter ?? 1} once`,
    );
  }
  say(
    `audio: ${path.relative(process.cwd(), audioPath) || audioPath} (${bytes(audio.length)}, ${seconds(bytesToMs(audio.length, parseWav(audio)?.byteRate ?? 32_000))})`,
  );

  const figures: string[][] = [];
  try {
    // Also warms the connection and the response schemas up, so the upload figure is the upload's.
    const { models } = await client.models.list({ signal: ctx.signal });
    say(`models: ${models.map((m) => m.id).join(', ')}`);

    // Steps 1 and 2 are one client.transcribe call: its callbacks time and show each step,
    // and it deletes the file and the transcription afterwards (also on failure or Ctrl-C).
    heading('1. upload');
    const uploadStart = performance.now();
    let createStart = 0;
    const transcript = await client.transcribe(audioPath, {
      signal: ctx.signal,
      cleanupSignal: ctx.cleanupSignal,
      awaitCleanup: true,
      pollIntervalMs: 50,
      maxPollIntervalMs: 1000,
      onProgress: (p) => progress.upload(p.loaded, p.total),
      onUploaded: (file) => {
        progress.uploadDone();
        const uploadMs = performance.now() - uploadStart;
        const mbps = file.size / 1_048_576 / (uploadMs / 1000);
        say(`uploaded file ${file.id} in ${uploadMs.toFixed(0)} ms`);
        figures.push([
          'upload throughput',
          `${mbps.toFixed(1)} MB/s (${bytes(file.size)} in ${uploadMs.toFixed(0)} ms)`,
        ]);
        heading('2. transcription');
        createStart = performance.now();
      },
      onCreated: (t) => say(`created transcription ${t.id}: ${t.status}`),
      onStatus: (t) =>
        progress.line(`status: ${t.status} at ${seconds(performance.now() - createStart)}`),
      onCleanupError: (e, target, id) =>
        say(`could not delete ${target} ${id}: ${describe(e)} (soniox ${target}s rm ${id})`),
    });
    figures.push(['create to transcript', seconds(performance.now() - createStart)]);

    heading('3. transcript with word timings');
    const words = wordsOf(transcript.tokens);
    say(
      table(
        ['START', 'END', 'WORD'],
        words.map((w) => [seconds(w.start_ms), seconds(w.end_ms), w.text]),
      ),
    );
    say(`text: ${transcript.text.trim()}`);

    heading(`4. realtime, the same audio ${flags.pacing ? 'at real time' : 'as fast as it goes'}`);
    const sink: TokenSink = tty ? new LiveText(out, color) : new PlainText(out);
    // The audio is a WAV: the stream paces it from its header.
    const stream = client.realtime({
      audio_format: 'auto',
      signal: ctx.signal,
      pacing: flags.pacing,
    });
    const rtStart = performance.now();
    let firstToken: number | undefined;
    let firstFinal: number | undefined;
    const tokens = new Writable({
      objectMode: true,
      write(token: RealtimeToken, _encoding, done) {
        firstToken ??= performance.now() - rtStart;
        if (token.is_final) firstFinal ??= performance.now() - rtStart;
        sink.token(token);
        done();
      },
    });
    const audioStream = Readable.from([audio]);
    await pipeline(audioStream, stream, tokens);
    sink.end();
    figures.push([
      'realtime: first token',
      firstToken === undefined ? '-' : `${firstToken.toFixed(0)} ms`,
    ]);
    figures.push([
      'realtime: first final token',
      firstFinal === undefined ? '-' : `${firstFinal.toFixed(0)} ms`,
    ]);
    figures.push(['realtime: whole session', seconds(performance.now() - rtStart)]);

    heading('5. speakers and a translation (a two-voice conversation, into Spanish)');
    for (const line of await conversation(client, ctx.signal)) say(line);

    heading('6. many files: the fixtures folder as a batch, 4 at a time');
    const batch = await fixturesBatch(client, ctx.signal, out, tty);
    figures.push(['batch', batch.figure]);
    say(table(['FILE', 'TRANSCRIPT'], batch.rows));

    heading('7. what it measured');
    const pool = client.poolStats();
    figures.push([
      'retries',
      `${retries.length}${retries.length && !flags.live ? ' (the injected 503, honouring Retry-After)' : ''}`,
    ]);
    figures.push([
      'HTTP requests / sockets',
      `${pool.requests} on ${pool.socketsCreated} socket(s), ${(pool.reuseRatio * 100).toFixed(0)} % reused`,
    ]);
    say(table(['FIGURE', 'VALUE'], figures));
  } catch (e) {
    progress.stop();
    if (ctx.interrupted) say('interrupted');
    if (ctx.interrupted) throw new InterruptedError();
    throw e;
  } finally {
    client.close();
    await server?.close();
  }
}

/** Adds `demo` to the program. */
export function registerDemo(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description('run the SDK end to end against the embedded mock server, offline, no key needed')
    .option('--live', 'use the real API instead (needs SONIOX_API_KEY; no fault injected)')
    .option('--no-pacing', 'stream the realtime part as fast as possible instead of at real time')
    .option('--audio <file>', 'audio to use (default: the hello-world fixture)')
    .action((flags: DemoFlags) => demo(ctx, flags));
}

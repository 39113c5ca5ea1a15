/**
 * `soniox transcribe <file|url|->`: upload (or use the URL), create the transcription, wait,
 * print the transcript as text, JSON, SRT or WebVTT, then delete what it created (unless
 * --keep), all through `client.transcribe`. `--model`, `--language` and `--translate` are
 * checked against the model catalogue first. On a terminal, stderr shows an upload bar and a
 * status line; piped, stdout carries the result only. Ctrl-C aborts the flow and still cleans
 * up (waiting for a processing job to end); a second Ctrl-C leaves what is left, named.
 * Several sources, a directory or --out-dir select the many-file form (transcribe-many.ts).
 */
import { Option, type Command } from 'commander';
import type { UploadInput } from '../../http/upload-source';
import type { CleanupEvent, CleanupTarget } from '../../job';
import { assertCreateParams, cleanUp, DEFAULT_CLEANUP_WAIT_MS } from '../../job';
import {
  assertInputFile,
  assertOutputFile,
  describe,
  InterruptedError,
  shellWord,
  writeOutput,
  type Context,
} from '../context';
import { integer, isURL } from '../options';
import { Progress } from '../render/progress';
import { shownName } from '../render/name';
import { bytes } from '../render/table';
import { formatTranscript, TRANSCRIPT_FORMATS } from '../render/transcript';
import { isBatch, transcribeMany, type BatchFlags } from './transcribe-many';
import {
  assertModelFlags,
  createParams,
  webhookOptions,
  type TranscribeFlags,
} from './transcribe-params';
import { recognitionOptions } from '../recognition-flags';
import { parseShard } from '../batch/shard';

/** The stderr progress mode of a context: a bar on a terminal, lines with --verbose, else nothing. */
export function progressFor(ctx: Context): Progress {
  return new Progress(ctx.stderr, ctx.io.stderr.isTTY ? 'tty' : ctx.verbose ? 'plain' : 'off');
}

/** Runs `soniox transcribe`: one call of `client.transcribe`, its steps shown on stderr. */
export async function transcribe(
  ctx: Context,
  source: string,
  flags: TranscribeFlags,
): Promise<void> {
  if (flags.out !== undefined) assertOutputFile(flags.out);
  let input: UploadInput | undefined;
  let size: number | undefined;
  if (source === '-') input = ctx.stdinSource();
  else if (!isURL(source)) {
    size = assertInputFile(source, 'http');
    input = source;
  }
  const client = ctx.client();
  const params = createParams(flags);
  // Checked before a byte is uploaded: a bad parameter, model or language fails at once.
  assertCreateParams(
    client.transcriptions,
    params,
    input === undefined ? { audio_url: source } : undefined,
  );
  await assertModelFlags(client, flags, ctx.signal);

  const progress = progressFor(ctx);
  const created: { file?: string; transcription?: string } = {};
  const left: string[] = [];
  const started = Date.now();
  const onInterrupt = () => {
    if (created.file || created.transcription || input !== undefined)
      ctx.note('interrupted: cleaning up (Ctrl-C again to leave things as they are)');
  };
  ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  // Boxed, so that even a thrown `undefined` counts as a failure.
  let failure: { error: unknown } | undefined;
  // The transcript was paid for but could not be written (a full disk): keep the transcription.
  let unwritten = false;
  const onCleanup = (e: CleanupEvent) => {
    if (e.type === 'deleted') ctx.debug(`deleted ${e.target} ${e.id}`);
    else if (ctx.chatty)
      ctx.note(
        `waiting for transcription ${e.id} to finish processing before deleting it (Ctrl-C again to leave it)`,
      );
  };
  const onCleanupError = (e: unknown, target: CleanupTarget, id: string) => {
    ctx.note(`could not delete ${target} ${id}: ${describe(e)}`);
    left.push(`${target} ${id} (soniox ${target}s rm ${id})`);
  };
  try {
    if (input !== undefined)
      progress.status(
        `uploading ${source === '-' ? 'stdin' : shownName(source)}${size ? ` (${bytes(size)})` : ''}`,
      );
    const { transcript } = await client.transcribe(input ?? { audio_url: source }, {
      ...params,
      signal: ctx.signal,
      cleanupSignal: ctx.cleanupSignal,
      // Cleaned up below, once the output is written: a failed write must keep the transcript.
      cleanup: false,
      ...(source === '-' ? { filename: 'stdin' } : {}),
      pollIntervalMs: flags.pollMs,
      maxPollIntervalMs: Math.max(flags.pollMs, 5_000),
      onProgress: (p) => progress.upload(p.loaded, p.total),
      onUploaded: (file) => {
        progress.uploadDone();
        created.file = file.id;
        progress.line(
          `uploaded ${shownName(file.filename)} (${bytes(file.size)}) as file ${file.id}`,
        );
      },
      onCreated: (t) => {
        created.transcription = t.id;
        progress.line(`created transcription ${t.id} (${t.model})`);
      },
      onStatus: (t) =>
        progress.status(
          `transcription ${t.status}${t.audio_duration_ms ? ` (${(t.audio_duration_ms / 1000).toFixed(1)} s of audio)` : ''} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ),
    });
    progress.stop();
    const text = formatTranscript(transcript, flags.format);
    if (flags.out === undefined) ctx.result(text);
    else {
      try {
        writeOutput(flags.out, text.endsWith('\n') || text === '' ? text : `${text}\n`);
      } catch (e) {
        unwritten = true;
        throw e;
      }
      progress.line(`wrote ${shownName(flags.out)}`);
    }
  } catch (e) {
    failure = { error: e };
  } finally {
    progress.stop();
  }
  // What client.transcribe's own cleanup would do (the transcription, which takes its file,
  // then the file), awaited even after Ctrl-C; a second Ctrl-C (cleanupSignal) stops it.
  if (flags.keep !== true)
    await ctx.cleaning(() =>
      cleanUp(client, {
        transcription: unwritten ? undefined : created.transcription,
        file: unwritten && created.transcription ? undefined : created.file,
        signal: ctx.cleanupSignal,
        waitMs: DEFAULT_CLEANUP_WAIT_MS,
        pauseMs: Math.min(flags.pollMs, 1_000),
        onCleanup,
        onCleanupError,
      }),
    );
  ctx.signal.removeEventListener('abort', onInterrupt);
  if (left.length) ctx.note(`left behind: ${left.join(', ')}`);
  if (unwritten && created.transcription && flags.out !== undefined) {
    const id = created.transcription;
    ctx.note(`kept transcription ${id} (and its file): the transcript could not be written`);
    ctx.note(
      `  fetch it again: soniox transcriptions transcript ${id} --format ${flags.format} -o ${shellWord(flags.out)}`,
    );
    ctx.note(`  then delete it: soniox transcriptions rm ${id}`);
  }
  if (flags.keep && (created.file || created.transcription)) {
    // On stderr whatever stdout and stderr are: the ids are the only way to find them again.
    const kept = [
      created.file && `file ${created.file}`,
      created.transcription && `transcription ${created.transcription}`,
    ].filter(Boolean);
    ctx.note(`kept ${kept.join(' and ')} (--keep)`);
  }
  if (ctx.interrupted) throw new InterruptedError();
  if (failure) throw failure.error;
}

/** Adds `transcribe` to the program: one source, or many with --out-dir (transcribe-many.ts). */
export function registerTranscribe(program: Command, ctx: Context): void {
  const command = program
    .command('transcribe')
    .description(
      'transcribe a file, an http(s) URL or stdin (-) with the async API, then delete what was created; or many files and directories into --out-dir, resumably',
    )
    .argument(
      '<source...>',
      'audio file, http(s) URL (sent as audio_url), or - to read stdin; with --out-dir, files and directories (their audio files, recursively)',
    );
  // The recognition flags are soniox realtime's own (one definition), then the webhook's.
  for (const option of [...recognitionOptions('async'), ...webhookOptions()])
    command.addOption(option);
  command
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(TRANSCRIPT_FORMATS)
        .default('text'),
    )
    .option('-o, --out <file>', 'write the result to <file> instead of stdout')
    .option('--keep', 'keep the uploaded file and the transcription (their ids go to stderr)')
    .addOption(
      new Option('--poll-ms <ms>', 'first status poll interval; grows by half up to 5 s')
        .argParser(integer(10, 60_000))
        .default(1000),
    )
    .option(
      '--out-dir <dir>',
      'many inputs: write one output per input under <dir> (named after the input), with the journal that makes a rerun of the same command resume',
    )
    .addOption(
      new Option('--concurrency <n>', 'with --out-dir: inputs in flight (default 4)').argParser(
        integer(1, 100),
      ),
    )
    .addOption(
      new Option(
        '--shard <i/n>',
        'with --out-dir: take only share i of n of the inputs (split by a hash of their paths; one journal per shard)',
      ).argParser(parseShard),
    )
    .option('--restart', 'with --out-dir: forget the journal and transcribe every input again')
    .addHelpText(
      'after',
      `
Many files: soniox transcribe calls/ extra.wav --out-dir transcripts [--format srt] [--concurrency 8]
  writes transcripts/<name>.<format> per input and transcripts/.soniox-batch-<format>.jsonl;
  run the same command again after Ctrl-C or a crash: what is done is skipped, nothing is paid twice.
  Exit 1 when an input failed (rerun to retry it); the summary table goes to stdout.`,
    )
    .action((sources: string[], flags: TranscribeFlags & BatchFlags) =>
      isBatch(sources, flags)
        ? transcribeMany(ctx, sources, flags)
        : transcribe(ctx, sources[0] ?? '-', flags),
    );
}

/**
 * `soniox transcribe <file|url|->`: upload (or use the URL), create the transcription, wait,
 * print the transcript as text, JSON, SRT or WebVTT, then delete what it created (unless
 * --keep). On a terminal, stderr shows an upload bar and a status line; piped, stdout carries
 * the result only. Ctrl-C aborts the calls in flight and still cleans up.
 */
import { Option, type Command } from 'commander';
import type { UploadInput } from '../../http/upload-source';
import type { CreateTranscriptionParams } from '../../types';
import { cleanUp, type Created } from '../cleanup';
import { checkInputFile, checkOutputFile, InterruptedError, type Context } from '../context';
import { integer, isURL, list } from '../options';
import { Progress } from '../render/progress';
import { bytes } from '../render/table';
import { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptFormat } from '../render/transcript';

/** Options of `soniox transcribe`. */
export interface TranscribeFlags {
  model?: string;
  language?: string[];
  diarize?: boolean;
  translate?: string;
  format: TranscriptFormat;
  out?: string;
  keep?: boolean;
  pollMs: number;
  reference?: string;
}

/** Stands in for the file id to come, so the parameters are checked before the upload. */
const FILE_ID_TO_COME = '00000000-0000-4000-8000-000000000000';

/** The stderr progress mode of a context: a bar on a terminal, lines with --verbose, else nothing. */
export function progressFor(ctx: Context): Progress {
  return new Progress(ctx.stderr, ctx.io.stderr.isTTY ? 'tty' : ctx.verbose ? 'plain' : 'off');
}

/** The create parameters the flags ask for. */
export function createParams(
  flags: Pick<TranscribeFlags, 'model' | 'language' | 'diarize' | 'translate' | 'reference'>,
): CreateTranscriptionParams {
  const params: CreateTranscriptionParams = {};
  if (flags.model) params.model = flags.model;
  if (flags.language) params.language_hints = flags.language;
  if (flags.diarize) params.enable_speaker_diarization = true;
  if (flags.translate) params.translation = { type: 'one_way', target_language: flags.translate };
  if (flags.reference) params.client_reference_id = flags.reference;
  return params;
}

/** Runs `soniox transcribe`. */
export async function transcribe(
  ctx: Context,
  source: string,
  flags: TranscribeFlags,
): Promise<void> {
  if (flags.out !== undefined) checkOutputFile(flags.out);
  let input: UploadInput | undefined;
  let size: number | undefined;
  if (source === '-') input = ctx.stdinSource();
  else if (!isURL(source)) {
    size = checkInputFile(source);
    input = source;
  }
  const client = ctx.client();
  const params = createParams(flags);
  // Checked before a byte is uploaded: a bad model or language fails at once.
  client.transcriptions.checkedCreate({
    ...params,
    ...(input === undefined ? { audio_url: source } : { file_id: FILE_ID_TO_COME }),
  });

  const progress = progressFor(ctx);
  const created: Created = {};
  const started = Date.now();
  // Boxed, so that even a thrown `undefined` counts as a failure.
  let failure: { error: unknown } | undefined;
  try {
    if (input !== undefined) {
      progress.status(
        `uploading ${source === '-' ? 'stdin' : source}${size ? ` (${bytes(size)})` : ''}`,
      );
      const guard = ctx.uploadGuard();
      const file = await client.files.upload(input, {
        signal: guard.signal,
        filename: source === '-' ? 'stdin' : undefined,
        onProgress: (p) => {
          guard.progress(p.loaded, p.total);
          progress.upload(p.loaded, p.total);
        },
      });
      progress.uploadDone();
      created.file = file.id;
      progress.line(`uploaded ${file.filename} (${bytes(file.size)}) as file ${file.id}`);
      params.file_id = file.id;
    } else {
      params.audio_url = source;
    }
    ctx.signal.throwIfAborted();
    // Not aborted by Ctrl-C: once sent, the server may create the job, and only the answer tells
    // its id; the wait right after rejects at once when Ctrl-C came meanwhile, and cleanup follows.
    const transcription = await client.transcriptions.create(params);
    created.transcription = transcription.id;
    progress.line(`created transcription ${transcription.id} (${transcription.model})`);
    await client.transcriptions.wait(transcription.id, {
      signal: ctx.signal,
      pollIntervalMs: flags.pollMs,
      maxPollIntervalMs: Math.max(flags.pollMs, 5_000),
      onStatus: (t) =>
        progress.status(
          `transcription ${t.status}${t.audio_duration_ms ? ` (${(t.audio_duration_ms / 1000).toFixed(1)} s of audio)` : ''} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ),
    });
    const transcript = await client.transcriptions.getTranscript(transcription.id, {
      signal: ctx.signal,
    });
    progress.stop();
    ctx.result(formatTranscript(transcript, flags.format), flags.out);
    if (flags.out !== undefined) progress.line(`wrote ${flags.out}`);
  } catch (e) {
    failure = { error: e };
  } finally {
    progress.stop();
  }
  if (ctx.interrupted)
    ctx.note('interrupted: cleaning up (Ctrl-C again to leave things as they are)');
  await cleanUp(ctx, client, created, flags.keep === true, Math.min(flags.pollMs, 500));
  if (ctx.interrupted) throw new InterruptedError();
  if (failure) throw failure.error;
}

/** Adds `transcribe` to the program. */
export function registerTranscribe(program: Command, ctx: Context): void {
  program
    .command('transcribe')
    .description(
      'transcribe a file, an http(s) URL or stdin (-) with the async API, then delete what was created',
    )
    .argument('<source>', 'audio file, http(s) URL (sent as audio_url), or - to read stdin')
    .option('-m, --model <model>', 'async model (default stt-async-v5)')
    .option('-l, --language <codes>', 'language hints, comma separated: en,fr (repeatable)', list)
    .option('--diarize', 'label speakers (enable_speaker_diarization)')
    .option('--translate <lang>', 'also translate to <lang> (one-way translation)')
    .option('--reference <id>', 'client_reference_id of the transcription')
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
    .action((source: string, flags: TranscribeFlags) => transcribe(ctx, source, flags));
}

/**
 * `soniox realtime <file|->`: streams audio through a realtime session. On a terminal the
 * words appear live (non-final ones dimmed and revised in place); piped, the final text is
 * written as it comes; `--output-format json` writes one token per line. `--final` asks the
 * stream for final tokens only. Speakers, languages and translation are shown on the lines they
 * belong to; `--srt`/`--vtt` also write subtitles, cue by cue, while the session runs. Every
 * recognition option of the start message has a flag.
 */
import fs from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import pc from 'picocolors';
import type { RealtimeStreamConfig } from '../../realtime/stream';
import {
  CONTAINER_AUDIO_FORMATS,
  RAW_AUDIO_FORMATS,
  type RealtimeAudioFormat,
  type RealtimeToken,
  type StructuredContext,
} from '../../types';
import { catalogueOf } from '../../model-catalogue';
import { assertInputFile, InterruptedError, UsageError, type Context } from '../context';
import { MIC_FORMAT, startMicrophone, type Microphone } from '../mic';
import { integer, list } from '../options';
import { contextFile, decimal, languagePair, outputFile, termsFile } from '../recognition';
import { JsonLines, LiveText, PlainText, type TokenSink } from '../render/live';
import { SubtitleFile } from '../render/subtitle-file';

/** Options of `soniox realtime`. */
export interface RealtimeFlags {
  format: string;
  rate?: number;
  channels?: number;
  model?: string;
  language?: string[];
  diarize?: boolean;
  translate?: string;
  endpoints?: boolean;
  reconnect?: number | boolean;
  final?: boolean;
  outputFormat: 'text' | 'json';
  pacing?: boolean;
  strictHints?: boolean;
  languageId?: boolean;
  context?: StructuredContext;
  terms?: string[];
  endpointDelay?: number;
  endpointSensitivity?: number;
  endpointLatency?: number;
  twoWay?: [string, string];
  reference?: string;
  srt?: string;
  vtt?: string;
  mic?: boolean;
}

/** Parses --format: a container name, auto, or a raw format the API knows. */
export function audioFormat(value: string): string {
  if (CONTAINER_AUDIO_FORMATS.includes(value) || RAW_AUDIO_FORMATS.includes(value)) return value;
  throw new InvalidArgumentError(
    `unknown audio format; use ${CONTAINER_AUDIO_FORMATS.join(', ')}, or raw ${RAW_AUDIO_FORMATS.join(', ')}.`,
  );
}

/** The sink for the flags and stdout. */
export function sinkFor(
  ctx: Context,
  outputFormat: RealtimeFlags['outputFormat'],
  languages = false,
): TokenSink {
  if (outputFormat === 'json') return new JsonLines(ctx.stdout);
  if (ctx.io.stdout.isTTY)
    return new LiveText(ctx.stdout, pc.createColors(!ctx.io.env.NO_COLOR), { languages });
  return new PlainText(ctx.stdout, { languages });
}

/** The start message's context: the --context file's, plus the --terms file's terms. */
function contextOf(flags: RealtimeFlags): StructuredContext | undefined {
  if (!flags.context && !flags.terms) return undefined;
  const context: StructuredContext = { ...flags.context };
  if (flags.terms) context.terms = [...(context.terms ?? []), ...flags.terms];
  return context;
}

/** The stream configuration the flags ask for. */
export function realtimeConfig(flags: RealtimeFlags, signal: AbortSignal): RealtimeStreamConfig {
  // The format comes from a flag, so its rate and channels are checked at run time: the SDK
  // names a raw format's missing --rate / --channels as a usage error before connecting.
  const config = {
    audio_format: flags.format as RealtimeAudioFormat,
    tokens: flags.final ? 'final' : 'all',
    signal,
  } as RealtimeStreamConfig;
  if (flags.rate !== undefined) config.sample_rate = flags.rate;
  if (flags.channels !== undefined) config.num_channels = flags.channels;
  if (flags.model) config.model = flags.model;
  if (flags.language) config.language_hints = flags.language;
  if (flags.strictHints) config.language_hints_strict = true;
  if (flags.languageId) config.enable_language_identification = true;
  if (flags.diarize) config.enable_speaker_diarization = true;
  const context = contextOf(flags);
  if (context) config.context = context;
  if (flags.translate) config.translation = { type: 'one_way', target_language: flags.translate };
  if (flags.twoWay) {
    const [language_a, language_b] = flags.twoWay;
    config.translation = { type: 'two_way', language_a, language_b };
  }
  // Tuning the endpoint only means something with endpoint detection on.
  if (flags.endpointDelay !== undefined) config.max_endpoint_delay_ms = flags.endpointDelay;
  if (flags.endpointSensitivity !== undefined)
    config.endpoint_sensitivity = flags.endpointSensitivity;
  if (flags.endpointLatency !== undefined)
    config.endpoint_latency_adjustment_level = flags.endpointLatency;
  const tuned =
    flags.endpointDelay !== undefined ||
    flags.endpointSensitivity !== undefined ||
    flags.endpointLatency !== undefined;
  if (flags.endpoints || tuned) config.enable_endpoint_detection = true;
  if (flags.reference) config.client_reference_id = flags.reference;
  if (flags.reconnect !== undefined && flags.reconnect !== false)
    config.reconnect = { maxAttempts: flags.reconnect === true ? 3 : flags.reconnect };
  return config;
}

/**
 * The microphone as the input (`--mic`): its format in the config, no pacing (it is live), and
 * Ctrl-C stopping the recorder, so the session finalizes and its last words are printed; a
 * second Ctrl-C stops the session at once.
 */
function micInput(ctx: Context, config: RealtimeStreamConfig): Microphone {
  const mic = startMicrophone(ctx.io.env);
  ctx.debug(`recording with ${mic.recorder.command} ${mic.recorder.args.join(' ')}`);
  Object.assign(config, MIC_FORMAT, { pacing: false, signal: ctx.cleanupSignal });
  ctx.signal.addEventListener('abort', () => mic.stop(), { once: true });
  return mic;
}

/** Runs `soniox realtime`. */
export async function realtime(
  ctx: Context,
  source: string | undefined,
  flags: RealtimeFlags,
): Promise<void> {
  if ((source === undefined) === !flags.mic)
    throw new UsageError('give an audio file, - for stdin, or --mic (one of them)');
  let input: Readable;
  let mic: Microphone | undefined;
  const micConfig = {} as RealtimeStreamConfig;
  if (source === undefined) {
    mic = micInput(ctx, micConfig);
    input = mic.audio;
  } else if (source === '-') input = ctx.stdinSource();
  else {
    assertInputFile(source);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the audio path the user gave
    input = fs.createReadStream(source);
  }
  const client = ctx.client();
  const config = realtimeConfig(flags, ctx.signal);
  // The stream paces a file by itself; a piped file on stdin is paced too when its format has a byte rate.
  if (flags.pacing === false) config.pacing = false;
  else if (source === '-' && (flags.format === 'wav' || RAW_AUDIO_FORMATS.includes(flags.format)))
    config.pacing = true;
  Object.assign(config, micConfig);
  // The endpoint options against the model list (a level over the model's max, an option it
  // does not support): one GET /v1/models, only when such an option was given.
  const { max_endpoint_delay_ms, endpoint_sensitivity, endpoint_latency_adjustment_level } = config;
  const tuning = [max_endpoint_delay_ms, endpoint_sensitivity, endpoint_latency_adjustment_level];
  if (tuning.some((v) => v !== undefined) || config.language_hints_strict)
    await catalogueOf(client).checkRealtime(config, { signal: ctx.signal });
  const stream = client.realtime(config);
  const sink = sinkFor(ctx, flags.outputFormat, Boolean(flags.languageId || flags.twoWay));
  const subtitles = [
    ...(flags.srt ? [new SubtitleFile(flags.srt, 'srt')] : []),
    ...(flags.vtt ? [new SubtitleFile(flags.vtt, 'vtt')] : []),
  ];
  const closeSubtitles = () => subtitles.forEach((file) => file.close());
  let requestLogged = false;
  stream.on('result', (message) => {
    if (!requestLogged && message.request_id)
      ctx.debug(`realtime session request id ${message.request_id}`);
    requestLogged ||= message.request_id !== undefined;
  });
  stream.on('open', () => ctx.debug(`realtime session open: ${client.realtimeURL}`));
  stream.on('endpoint', () => sink.endpoint());
  stream.on('reconnect', (e) => {
    if (ctx.chatty) ctx.note(`reconnecting (attempt ${e.attempt}): ${e.error.message}`);
  });
  const tokens = new Writable({
    objectMode: true,
    write(token: RealtimeToken, _encoding, done) {
      sink.token(token);
      for (const file of subtitles) file.token(token);
      done();
    },
  });
  try {
    await pipeline(input, stream, tokens);
  } catch (e) {
    sink.end();
    closeSubtitles();
    mic?.stop();
    if (source !== '-') input.destroy();
    if (ctx.interrupted && !mic) {
      if (!ctx.outputClosed) ctx.note('interrupted');
      throw new InterruptedError();
    }
    throw e;
  }
  sink.end();
  closeSubtitles();
  if (
    source !== undefined &&
    source !== '-' &&
    flags.pacing !== false &&
    stream.pacingRate === undefined
  )
    ctx.debug(`audio sent as read: ${flags.format} audio has no fixed byte rate to pace it by`);
}

/** Adds `realtime` to the program. */
export function registerRealtime(program: Command, ctx: Context): void {
  program
    .command('realtime')
    .description(
      'stream audio from a file or stdin (-) through a realtime session, words printed as they are recognised',
    )
    .argument('[source]', 'audio file, or - to read stdin (or --mic)')
    .option(
      '--mic',
      'record from the microphone (16 kHz, through arecord, sox/rec or ffmpeg on the PATH); Ctrl-C finalizes and prints the last words',
    )
    .option(
      '--format <audio_format>',
      'audio format: auto (detects wav, mp3, ogg, flac, ...), a container name, or raw pcm_s16le, pcm_f32le, mulaw, alaw, ... (raw needs --rate and --channels)',
      audioFormat,
      'auto',
    )
    .option('--rate <hz>', 'sample rate (raw formats)', integer(1, 384_000))
    .option('--channels <n>', 'channel count (raw formats)', integer(1, 8))
    .option('-m, --model <model>', 'realtime model (default stt-rt-v5)')
    .option('-l, --language <codes>', 'language hints, comma separated: en,fr (repeatable)', list)
    .option('--strict-hints', 'recognise only the --language hints (language_hints_strict)')
    .option(
      '--language-id',
      'identify the language of each word (enable_language_identification); lines show it',
    )
    .option('--diarize', 'label speakers (enable_speaker_diarization)')
    .option(
      '--context <file>',
      'context from a file: a JSON object (general, text, terms, translation_terms) or plain text',
      contextFile,
    )
    .option('--terms <file>', 'context terms from a file, one per line', termsFile)
    .addOption(
      new Option('--translate <lang>', 'also translate to <lang> (one-way translation)').conflicts(
        'twoWay',
      ),
    )
    .option(
      '--two-way <a,b>',
      'two-way translation between two languages, e.g. en,es (each line shows its language)',
      languagePair,
    )
    .option('--endpoints', 'endpoint detection: a new line when the speaker pauses')
    .option(
      '--endpoint-delay <ms>',
      'longest wait before an endpoint, 500 to 3000 (max_endpoint_delay_ms; turns on --endpoints)',
      integer(500, 3000),
    )
    .option(
      '--endpoint-sensitivity <n>',
      'endpoint sensitivity, -1 to 1 (endpoint_sensitivity; turns on --endpoints)',
      decimal(-1, 1),
    )
    .option(
      '--endpoint-latency <level>',
      'endpoint latency adjustment, 0 to 3 (endpoint_latency_adjustment_level; turns on --endpoints)',
      integer(0, 3),
    )
    .option('--reference <id>', 'your id for the session (client_reference_id)')
    .option('--srt <file>', 'also write SubRip subtitles to <file>, cue by cue', outputFile)
    .option('--vtt <file>', 'also write WebVTT subtitles to <file>, cue by cue', outputFile)
    .addOption(
      new Option(
        '--reconnect [attempts]',
        'reconnect after a drop, resuming the audio (raw formats only); default 3 attempts',
      ).argParser(integer(1, 100)),
    )
    .option(
      '--no-pacing',
      'send audio as fast as it is read (default: at real-time pace, as the API expects; raw formats and WAV)',
    )
    .option('--final', 'final tokens only (no live non-final words; json: final tokens only)')
    .addOption(
      new Option(
        '-O, --output-format <format>',
        'text (live on a terminal) or json (one token per line)',
      )
        .choices(['text', 'json'])
        .default('text'),
    )
    .action((source: string | undefined, flags: RealtimeFlags) => realtime(ctx, source, flags));
}

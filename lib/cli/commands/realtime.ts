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
} from '../../types';
import { catalogueOf } from '../../model-catalogue';
import { assertInputFile, InterruptedError, UsageError, type Context } from '../context';
import { MIC_FORMAT, startMicrophone, type Microphone } from '../mic';
import { integer } from '../options';
import { decimal, outputFile } from '../recognition';
import {
  addRecognitionFlags,
  recognitionParams,
  type RecognitionFlags,
} from '../recognition-flags';
import { JsonLines, LiveText, PlainText, type TokenSink } from '../render/live';
import { SubtitleFile } from '../render/subtitle-file';

/** Options of `soniox realtime`: the recognition flags (recognition-flags.ts) and the stream's own. */
export interface RealtimeFlags extends RecognitionFlags {
  format: string;
  rate?: number;
  channels?: number;
  endpoints?: boolean;
  reconnect?: number | boolean;
  final?: boolean;
  outputFormat: 'text' | 'json';
  pacing?: boolean;
  endpointDelay?: number;
  endpointSensitivity?: number;
  endpointLatency?: number;
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
  Object.assign(config, recognitionParams(flags));
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
  const command = program
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
    .option('--channels <n>', 'channel count (raw formats)', integer(1, 8));
  addRecognitionFlags(command, 'realtime')
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

/**
 * `soniox realtime <file|->`: streams audio through a realtime session. On a terminal the
 * words appear live (non-final ones dimmed and revised in place); piped, the final text is
 * written as it comes; `--output-format json` writes one token per line. `--final` asks the
 * stream for final tokens only.
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
import { checkInputFile, InterruptedError, type Context } from '../context';
import { integer, list } from '../options';
import { Pacer, rawByteRate } from '../pacer';
import { JsonLines, LiveText, PlainText, type TokenSink } from '../render/live';

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
}

/** Parses --format: a container name, auto, or a raw format the API knows. */
export function audioFormat(value: string): string {
  if (CONTAINER_AUDIO_FORMATS.includes(value) || RAW_AUDIO_FORMATS.includes(value)) return value;
  throw new InvalidArgumentError(
    `unknown audio format; use ${CONTAINER_AUDIO_FORMATS.join(', ')}, or raw ${RAW_AUDIO_FORMATS.join(', ')}.`,
  );
}

/** The sink for the flags and stdout. */
export function sinkFor(ctx: Context, outputFormat: RealtimeFlags['outputFormat']): TokenSink {
  if (outputFormat === 'json') return new JsonLines(ctx.stdout);
  if (ctx.io.stdout.isTTY) return new LiveText(ctx.stdout, pc.createColors(!ctx.io.env.NO_COLOR));
  return new PlainText(ctx.stdout);
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
  if (flags.diarize) config.enable_speaker_diarization = true;
  if (flags.translate) config.translation = { type: 'one_way', target_language: flags.translate };
  if (flags.endpoints) config.enable_endpoint_detection = true;
  if (flags.reconnect !== undefined && flags.reconnect !== false)
    config.reconnect = { maxAttempts: flags.reconnect === true ? 3 : flags.reconnect };
  return config;
}

/** Runs `soniox realtime`. */
export async function realtime(ctx: Context, source: string, flags: RealtimeFlags): Promise<void> {
  let input: Readable;
  if (source === '-') input = ctx.stdinSource();
  else {
    checkInputFile(source);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the audio path the user gave
    input = fs.createReadStream(source);
  }
  const client = ctx.client();
  const stream = client.realtime(realtimeConfig(flags, ctx.signal));
  const sink = sinkFor(ctx, flags.outputFormat);
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
  const pacer =
    flags.pacing === false
      ? undefined
      : new Pacer(
          rawByteRate(flags.format, flags.rate, flags.channels),
          ['auto', 'wav'].includes(flags.format),
        );
  const tokens = new Writable({
    objectMode: true,
    write(token: RealtimeToken, _encoding, done) {
      sink.token(token);
      done();
    },
  });
  try {
    await (pacer ? pipeline(input, pacer, stream, tokens) : pipeline(input, stream, tokens));
  } catch (e) {
    sink.end();
    if (source !== '-') input.destroy();
    if (ctx.interrupted) {
      if (!ctx.outputClosed) ctx.note('interrupted');
      throw new InterruptedError();
    }
    throw e;
  }
  sink.end();
  if (pacer && pacer.rate === undefined)
    ctx.debug(`audio sent as read: ${flags.format} audio has no fixed byte rate to pace it by`);
}

/** Adds `realtime` to the program. */
export function registerRealtime(program: Command, ctx: Context): void {
  program
    .command('realtime')
    .description(
      'stream audio from a file or stdin (-) through a realtime session, words printed as they are recognised',
    )
    .argument('<source>', 'audio file, or - to read stdin')
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
    .option('--diarize', 'label speakers (enable_speaker_diarization)')
    .option('--translate <lang>', 'also translate to <lang> (one-way translation)')
    .option('--endpoints', 'endpoint detection: a new line when the speaker pauses')
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
    .action((source: string, flags: RealtimeFlags) => realtime(ctx, source, flags));
}

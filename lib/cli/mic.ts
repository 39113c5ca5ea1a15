/**
 * `soniox realtime --mic`: the default microphone as 16 kHz 16-bit mono PCM, read from the first
 * recorder found on the PATH: `arecord` (ALSA), `sox` or its `rec`, then `ffmpeg`. The SDK has
 * no native audio dependency; any of these is one package away on every system.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { UsageError } from './context';

/** The recorders tried, in order. */
export const RECORDERS = ['arecord', 'sox', 'rec', 'ffmpeg'] as const;

/** A recorder of the PATH and how to run it. */
export interface Recorder {
  name: (typeof RECORDERS)[number];
  /** Its full path. */
  command: string;
  args: string[];
}

/** The format the recorder is asked for: what `--mic` sends the realtime API. */
export const MIC_FORMAT = {
  audio_format: 'pcm_s16le',
  sample_rate: 16000,
  num_channels: 1,
} as const;

const RAW_16K_MONO = [
  '-t',
  'raw',
  '-b',
  '16',
  '-e',
  'signed-integer',
  '-L',
  '-r',
  '16000',
  '-c',
  '1',
];

/** Each recorder's arguments: the default input device, 16 kHz s16le mono, raw to stdout. */
function argsOf(name: Recorder['name'], platform: NodeJS.Platform): string[] {
  switch (name) {
    case 'arecord':
      return ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1', '-'];
    case 'sox':
      return ['-q', '-d', ...RAW_16K_MONO, '-'];
    case 'rec':
      return ['-q', ...RAW_16K_MONO, '-'];
    case 'ffmpeg': {
      const input =
        platform === 'darwin'
          ? ['-f', 'avfoundation', '-i', ':0']
          : platform === 'win32'
            ? ['-f', 'dshow', '-i', 'audio=default']
            : ['-f', 'alsa', '-i', 'default'];
      const out = ['-ac', '1', '-ar', '16000', '-f', 's16le', '-'];
      return ['-hide_banner', '-loglevel', 'error', ...input, ...out];
    }
  }
}

/** The first recorder on `pathVariable` (a PATH value), or undefined. */
export function findRecorder(
  pathVariable: string | undefined,
  platform: NodeJS.Platform = process.platform,
): Recorder | undefined {
  const dirs = (pathVariable ?? '').split(path.delimiter).filter((dir) => dir !== '');
  const suffixes = platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const name of RECORDERS)
    for (const dir of dirs)
      for (const suffix of suffixes) {
        const command = path.join(dir, name + suffix);
        if (executable(command)) return { name, command, args: argsOf(name, platform) };
      }
  return undefined;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A running recorder: its audio, and how to stop it (its stdout then ends). */
export interface Microphone {
  recorder: Recorder;
  audio: Readable;
  stop(): void;
}

/**
 * Starts the first recorder of `env.PATH`; a UsageError naming them all when there is none. A
 * recorder that exits on its own with a failure fails the audio stream with its last stderr line.
 */
export function startMicrophone(env: Record<string, string | undefined>): Microphone {
  const recorder = findRecorder(env.PATH ?? env.Path);
  if (!recorder)
    throw new UsageError(
      `--mic needs a recorder on the PATH: ${RECORDERS.join(', ')} (install alsa-utils, sox or ffmpeg)`,
    );
  const child = spawn(recorder.command, recorder.args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopped = false;
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  // The audio ends once the recorder is gone, so a recorder that failed fails it (its stdout
  // alone would just end, and the session would finish as if all went well).
  const audio = new PassThrough();
  child.stdout.pipe(audio, { end: false });
  const fail = (why: string) => {
    const last = errors.trim().split('\n').at(-1);
    audio.destroy(new Error(`${recorder.name} ${why}${last ? `: ${last}` : ''}`));
  };
  child.on('error', (error) => fail(`could not start (${error.message})`));
  child.on('close', (code, signal) => {
    if (!stopped && code !== 0) fail(`stopped (${signal ?? `exit ${String(code)}`})`);
    else audio.end();
  });
  return {
    recorder,
    audio,
    stop: () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}

/**
 * `soniox mock`: the local mock Soniox server (REST + WebSocket on one loopback port) until
 * Ctrl-C or SIGTERM, with faults injected from the command line.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseFaultFlag, startMockServer, type MockServer } from '../../mock';
import type { HttpFault, WsFault } from '../../mock/contracts';
import type { Context } from '../context';
import { integer } from '../options';

const WS_FAULT_FIELDS = [
  'errorCode',
  'abruptClose',
  'garbageFrame',
  'stopReading',
  'closeCode',
  'afterAudioMs',
  'times',
];

/** Parses `--ws-fault "errorCode=503,afterAudioMs=1000,times=1"`. */
export function parseWsFaultFlag(flag: string): WsFault {
  const fault: Record<string, number | boolean> = {};
  for (const part of flag
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key = '', raw = 'true'] = part.split('=');
    if (!WS_FAULT_FIELDS.includes(key))
      throw new Error(`unknown --ws-fault field "${key}" (known: ${WS_FAULT_FIELDS.join(', ')})`);
    fault[key] = raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    if (typeof fault[key] === 'number' && Number.isNaN(fault[key]))
      throw new Error(`--ws-fault ${key} must be a number`);
  }
  return fault;
}

/** Options of `soniox mock`. */
export interface MockFlags {
  port: number;
  host: string;
  key?: string;
  queuedMs?: number;
  processingMs?: number;
  pacing: boolean;
  seed?: number;
  fault?: HttpFault[];
  wsFault?: WsFault[];
  /** Realtime error frames with every field (`realtimeErrorShape: 'rich'`). */
  richErrors?: boolean;
  /** A cassette directory to answer from (docs/testing.md). */
  replay?: string;
  replayPace?: 'recorded' | 'instant';
}

/** Parses --replay-pace. */
function pace(value: string): 'recorded' | 'instant' {
  if (value === 'recorded' || value === 'instant') return value;
  throw new InvalidArgumentError('--replay-pace must be recorded or instant.');
}

/** A repeatable flag parsed by `parse`; a bad value is a usage error naming the flag. */
function repeatable<T>(
  parse: (flag: string) => T,
): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => {
    try {
      return [...(previous ?? []), parse(value)];
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/** Parses --host: the mock binds loopback only. */
function loopback(host: string): string {
  if (['127.0.0.1', '::1', 'localhost'].includes(host)) return host;
  throw new InvalidArgumentError(
    'the mock server binds loopback only: 127.0.0.1, ::1 or localhost.',
  );
}

/** The banner: where the server is and how to point the SDK or the CLI at it. */
export function banner(server: MockServer, pacing = true): string {
  return `Soniox mock server listening
  REST:      ${server.url}
  WebSocket: ${server.realtimeURL} (${pacing ? 'results paced at audio time' : 'results as fast as audio arrives'})
  API key:   ${server.apiKey}

  export SONIOX_API_BASE_URL=${server.url}
  export SONIOX_REALTIME_URL=${server.realtimeURL}
  export SONIOX_API_KEY=${server.apiKey}
Ctrl-C stops it.`;
}

/** Runs the mock server until Ctrl-C / SIGTERM / SIGHUP or its parent goes away (exit 0). */
export async function runMock(ctx: Context, flags: MockFlags): Promise<void> {
  const server = await startMockServer({
    port: flags.port,
    host: flags.host,
    apiKey: flags.key,
    faults: { http: flags.fault ?? [], ws: flags.wsFault ?? [] },
    realtimePacing: flags.pacing,
    realtimeErrorShape: flags.richErrors ? 'rich' : 'minimal',
    seed: flags.seed,
    timing: { queuedMs: flags.queuedMs, processingMs: flags.processingMs },
    ...(flags.replay !== undefined && {
      replay: {
        dir: flags.replay,
        pace: flags.replayPace,
        // Each miss as it happens: the recording to make is named there.
        onMiss: (miss: string) => ctx.note(`replay: ${miss}`),
      },
    }),
  });
  if (flags.replay !== undefined)
    ctx.stdout.write(
      `Replaying: ${flags.replay} (realtime frames ${flags.replayPace === 'instant' ? 'at once' : 'at their recorded pace'}; a request with no recording is refused and printed)\n`,
    );
  ctx.stdout.write(`${banner(server, flags.pacing)}\n`);
  // Until Ctrl-C (or SIGTERM, SIGHUP), or until the process that started it goes away: a
  // backgrounded `npx soniox mock &` whose launcher was killed must not keep holding the port.
  let stopWatching = (): void => undefined;
  if (!ctx.signal.aborted)
    await new Promise<void>((resolve) => {
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      stopWatching = ctx.io.onParentGone(resolve);
    });
  stopWatching();
  await server.close();
  if (ctx.chatty) ctx.note('mock server stopped');
}

/** Adds `mock` to the program. */
export function registerMock(program: Command, ctx: Context): void {
  program
    .command('mock')
    .description('run the local mock Soniox server (REST + WebSocket, loopback) until Ctrl-C')
    .option('-p, --port <port>', 'port (0: any free port)', integer(0, 65_535), 8080)
    .option('--host <host>', 'loopback host: 127.0.0.1, ::1 or localhost', loopback, '127.0.0.1')
    .option('--key <key>', 'the API key it accepts (default mock-api-key)')
    .option('--queued-ms <ms>', 'time a transcription stays queued (default 50)', integer(0))
    .option(
      '--processing-ms <ms>',
      'time a transcription stays processing (default 100)',
      integer(0),
    )
    .option(
      '--no-pacing',
      'answer realtime audio as fast as it arrives, not at the pace of audio time',
    )
    .option(
      '--rich-errors',
      'realtime error frames with error_type, more_info and request_id (default: error_code and error_message only, as documented)',
    )
    .option('--seed <n>', 'seed of ids and probabilistic faults (reproducible runs)', integer(0))
    .option(
      '--fault <spec>',
      'REST fault, repeatable: "POST /v1/files=503,retryAfter=2,times=1"',
      repeatable(parseFaultFlag),
    )
    .option(
      '--ws-fault <spec>',
      'realtime fault, repeatable: "errorCode=503,afterAudioMs=1000,times=1"',
      repeatable(parseWsFaultFlag),
    )
    .option(
      '--replay <dir>',
      'answer from the cassettes recorded in <dir> (SONIOX_RECORD=<dir>) instead of simulating',
    )
    .option(
      '--replay-pace <pace>',
      'realtime frames of a replay: recorded (at their recorded times, default) or instant',
      pace,
    )
    .action((flags: MockFlags) => runMock(ctx, flags));
}

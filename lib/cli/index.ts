#!/usr/bin/env node
/**
 * The `soniox` command: run the mock server, transcribe a file or URL, stream a file in
 * realtime, list models, or run the offline demo (mock + both APIs).
 */
import type { RealtimeAudioFormat } from '../types';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { SonioxClient } from '../client';
import { SonioxError } from '../errors';
import type { RealtimeToken } from '../types';
import { parseFaultFlag, startMockServer } from '../mock';
import type { MockFaults, WsFault } from '../mock/contracts';

const HELP = `soniox <command> [options]

Commands:
  mock [--port 8080] [--host 127.0.0.1] [--key KEY] [--queued-ms N] [--processing-ms N]
       [--fault "POST /v1/files=503,retryAfter=2,times=1"]... [--ws-fault "errorCode=503,afterAudioMs=1000"]...
                              run the local mock Soniox server until Ctrl-C
  transcribe <path|url> [--model M] [--json] [--keep]
                              upload (or use the URL), transcribe, print the text
  realtime <path> [--format auto|pcm_s16le ...] [--rate 16000] [--channels 1] [--final]
                              stream a file through a realtime session, print final text
  models                      list the models
  demo                        start a mock server and run both flows against it, offline

Environment: SONIOX_API_KEY, SONIOX_API_BASE_URL, SONIOX_REALTIME_URL, SONIOX_REGION.`;

type Out = (line: string) => void;

/** Parses `--ws-fault "errorCode=503,afterAudioMs=1000,times=1"`. */
export function parseWsFaultFlag(flag: string): WsFault {
  const fault: Record<string, number | boolean> = {};
  for (const part of flag.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, raw = 'true'] = part.split('=');
    if (!['errorCode', 'abruptClose', 'garbageFrame', 'stopReading', 'closeCode', 'afterAudioMs', 'times'].includes(key)) {
      throw new Error(`unknown --ws-fault field "${key}"`);
    }
    fault[key] = raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    if (typeof fault[key] === 'number' && Number.isNaN(fault[key])) throw new Error(`--ws-fault ${key} must be a number`);
  }
  return fault as WsFault;
}

/** Streams a file through a realtime session; resolves with the final text. */
async function streamFile(stream: Duplex, file: string): Promise<string> {
  let text = '';
  await pipeline(
    fs.createReadStream(file),
    stream,
    new Writable({
      objectMode: true,
      write(token: RealtimeToken, _enc, done) {
        if (token.is_final) text += token.text;
        done();
      },
    }),
  );
  return text.trim();
}

function fixtureAudio(): string {
  const manifestPath = path.join(__dirname, '..', '..', 'fixtures', 'audio', 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { files: Array<{ name: string }> };
  return path.join(path.dirname(manifestPath), manifest.files[0].name);
}

async function runMock(args: string[], out: Out): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      key: { type: 'string' },
      'queued-ms': { type: 'string' },
      'processing-ms': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'ws-fault': { type: 'string', multiple: true },
    },
  });
  const faults: MockFaults = {
    http: (values.fault ?? []).map((f) => parseFaultFlag(f)),
    ws: (values['ws-fault'] ?? []).map((f) => parseWsFaultFlag(f)),
  };
  const server = await startMockServer({
    port: Number(values.port),
    host: values.host,
    apiKey: values.key,
    faults,
    timing: {
      queuedMs: values['queued-ms'] === undefined ? undefined : Number(values['queued-ms']),
      processingMs: values['processing-ms'] === undefined ? undefined : Number(values['processing-ms']),
    },
  });
  out(`Soniox mock server listening
  REST:      ${server.url}
  WebSocket: ${server.realtimeURL}
  API key:   ${server.apiKey}

  export SONIOX_API_BASE_URL=${server.url}
  export SONIOX_REALTIME_URL=${server.realtimeURL}
  export SONIOX_API_KEY=${server.apiKey}
Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function runTranscribe(client: SonioxClient, args: string[], out: Out, err: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { model: { type: 'string' }, json: { type: 'boolean' }, keep: { type: 'boolean' } },
  });
  const target = positionals[0];
  if (!target) throw new Error('transcribe needs a path or a URL');
  const source = /^https?:\/\//.test(target) ? { audio_url: target } : target;
  const transcript = await client.transcribe(source, {
    model: values.model,
    cleanup: !values.keep,
    onProgress: (p) => err(`uploaded ${p.loaded}${p.total ? ` / ${p.total}` : ''} bytes`),
    onStatus: (t) => err(`status: ${t.status}`),
  });
  out(values.json ? JSON.stringify(transcript, null, 2) : transcript.text);
}

async function runRealtime(client: SonioxClient, args: string[], out: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'auto' },
      rate: { type: 'string' },
      channels: { type: 'string' },
      final: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('realtime needs a path');
  const stream = client.realtime({
    // Checked by the stream at run time: a bad format is a validation error naming it.
    audio_format: values.format as RealtimeAudioFormat | undefined,
    sample_rate: values.rate === undefined ? undefined : Number(values.rate),
    num_channels: values.channels === undefined ? undefined : Number(values.channels),
    tokens: values.final ? 'final' : 'all',
  });
  out(await streamFile(stream, file));
}

async function runDemo(out: Out): Promise<void> {
  const server = await startMockServer({ timing: { queuedMs: 20, processingMs: 50 } });
  const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, realtimeURL: server.realtimeURL, env: {} });
  try {
    const audio = fixtureAudio();
    out(`mock server at ${server.url}; audio ${path.relative(process.cwd(), audio)}`);
    const transcript = await client.transcribe(audio, { pollIntervalMs: 20 });
    out(`async transcript:    ${transcript.text.trim()}`);
    const text = await streamFile(client.realtime({ audio_format: 'auto', tokens: 'final' }), audio);
    out(`realtime transcript: ${text}`);
    const stats = client.poolStats();
    out(`pool: ${stats.requests} requests on ${stats.socketsCreated} socket(s)`);
  } finally {
    client.close();
    await server.close();
  }
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], out: Out = (l) => console.log(l), err: Out = (l) => console.error(l)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'mock':
        await runMock(rest, out);
        return 0;
      case 'demo':
        await runDemo(out);
        return 0;
      case 'transcribe':
      case 'realtime':
      case 'models': {
        const client = new SonioxClient();
        try {
          if (command === 'transcribe') await runTranscribe(client, rest, out, err);
          else if (command === 'realtime') await runRealtime(client, rest, out);
          else for (const m of (await client.models.list()).models) out(`${m.id}\t${m.transcription_mode}\t${m.name}`);
        } finally {
          client.close();
        }
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return command === undefined ? 1 : 0;
      default:
        err(`unknown command "${command}"\n\n${HELP}`);
        return 1;
    }
  } catch (e) {
    err(e instanceof SonioxError ? `${e.name} (${e.code}): ${e.message}` : `error: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

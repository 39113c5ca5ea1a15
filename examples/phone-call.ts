/**
 * A phone call transcribed live: the WebSocket server a Twilio Media Stream (or a look-alike
 * such as Telnyx's) connects to. Point `<Stream url="wss://your-host/media" track="both_tracks"/>`
 * at it; each call's caller (`inbound`) and callee (`outbound`) tracks each get a realtime
 * session, mu-law 8 kHz sent as it comes (no transcoding), and every final word is printed
 * with its track. `stop` (or the provider hanging up) ends the call's sessions.
 *
 *   node -r ts-node/register/transpile-only examples/phone-call.ts [--port 8080] [--calls N]
 *
 * It prints `listening on ws://127.0.0.1:<port>/media`, then for each call its tracks' words and
 * a summary; with `--calls N` it exits after N calls (the e2e spec uses it), else on Ctrl-C.
 * Runs offline against the package's mock unless SONIOX_API_KEY is set (see client-or-mock.ts).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PhoneToken, SonioxClient } from '../lib';
import { clientOrMock } from './client-or-mock';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};

/** Transcribes one call's media stream; resolves once its sessions are finished. */
async function transcribeCall(client: SonioxClient, ws: WebSocket): Promise<void> {
  const call = client.mediaStream({ tokens: 'final', enable_endpoint_detection: true });
  ws.on('message', (data) => call.write(data));
  // The provider hanging up without `stop` ends the call too.
  ws.on('close', () => call.end());
  call.on('error', (error: Error) => {
    console.error(`call failed: ${error.message}`);
    ws.close(1011, 'transcription failed');
  });
  let line: { track: string; words: string } | undefined;
  const flush = () => {
    if (line) console.log(`[${line.track}] ${line.words.trim()}`);
    line = undefined;
  };
  try {
    for await (const item of call) {
      const token = item as PhoneToken;
      if (token.text === '<end>') {
        flush();
        continue;
      }
      if (line && line.track !== token.track) flush();
      line ??= { track: token.track, words: '' };
      line.words += token.text;
    }
  } catch {
    return; // reported by the 'error' listener
  }
  flush();
  const tracks = Object.entries(call.transcripts).map(([track, text]) => `${track}: "${text}"`);
  console.log(`call ${call.call?.callId ?? '?'} ended: ${tracks.join(' | ')}`);
}

async function main(): Promise<void> {
  const port = Number(flag('--port') ?? 0);
  const calls = flag('--calls') === undefined ? Infinity : Number(flag('--calls'));
  const { client, close } = await clientOrMock();
  const server = new WebSocketServer({ host: '127.0.0.1', port, path: '/media' });
  await new Promise((resolve) => server.once('listening', resolve));
  console.log(`listening on ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`);
  let done = 0;
  const stop = async () => {
    await new Promise((resolve) => server.close(resolve));
    await close();
  };
  process.once('SIGINT', () => void stop());
  server.on('connection', (ws) => {
    void transcribeCall(client, ws).then(() => {
      if (++done >= calls) void stop();
    });
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

/** A loopback WebSocket server that plays a script of result frames, for realtime specs. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RealtimeToken } from '../../lib/types';

/** A token as a server sends it (final unless told otherwise). */
export function tok(
  text: string,
  startMs: number,
  extra: Partial<RealtimeToken> = {},
): RealtimeToken {
  return { text, start_ms: startMs, end_ms: startMs + 100, is_final: true, ...extra };
}

/** What the server does with each connection: `peer` is the client's socket on the server side. */
export type Script = (peer: WebSocket, index: number) => void;

/** A running scripted server. */
export interface ScriptedServer {
  url: string;
  peers: WebSocket[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that runs `script` for every connection. */
export async function scriptedServer(script: Script): Promise<ScriptedServer> {
  const peers: WebSocket[] = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    peers.push(ws);
    script(ws, peers.length - 1);
  });
  await once(wss, 'listening');
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/transcribe-websocket`,
    peers,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

/** Sends one JSON frame. */
export const sendJson = (ws: WebSocket, message: object): void => ws.send(JSON.stringify(message));

/** Runs `then` when the client's end-of-audio (an empty text frame) arrives. */
export function onEndOfAudio(ws: WebSocket, then: () => void): void {
  ws.on('message', (data, isBinary) => {
    if (!isBinary && Buffer.isBuffer(data) && data.length === 0) then();
  });
}

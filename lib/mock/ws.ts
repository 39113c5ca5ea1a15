/**
 * The mock's WebSocket half (docs/api.md §8): `/transcribe-websocket` on the REST server's
 * port. Authenticates by upgrade header, subprotocol or first-message key and hands each
 * connection to a Session (ws-session.ts).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Session, type RealtimeAttachOptions } from './ws-session';

export type { RealtimeAttachOptions } from './ws-session';

const PATH = '/transcribe-websocket';

/** Refuses an upgrade with a bare HTTP status. */
function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Serves realtime sessions on `server`'s upgrade requests. */
export function attachRealtime(
  server: http.Server,
  opts: RealtimeAttachOptions,
): { close(): Promise<void> } {
  const sessions = new Set<Session>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('soniox-api-key') ? 'soniox-api-key' : false),
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!URL.canParse(req.url ?? '/', 'http://mock')) return reject(socket, 400, 'Bad Request');
    const url = new URL(req.url ?? '/', 'http://mock');
    if (url.pathname !== PATH) return reject(socket, 404, 'Not Found');
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocolKey = protocols[0] === 'soniox-api-key' ? protocols[1] : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => {
      opts.state.hit('WS /transcribe-websocket');
      const session = new Session(ws, auth?.[1]?.trim() ?? protocolKey, opts);
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.stop();
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

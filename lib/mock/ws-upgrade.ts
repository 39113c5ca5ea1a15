/**
 * The realtime upgrade (docs/api.md §8.1), shared by the mock's live and replay halves: the
 * path, the key the upgrade request carries, and the WebSocket server that accepts it.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** The realtime path (docs/api.md §1). */
const PATH = '/transcribe-websocket';

/** Refuses an upgrade with a bare HTTP status. */
function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The key an upgrade request carries: `Authorization: Bearer <key>`, else the second entry of
 * a subprotocol list led by `soniox-api-key`; undefined when it carries none (the start
 * message's `api_key` then decides).
 */
export function upgradeKey(req: http.IncomingMessage): string | undefined {
  // Node's HTTP parser strips a header value's outer spaces: `.+` ends where the key ends.
  const bearer = req.headers.authorization?.match(/^Bearer\s+(.+)/i)?.[1];
  const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim());
  return bearer ?? (protocols?.[0] === 'soniox-api-key' ? protocols[1] : undefined);
}

/**
 * Serves the realtime upgrades of `server`: a target that is no URL is refused with 400,
 * another path with 404; each accepted socket goes to `accept` with the upgrade's key.
 * `close()` drops the open sockets (each session stops on its socket's close) and resolves
 * once they are closed.
 */
export function serveUpgrades(
  server: http.Server,
  accept: (ws: WebSocket, key: string | undefined) => void,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({
    noServer: true,
    // The docs document no WebSocket extension, so the mock negotiates none: a client that
    // offers permessage-deflate gets plain frames, as from a service that never compresses.
    perMessageDeflate: false,
    // A client that offered other protocols fails to open whatever the echo (RFC 6455 §4.1:
    // an echo it did not offer; WHATWG: no echo at all), so the echo is always this one.
    handleProtocols: () => 'soniox-api-key',
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node always sets a server request's target.
    const target = req.url as string;
    if (!URL.canParse(target, 'http://mock')) return reject(socket, 400, 'Bad Request');
    if (new URL(target, 'http://mock').pathname !== PATH) return reject(socket, 404, 'Not Found');
    const key = upgradeKey(req);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, key));
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

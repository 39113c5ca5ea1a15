/**
 * The mock's WebSocket half (docs/api.md §8): `/transcribe-websocket` on the REST server's
 * port. Authenticates by upgrade header, subprotocol or first-message key and hands each
 * connection to a Session (ws-session.ts).
 */
import type http from 'node:http';
import { Session, type RealtimeAttachOptions } from './ws-session';
import { serveUpgrades } from './ws-upgrade';

export type { RealtimeAttachOptions } from './ws-session';

/** Serves realtime sessions on `server`'s upgrade requests. */
export function attachRealtime(
  server: http.Server,
  opts: RealtimeAttachOptions,
): { close(): Promise<void> } {
  return serveUpgrades(server, (ws, key) => {
    opts.state.hit('WS /transcribe-websocket');
    // The session lives on its socket's events; the socket's close stops it.
    new Session(ws, key, opts);
  });
}

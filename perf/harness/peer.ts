/** The official SDK (@soniox/node, a devDependency) as the peer contender. */
import WebSocket from 'ws';

export type Peer = typeof import('@soniox/node');

/** Loads @soniox/node (giving Node 20 the global WebSocket it needs), or says why not. */
export function loadPeer(): { peer: Peer } | { error: Error } {
  try {
    const g = globalThis as { WebSocket?: unknown };
    g.WebSocket ??= WebSocket;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { peer: require('@soniox/node') as Peer };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** A short, one-line reason for a table cell. */
export function failure(error: unknown): string {
  if (error instanceof Error && error.message.startsWith('not run')) return `(${error.message})`;
  const message =
    error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  return `FAILED (${message.replace(/\s+/g, ' ').slice(0, 60)})`;
}

/**
 * A real CONNECT proxy on loopback (a tiny `http` server handling 'connect'), for the specs of
 * REST calls and realtime sessions through a proxy.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A CONNECT proxy on 127.0.0.1 counting the tunnels it opened (with `silent`, the CONNECT
 * requests it took and never answered: a proxy that accepts the connection and hangs).
 */
export async function connectProxy(options: { silent?: boolean } = {}): Promise<{
  url: string;
  tunnels: () => number;
  /** Settles once every CONNECT a silent proxy holds was closed by the client. */
  heldClosed: () => Promise<void>;
  close: () => void;
}> {
  let tunnels = 0;
  const sockets = new Set<net.Socket>();
  const held = new Set<net.Socket>();
  let allClosed: (() => void) | undefined;
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels += 1;
    if (options.silent) {
      sockets.add(client);
      held.add(client);
      // The server's sockets are half-open: a client that leaves is let go, as a proxy would.
      client.on('end', () => client.destroy());
      client.on('close', () => {
        sockets.delete(client);
        held.delete(client);
        if (held.size === 0) allClosed?.();
      });
      client.on('error', () => undefined);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels: () => tunnels,
    heldClosed: () =>
      held.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (allClosed = resolve)),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

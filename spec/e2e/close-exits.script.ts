/** Run by process-exit.spec.ts in a child process: it must exit by itself once the client is closed. */
import { startMockServer } from '../../lib/mock';
import { SonioxClient } from '../../lib/client';

async function main(): Promise<void> {
  const server = await startMockServer({
    apiKey: 'close-exits-key',
    faults: { http: [{ route: 'GET /v1/models', delayMs: 3_000 }] },
  });
  const client = new SonioxClient({ apiKey: 'close-exits-key', baseURL: server.url, env: {} });
  const call = client.models.list().then(
    () => 'resolved',
    (e: Error) => `rejected: ${e.constructor.name}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  client.close();
  console.log(await call);
  await server.close();
  // No process.exit(): the spec checks that nothing is left to keep the process alive.
}
void main();

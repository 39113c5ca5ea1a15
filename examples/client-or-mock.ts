/**
 * The client the realtime examples use: the real API when SONIOX_API_KEY is set (with
 * SONIOX_API_BASE_URL / SONIOX_REALTIME_URL, e.g. `soniox mock`'s export lines), otherwise the
 * mock server shipped in the package, started in-process, so the examples run offline as they
 * are. In your project import from 'soniox-pro-sdk' and 'soniox-pro-sdk/mock'.
 */
import { SonioxClient } from '../lib';
import { startMockServer, type MockServerOptions } from '../lib/mock';

/**
 * A client, and how to close it (and the mock, when one was started, with `mockOptions`), and
 * whether it is the mock's.
 */
export async function clientOrMock(mockOptions: MockServerOptions = {}): Promise<{
  client: SonioxClient;
  close: () => Promise<void>;
  mock?: boolean;
}> {
  if (process.env.SONIOX_API_KEY) {
    const client = new SonioxClient();
    return { client, close: () => Promise.resolve(client.close()) };
  }
  const server = await startMockServer(mockOptions);
  const client = new SonioxClient({
    apiKey: server.apiKey,
    baseURL: server.url,
    realtimeURL: server.realtimeURL,
  });
  return {
    client,
    mock: true,
    close: async () => {
      client.close();
      await server.close();
    },
  };
}

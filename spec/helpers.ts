/** Spec helpers: a mock server per suite and clients pointed at it. */
import { startMockServer, type MockServer } from '../lib/mock';
import type { MockServerOptions } from '../lib/mock/contracts';
import { SonioxClient } from '../lib/client';
import type { SonioxClientOptions } from '../lib/config';

/** A key that must never show up in any error, log or serialisation. */
export const SECRET_KEY = 'sk-test-SECRET-0123456789abcdef';

/** Starts a mock that accepts SECRET_KEY. */
/**
 * A fresh mock server for each spec of the enclosing describe, and the spec's client (if it set
 * one) closed after it, even when the spec failed: `const t = perSpec(); t.client = clientFor(t.server)`.
 */
export function perSpec(options: MockServerOptions = {}): {
  server: MockServer;
  client: SonioxClient | undefined;
} {
  const t = { client: undefined } as { server: MockServer; client: SonioxClient | undefined };
  beforeEach(async () => {
    t.server = await mock(options);
  });
  afterEach(async () => {
    t.client?.close();
    t.client = undefined;
    await t.server.close();
  });
  return t;
}

export function mock(options: MockServerOptions = {}): Promise<MockServer> {
  return startMockServer({
    apiKey: SECRET_KEY,
    timing: { queuedMs: 5, processingMs: 10 },
    ...options,
  });
}

/** A client on the mock, with fast retries unless told otherwise. */
export function clientFor(server: MockServer, options: SonioxClientOptions = {}): SonioxClient {
  return new SonioxClient({
    apiKey: SECRET_KEY,
    baseURL: server.url,
    realtimeURL: server.realtimeURL,
    env: {},
    ...options,
    retry: { baseDelayMs: 1, maxDelayMs: 5, ...options.retry },
  });
}

/** Resolves when `condition` holds, checking on each turn of the event loop (not faked by sinon). */
export async function until(condition: () => boolean, limit = 5000): Promise<void> {
  // hrtime, not Date.now: specs may have faked Date.
  const start = process.hrtime.bigint();
  while (!condition()) {
    if (process.hrtime.bigint() - start > BigInt(limit) * 1_000_000n)
      throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The rejection of a promise (fails the spec if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * Spec helpers. `fixture()` is the one per-spec fixture: a fresh mock server, clients pointed at
 * it and, on request, a sinon fake clock, all torn down in afterEach even when the spec failed.
 */
import sinon, { type SinonFakeTimers } from 'sinon';
import type { RawData } from 'ws';
import { startMockServer, type MockServer } from '../lib/mock';
import type { MockServerOptions } from '../lib/mock/contracts';
import { SonioxClient } from '../lib/client';
import type { SonioxClientOptions } from '../lib/config';

/** A key that must never show up in any error, log or serialisation. */
export const SECRET_KEY = 'sk-test-SECRET-0123456789abcdef';

/** What `fixture()` sets up before each spec. */
export interface FixtureOptions {
  /** Options of the mock server (its key is SECRET_KEY unless given). */
  mock?: MockServerOptions;
  /** Options of `t.client` (fast retries unless given). */
  client?: SonioxClientOptions;
  /**
   * Installs a sinon fake clock after the server started (so the server's own start is real).
   * `true` fakes every timer and Date; an object is passed to `sinon.useFakeTimers`.
   */
  clock?: boolean | Parameters<typeof sinon.useFakeTimers>[0];
}

/** The per-spec fixture; read its fields inside hooks and specs, not at describe time. */
export interface Fixture {
  /** The spec's mock server. */
  readonly server: MockServer;
  /** A client on the server, made on first use with `options.client`. */
  readonly client: SonioxClient;
  /** The fake clock (only with `options.clock`). */
  readonly clock: SinonFakeTimers;
  /** Another client on the server, closed after the spec. */
  clientWith(options?: SonioxClientOptions): SonioxClient;
  /**
   * Another mock server, with `options` over the fixture's own mock options, closed after the
   * spec (for the spec that needs a server configured differently from its neighbours').
   */
  serverWith(options?: MockServerOptions): Promise<MockServer>;
  /** Runs `cleanup` after the spec (last registered first), even when the spec failed. */
  defer(cleanup: () => unknown): void;
}

/**
 * A fresh mock server for each spec of the enclosing describe, with clients and an optional fake
 * clock, all torn down after each spec whatever its outcome.
 */
export function fixture(options: FixtureOptions = {}): Fixture {
  let server: MockServer | undefined;
  let client: SonioxClient | undefined;
  let clock: SinonFakeTimers | undefined;
  let cleanups: Array<() => unknown> = [];

  const t: Fixture = {
    get server() {
      if (!server) throw new Error('fixture: the server exists only inside a spec or its hooks');
      return server;
    },
    get client() {
      client ??= t.clientWith(options.client);
      return client;
    },
    get clock() {
      if (!clock) throw new Error('fixture: no fake clock (pass { clock: true })');
      return clock;
    },
    clientWith(clientOptions = {}) {
      const made = clientFor(t.server, clientOptions);
      t.defer(() => made.close());
      return made;
    },
    async serverWith(serverOptions = {}) {
      const made = await mock({ ...options.mock, ...serverOptions });
      t.defer(() => made.close());
      return made;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };

  beforeEach(async () => {
    server = await mock(options.mock);
    if (options.clock) clock = sinon.useFakeTimers(options.clock === true ? {} : options.clock);
  });
  afterEach(async () => {
    // The clock goes first: the cleanups below may wait on real timers.
    clock?.restore();
    clock = undefined;
    const pending = cleanups.reverse();
    cleanups = [];
    client = undefined;
    const failures: unknown[] = [];
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch (e) {
        failures.push(e);
      }
    }
    await server?.close();
    server = undefined;
    if (failures.length > 0) throw failures[0];
  });
  return t;
}

/** Starts a mock that accepts SECRET_KEY, with a fast transcription lifecycle. */
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

// Captured before any spec can fake them: `until` and `drive` must run on real time.
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;

/**
 * Resolves when `condition` holds; rejects after `limitMs` of real time. Checks on each turn of
 * the event loop at first, then every 5 ms (for conditions that wait on other processes). Fake
 * clocks do not slow or speed it.
 */
export async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  // hrtime, not Date.now: specs may have faked Date.
  const start = process.hrtime.bigint();
  for (let turn = 0; !condition(); turn++) {
    if (process.hrtime.bigint() - start > BigInt(limitMs) * 1_000_000n)
      throw new Error(`condition not met within ${limitMs} ms: ${condition.toString()}`);
    await new Promise((resolve) =>
      turn < 200 ? realSetImmediate(resolve) : realSetTimeout(resolve, 5),
    );
  }
}

/** Kinds of pending work that the thread pool does, not the event loop (files, DNS). */
const POOL_WORK = /^(FSReq|GetAddrInfoReqWrap|GetNameInfoReqWrap)/;

/**
 * Lets real I/O run, whatever the clock: `turns` turns of the event loop (a loopback exchange
 * between the client and the mock in this process takes a few, however busy the machine is),
 * then real time while file or DNS work is pending in the thread pool (which takes real time,
 * more on a loaded machine), for up to `poolLimitMs` (so that work that never ends, such as a
 * read of an open pipe, slows a step but does not stop it). This keeps fake time in step with
 * the I/O without a fixed real pause (2 ms a step made the batch quota specs take seconds).
 */
async function realTurns(turns = 10, poolLimitMs = 500): Promise<void> {
  for (let turn = 0; turn < turns; turn++)
    await new Promise((resolve) => realSetImmediate(resolve));
  const start = process.hrtime.bigint();
  while (
    process.getActiveResourcesInfo().some((kind) => POOL_WORK.test(kind)) &&
    process.hrtime.bigint() - start < BigInt(poolLimitMs) * 1_000_000n
  )
    await new Promise((resolve) => realSetTimeout(resolve, 1));
}

/**
 * Advances the fake clock in steps, letting real I/O run between them, until `done()` holds or
 * `fakeMs` of fake time have passed. Returns the fake time it advanced.
 */
export async function drive(
  clock: SinonFakeTimers,
  fakeMs: number,
  done: () => boolean = () => false,
  stepMs = 50,
): Promise<number> {
  let advanced = 0;
  while (advanced < fakeMs && !done()) {
    await realTurns();
    await clock.tickAsync(stepMs);
    advanced += stepMs;
  }
  return advanced;
}

/**
 * What `promise` settles to, the fake clock driven (as by `drive`, at most `fakeMs` of fake
 * time in steps of `stepMs`) until it settles.
 */
export async function settle<T>(
  clock: SinonFakeTimers,
  promise: Promise<T>,
  fakeMs = 600_000,
  stepMs = 50,
): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await drive(clock, fakeMs, () => settled, stepMs);
  return promise;
}

/** The text of a WebSocket message, whichever form ws handed it in. */
export function frameText(data: RawData): string {
  const bytes = Buffer.isBuffer(data)
    ? data
    : Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data);
  return bytes.toString('utf8');
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

/** Temporary stand-in for spec/helpers fixture() until the branch merges main. */
import sinon from 'sinon';
import type { MockServer } from '../lib/mock';
import type { MockServerOptions } from '../lib/mock/contracts';
import type { SonioxClient } from '../lib/client';
import type { SonioxClientOptions } from '../lib/config';
import { clientFor, mock } from './helpers';

export function fixture(
  opts: { mock?: MockServerOptions; client?: SonioxClientOptions; clock?: boolean } = {},
) {
  const clients: SonioxClient[] = [];
  const deferred: Array<() => unknown> = [];
  let made: SonioxClient | undefined;
  const t = {
    server: undefined as unknown as MockServer,
    clock: undefined as unknown as sinon.SinonFakeTimers,
    get client(): SonioxClient {
      made ??= t.clientWith(opts.client ?? {});
      return made;
    },
    clientWith(o: SonioxClientOptions): SonioxClient {
      const c = clientFor(t.server, { ...opts.client, ...o });
      clients.push(c);
      return c;
    },
    defer(fn: () => unknown) {
      deferred.push(fn);
    },
  };
  beforeEach(async () => {
    t.server = await mock(opts.mock);
    if (opts.clock)
      t.clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(async () => {
    if (opts.clock) t.clock.restore();
    for (const fn of deferred.splice(0)) await fn();
    for (const c of clients.splice(0)) c.close();
    made = undefined;
    await t.server.close();
  });
  return t;
}

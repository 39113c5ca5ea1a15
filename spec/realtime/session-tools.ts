/**
 * Session makers for the specs of realtime session starts (session-limits, session-slots):
 * streams of the fixture audio over a fixture's client, driven by fake time while the sockets
 * stay real.
 */
import type { SonioxClient } from '../../lib/client';
import type { ReconnectEvent } from '../../lib/realtime/stream';
import { PCM } from '../audio';
import { until, type Fixture } from '../helpers';

/** Real turns of the event loop, for loopback I/O between steps of fake time. */
export async function turns(n = 30): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Session makers over the fixture `t` (its clock faked). */
export function sessionTools(t: Fixture) {
  /** A session of the fixture audio, its reconnect events and errors recorded. */
  function session(client: SonioxClient = t.client) {
    const stream = client.realtime({ ...PCM });
    t.defer(() => stream.destroy());
    const reconnects: ReconnectEvent[] = [];
    const errors: Error[] = [];
    stream.on('reconnect', (e) => reconnects.push(e));
    stream.on('error', (e) => errors.push(e));
    let done = false;
    const finished = (async () => {
      for await (const token of stream) void token;
      done = true;
    })().catch(() => undefined);
    return { stream, reconnects, errors, finished, done: () => done };
  }
  /** Advances fake time a step at a time, letting real I/O run, until `done` holds. */
  async function drive(done: () => boolean, stepMs = 1000, limit = 200): Promise<void> {
    for (let i = 0; i < limit && !done(); i++) {
      await t.clock.tickAsync(stepMs);
      await turns();
    }
    await until(done, 2000);
  }
  return { session, drive };
}

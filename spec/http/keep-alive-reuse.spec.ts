/**
 * Issue 31, the JSON call's tail: a new connection now and then (a TCP handshake, a socket the
 * pool dropped) would cost a call far more than its median. Counted through the pool's own
 * figures, not timed, so the machine's load cannot move it.
 */
import { expect } from 'chai';
import { fixture } from '../helpers';

describe('http/pool: keep-alive reuse over many sequential calls', () => {
  const t = fixture();

  it('sends 500 sequential JSON calls over one socket, of the default pool and of a pool of one', async function () {
    this.timeout(120_000);
    for (const client of [t.clientWith(), t.clientWith({ maxSockets: 1 })]) {
      for (let i = 0; i < 500; i++) await client.models.list();
      expect(client.poolStats()).to.include({
        socketsCreated: 1,
        requests: 500,
        freeSockets: 1,
        activeSockets: 0,
        queued: 0,
      });
      expect(client.poolStats().reuseRatio).to.equal(499 / 500);
    }
  });
});

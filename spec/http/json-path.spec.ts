/**
 * The plain JSON call's hot path, over the wire to the mock: what each call costs the socket
 * it reuses (see perf/scenarios/micro.ts for the figures).
 */
import { expect } from 'chai';
import net from 'node:net';
import sinon from 'sinon';
import { fixture } from '../helpers';

describe('http/transport: the JSON hot path', () => {
  const t = fixture();

  it('keeps one TCP keep-alive delay on a reused socket, so no call reconfigures it', async () => {
    // axios sets keep-alive on each request's socket; an agent that set another delay when the
    // socket went back to the pool made two setsockopt calls per request.
    const spy = sinon.spy(net.Socket.prototype, 'setKeepAlive');
    t.defer(() => spy.restore());
    const client = t.clientWith({ maxSockets: 1 });
    for (let i = 0; i < 5; i++) await client.models.list();
    expect(client.poolStats().socketsCreated).to.equal(1);
    const delays = new Set(spy.getCalls().map((call) => call.args[1]));
    expect(spy.callCount).to.be.at.least(5);
    expect([...delays]).to.have.length(1);
  });
});

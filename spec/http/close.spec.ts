/**
 * client.close() ends the client's life: calls in flight reject at once with a typed error, no
 * retry goes out on a fresh socket, later calls reject without a request, and nothing keeps the
 * process alive. Plus: one AbortSignal shared by many calls adds no listener per call.
 */
import { expect } from 'chai';
import { getEventListeners, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveConfig } from '../../lib/config';
import { SonioxConnectionError } from '../../lib/errors';
import { Transport } from '../../lib/http/transport';
import { SECRET_KEY, fixture, rejection, until } from '../helpers';

const MODELS = 'GET /v1/models';

describe('http/transport: close() and shared signals', () => {
  const t = fixture();
  const hits = () => t.server.state.hits[MODELS] ?? 0;

  it('rejects every call in flight at once with a typed error, and sends nothing afterwards', async () => {
    t.server.setFaults({ http: [{ route: MODELS, delayMs: 5_000 }] });
    const client = t.clientWith({ maxRetries: 3 });
    const calls = Array.from({ length: 10 }, () => rejection(client.models.list()));
    await until(() => hits() === 10);
    const started = process.hrtime.bigint();
    client.close();
    const errors = await Promise.all(calls);
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1000);
    for (const error of errors) {
      expect(error).to.be.instanceOf(SonioxConnectionError);
      expect(error.message).to.match(/client (is|was) closed/);
    }
    const late = await rejection(client.models.list());
    expect(late).to.be.instanceOf(SonioxConnectionError);
    // Give any retry a chance to go out: none does.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hits()).to.equal(10);
  });

  it('shares one AbortSignal between many calls without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const client = t.clientWith();
      const controller = new AbortController();
      await Promise.all(
        Array.from({ length: 25 }, () => client.models.list({ signal: controller.signal })),
      );
      await new Promise((resolve) => setImmediate(resolve));
      client.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.to.include('MaxListenersExceededWarning');
  });

  it('runs many calls without a signal at once, retries among them, and leaves no listener behind', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    t.defer(() => process.off('warning', onWarning));
    t.server.setFaults({ http: [{ route: MODELS, status: 503, retryAfter: 0, times: 5 }] });
    const transport = new Transport(
      resolveConfig({ apiKey: SECRET_KEY, baseURL: t.server.url, env: {}, maxSockets: 5 }),
    );
    t.defer(() => transport.close());
    await Promise.all(
      Array.from({ length: 40 }, () =>
        transport.request({ method: 'GET', path: '/v1/models', schema: 'modelList' }),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(hits()).to.equal(45);
    expect(warnings.map((w) => w.name)).not.to.include('MaxListenersExceededWarning');
    expect(getEventListeners(transport['closing'].signal, 'abort')).to.have.length(0);
  });

  it('ends the sockets of its own pool on close, and leaves a pool the caller gave it open', async () => {
    let accepted = 0;
    const server = http.createServer((_req, res) => res.end('{"models":[]}'));
    server.on('connection', () => accepted++);
    t.defer(() => new Promise((resolve) => server.close(resolve)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const openSockets = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    const allClosed = async () => {
      for (let turn = 0; (await openSockets()) > 0; turn++) {
        if (turn > 2000) throw new Error('a socket stayed open');
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    // The caller's agent: close() leaves its kept socket to the caller, who reuses it.
    const theirs = new http.Agent({ keepAlive: true });
    t.defer(() => theirs.destroy());
    const withTheirs = new Transport(
      resolveConfig({ apiKey: SECRET_KEY, baseURL: url, env: {}, httpAgent: theirs }),
    );
    await withTheirs.request({ method: 'GET', path: '/v1/models' });
    withTheirs.close();
    await new Promise<void>((resolve, reject) =>
      http
        .get(`${url}/again`, { agent: theirs }, (res) => res.resume().on('end', resolve))
        .on('error', reject),
    );
    expect(accepted).to.equal(1);
    theirs.destroy();
    await allClosed();

    // The SDK's own agent: close() ends its sockets.
    const own = new Transport(resolveConfig({ apiKey: SECRET_KEY, baseURL: url, env: {} }));
    await own.request({ method: 'GET', path: '/v1/models' });
    expect(await openSockets()).to.equal(1);
    own.close();
    await allClosed();
    // A client closed before any call has no pool to end, and closing twice is harmless.
    const unused = new Transport(resolveConfig({ apiKey: SECRET_KEY, baseURL: url, env: {} }));
    expect(() => unused.close()).not.to.throw();
    expect(() => unused.close()).not.to.throw();
  });
});

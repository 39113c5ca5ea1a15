/**
 * Webhooks from any framework: the handler takes a body the framework already read (a Buffer,
 * a string, a parsed object, a raw body) and never waits for an `end` that already happened;
 * adapters for Fastify and Koa, one-liners for Hono and NestJS, each run against the real
 * framework on loopback; the event fetches its transcript through the client.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookDelivery } from '../../lib/resources/webhooks';
import { fixture, until } from '../helpers';

const ID = '19b6d61d-02db-4c25-bc71-b4094dc310c8';
const SECRET = 'whsec-very-secret-value';
const auth = { name: 'X-Webhook-Secret', secret: SECRET };
const EVENT = { id: ID, status: 'completed' };

/** POSTs the event to `url` with the auth header; resolves with the status and text. */
async function deliver(url: string, body: unknown = EVENT, secret = SECRET) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Secret': secret },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, text: await response.text() };
}

const listening = (server: http.Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

describe('webhooks from any framework', () => {
  const t = fixture();
  let events: WebhookDelivery[];
  const hook = () => t.client.webhooks.handler({ auth, onEvent: (e) => void events.push(e) });
  beforeEach(() => {
    events = [];
  });

  /** A plain http server whose "framework" reads the body first and hands it over as `field`. */
  async function preReading(field: 'body' | 'rawBody', as: (raw: Buffer) => unknown) {
    const handler = hook();
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(req, { [field]: as(Buffer.concat(chunks)) });
        // The 'end' is over: a handler that waits for it would hang.
        setImmediate(() => void handler(req, res));
      });
    });
    t.defer(() => new Promise((resolve) => server.close(resolve)));
    return listening(server);
  }

  for (const [what, field, as] of [
    ['a Buffer in req.body', 'body', (raw: Buffer) => raw],
    ['a string in req.body', 'body', (raw: Buffer) => raw.toString()],
    ['a parsed object in req.body', 'body', (raw: Buffer) => JSON.parse(raw.toString())],
    ['a raw body in req.rawBody', 'rawBody', (raw: Buffer) => raw],
  ] as const) {
    it(`takes ${what} that the framework already read, without waiting for its end`, async () => {
      const url = await preReading(field, as);
      expect(await deliver(url)).to.deep.equal({ status: 200, text: 'ok' });
      expect(events.map((e) => ({ ...e }))).to.deep.equal([EVENT]);
    });
  }

  it('answers 400 at once when the body was read and nothing of it was handed over', async () => {
    const url = await preReading('body', () => undefined);
    const answer = await deliver(url);
    expect(answer.status).to.equal(400);
    expect(answer.text).to.match(/already read/);
    expect(events).to.deep.equal([]);
  });

  it('handle() decides on a method, headers and any kind of body (for any other framework)', async () => {
    const handler = hook();
    for (const body of [JSON.stringify(EVENT), Buffer.from(JSON.stringify(EVENT)), EVENT]) {
      const answer = await handler.handle({
        method: 'POST',
        headers: { 'x-webhook-secret': SECRET },
        body,
      });
      expect(answer).to.deep.include({ status: 200, body: 'ok' });
    }
    const wrong = await handler.handle({ method: 'POST', headers: {}, body: EVENT });
    expect(wrong.status).to.equal(401);
    expect(events).to.have.length(3);
  });

  it('Fastify: app.post(path, handler.fastify), its JSON parser having read the body', async () => {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    t.defer(() => app.close());
    app.post('/hook', hook().fastify);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    expect(await deliver(`${url}/hook`)).to.deep.equal({ status: 200, text: 'ok' });
    expect(await deliver(`${url}/hook`, EVENT, 'wrong')).to.deep.include({ status: 401 });
    expect(events.map((e) => e.id)).to.deep.equal([ID]);
  });

  it('Koa: app.use(handler.koa), with or without a body parser before it', async () => {
    const { default: Koa } = await import('koa');
    for (const parsed of [false, true]) {
      const app = new Koa();
      if (parsed)
        app.use(async (ctx, next) => {
          // What koa-bodyparser does: read the stream, set ctx.request.body.
          const chunks: Buffer[] = [];
          for await (const c of ctx.req) chunks.push(c as Buffer);
          (ctx.request as unknown as { body: unknown }).body = JSON.parse(
            Buffer.concat(chunks).toString(),
          );
          await next();
        });
      app.use(hook().koa);
      const callback = app.callback();
      const server = http.createServer((req, res) => void callback(req, res));
      t.defer(() => new Promise((resolve) => server.close(resolve)));
      expect(await deliver(await listening(server))).to.deep.equal({ status: 200, text: 'ok' });
    }
    expect(events).to.have.length(2);
  });

  it('Hono on @hono/node-server: app.post(path, (c) => handler.fetch(c.req.raw))', async () => {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const handler = hook();
    const app = new Hono();
    app.post('/hook', (c) => handler.fetch(c.req.raw));
    const url = await new Promise<string>((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      t.defer(() => new Promise((done) => server.close(done)));
    });
    expect(await deliver(`${url}/hook`)).to.deep.equal({ status: 200, text: 'ok' });
    expect(events).to.have.length(1);
  });

  it('NestJS (express platform, its JSON body parser on): a controller returning handler(req, res)', async () => {
    const { NestFactory } = await import('@nestjs/core');
    const { Controller, Module, Post, Req, Res } = await import('@nestjs/common');
    const handler = hook();
    // Decorators applied by hand: the specs compile without experimentalDecorators.
    class HookController {
      receive(req: http.IncomingMessage, res: http.ServerResponse) {
        return handler(req, res);
      }
    }
    const proto = HookController.prototype;
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'receive') as PropertyDescriptor;
    Req()(proto, 'receive', 0);
    Res()(proto, 'receive', 1);
    Post('hook')(proto, 'receive', descriptor);
    Controller()(HookController);
    class HookModule {}
    Module({ controllers: [HookController] })(HookModule);
    const app = await NestFactory.create(HookModule, { logger: false });
    t.defer(() => app.close());
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    expect(await deliver(`${url}/hook`)).to.deep.equal({ status: 200, text: 'ok' });
    expect(events).to.have.length(1);
  });

  it('the event fetches its transcription and transcript through the client', async () => {
    const job = await t.client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    await t.client.transcriptions.wait(job.id, { pollIntervalMs: 5 });
    let text: string | undefined;
    let status: string | undefined;
    const handler = t.client.webhooks.handler({
      auth,
      onEvent: async (event) => {
        status = (await event.transcription()).status;
        text = (await event.transcript()).text;
      },
    });
    const answer = await handler.handle({
      method: 'POST',
      headers: { 'x-webhook-secret': SECRET },
      body: { id: job.id, status: 'completed' },
    });
    expect(answer.status).to.equal(200);
    await until(() => text !== undefined);
    expect(status).to.equal('completed');
    expect(text).to.be.a('string').and.not.equal('');
  });

  it('a handed-over body past maxBodyBytes answers 413; no body at all answers 400', async () => {
    const handler = t.client.webhooks.handler({ auth, maxBodyBytes: 10, onEvent: () => undefined });
    const headers = { 'x-webhook-secret': SECRET };
    const big = await handler.handle({ method: 'POST', headers, body: JSON.stringify(EVENT) });
    expect(big.status).to.equal(413);
    const none = await handler.handle({ method: 'POST', headers, body: undefined });
    expect(none.status).to.equal(400);
    expect(none.body).to.match(/already read/);
  });

  it('an event from a Webhooks without a client cannot fetch: onEvent fails, 500, onError told why', async () => {
    const { Webhooks } = await import('../../lib/resources/webhooks');
    const errors: unknown[] = [];
    const handler = new Webhooks().handler({
      auth,
      onEvent: async (event) => void (await event.transcript()),
      onError: (e) => errors.push(e),
    });
    const answer = await handler.handle({
      method: 'POST',
      headers: { 'x-webhook-secret': SECRET },
      body: EVENT,
    });
    expect(answer.status).to.equal(500);
    expect(String(errors[0])).to.match(/no client/);
  });
});

import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhooks } from '../../lib/resources/webhooks';
import { SonioxValidationError } from '../../lib/errors';
import type { WebhookEvent } from '../../lib/types';

const ID = '19b6d61d-02db-4c25-bc71-b4094dc310c8';
const SECRET = 'whsec-very-secret-value';
const auth = { name: 'X-Webhook-Secret', secret: SECRET };

describe('resources/webhooks', () => {
  const webhooks = new Webhooks();

  describe('verify', () => {
    it('accepts the configured header, whatever the case of its name', () => {
      expect(webhooks.verify({ 'x-webhook-secret': SECRET }, auth)).to.equal(true);
      expect(webhooks.verify({ 'X-WEBHOOK-SECRET': [SECRET] }, auth)).to.equal(true);
      expect(webhooks.verify(new Headers({ 'x-webhook-secret': SECRET }), auth)).to.equal(true);
    });

    it('rejects a wrong, shorter, longer or missing value', () => {
      for (const value of ['nope', SECRET.slice(0, -1), `${SECRET}x`, '']) {
        expect(webhooks.verify({ 'x-webhook-secret': value }, auth), value).to.equal(false);
      }
      expect(webhooks.verify({}, auth)).to.equal(false);
      expect(webhooks.verify(new Headers(), auth)).to.equal(false);
    });
  });

  describe('parse', () => {
    it('parses strings, buffers and objects', () => {
      const event = { id: ID, status: 'completed' };
      expect(webhooks.parse(JSON.stringify(event))).to.deep.equal(event);
      expect(webhooks.parse(Buffer.from(JSON.stringify(event)))).to.deep.equal(event);
      expect(webhooks.parse({ ...event, extra: 1 })).to.deep.equal(event);
    });

    it('rejects bad JSON, non-objects and missing or malformed fields', () => {
      for (const body of ['{', 'null', '"x"', JSON.stringify({ id: 'nope', status: 'completed' }), JSON.stringify({ id: ID }), JSON.stringify({ id: ID, status: '' })]) {
        expect(() => webhooks.parse(body), body).to.throw(SonioxValidationError);
      }
    });
  });

  describe('handler', () => {
    let server: http.Server;
    let url: string;
    let events: WebhookEvent[];
    let fail: boolean;
    beforeEach(async () => {
      events = [];
      fail = false;
      const handle = webhooks.handler({
        auth,
        maxBodyBytes: 1024,
        onEvent: async (e) => {
          if (fail) throw new Error(`boom ${SECRET}`);
          events.push(e);
        },
      });
      server = http.createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    const post = (body: string, headers: Record<string, string> = { 'X-Webhook-Secret': SECRET }, method = 'POST') =>
      fetch(url, { method, body: method === 'GET' ? undefined : body, headers });

    it('answers 200 and passes the event on', async () => {
      const res = await post(JSON.stringify({ id: ID, status: 'completed' }));
      expect(res.status).to.equal(200);
      expect(events).to.deep.equal([{ id: ID, status: 'completed' }]);
    });

    it('answers 405 to other methods, 401 to a bad header, 400 to a bad body, 413 to a large one, 500 when the handler fails', async () => {
      expect((await post('', {}, 'GET')).status).to.equal(405);
      expect((await post(JSON.stringify({ id: ID, status: 'completed' }), { 'X-Webhook-Secret': 'wrong' })).status).to.equal(401);
      expect((await post('not json')).status).to.equal(400);
      expect((await post(JSON.stringify({ id: ID, status: 'completed', pad: 'x'.repeat(2000) }))).status).to.equal(413);
      fail = true;
      const res = await post(JSON.stringify({ id: ID, status: 'error' }));
      expect(res.status).to.equal(500);
      expect(await res.text()).not.to.include(SECRET);
      expect(events).to.have.length(0);
    });

    it('uses a body Express already parsed', async () => {
      const seen: WebhookEvent[] = [];
      const handle = webhooks.handler({ onEvent: (e) => void seen.push(e) });
      const req = Object.assign(new http.IncomingMessage(null as never), { method: 'POST', headers: {}, body: { id: ID, status: 'completed' } });
      let status = 0;
      const res = { setHeader: () => undefined, writeHead: (s: number) => (status = s), end: () => undefined } as unknown as http.ServerResponse;
      await handle(req, res);
      expect(status).to.equal(200);
      expect(seen).to.have.length(1);
    });

    it('serves Fetch requests with the same rules', async () => {
      const handle = webhooks.handler({ auth, onEvent: (e) => void events.push(e), maxBodyBytes: 100 });
      const make = (body: string, headers: Record<string, string> = { 'x-webhook-secret': SECRET }, method = 'POST') =>
        new Request('http://localhost/hook', { method, body: method === 'GET' ? undefined : body, headers });
      expect((await handle.fetch(make(JSON.stringify({ id: ID, status: 'completed' })))).status).to.equal(200);
      expect((await handle.fetch(make('', {}, 'GET'))).status).to.equal(405);
      expect((await handle.fetch(make('{}', {}))).status).to.equal(401);
      expect((await handle.fetch(make('{'))).status).to.equal(400);
      expect((await handle.fetch(make('x'.repeat(200)))).status).to.equal(413);
      expect((await handle.fetch(make('x'.repeat(200), { 'x-webhook-secret': SECRET, 'content-length': '1' }))).status).to.be.oneOf([400, 413]);
      expect(events).to.have.length(1);
    });
  });
});

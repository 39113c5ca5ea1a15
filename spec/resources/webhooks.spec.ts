import { expect } from 'chai';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import sinon from 'sinon';
import { Webhooks, type WebhookHandler } from '../../lib/resources/webhooks';
import { SonioxConfigError, SonioxValidationError } from '../../lib/errors';
import type { WebhookEvent } from '../../lib/types';

const ID = '19b6d61d-02db-4c25-bc71-b4094dc310c8';
const SECRET = 'whsec-very-secret-value';
const auth = { name: 'X-Webhook-Secret', secret: SECRET };
const EVENT = JSON.stringify({ id: ID, status: 'completed' });

/** Sets environment variables for one spec and restores them after. */
function withEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}

/** A stand-in ServerResponse that records what the handler wrote. */
function recorder(headersSent = false) {
  const out = { status: 0, headers: {} as Record<string, string>, body: '', headersSent };
  const res = {
    get headersSent() {
      return out.headersSent;
    },
    writeHead: (status: number, headers: Record<string, string>) =>
      Object.assign(out, { status, headers }),
    end: (body: string) => (out.body = body),
  } as unknown as http.ServerResponse;
  return { res, out };
}

describe('resources/webhooks', () => {
  const webhooks = new Webhooks();
  let restoreEnv: () => void;
  beforeEach(
    () =>
      (restoreEnv = withEnv({
        SONIOX_API_WEBHOOK_HEADER: undefined,
        SONIOX_API_WEBHOOK_SECRET: undefined,
      })),
  );
  afterEach(() => {
    restoreEnv();
    sinon.restore();
  });

  describe('verify', () => {
    it('accepts the configured header, whatever the case of its name', () => {
      expect(webhooks.verify({ 'x-webhook-secret': SECRET }, auth)).to.equal(true);
      expect(webhooks.verify({ 'X-WEBHOOK-SECRET': [SECRET] }, auth)).to.equal(true);
      expect(webhooks.verify(new Headers({ 'x-webhook-secret': SECRET }), auth)).to.equal(true);
    });

    it('rejects a wrong, shorter, longer or empty value, or a missing header', () => {
      for (const value of ['nope', SECRET.slice(0, -1), `${SECRET}x`, '']) {
        expect(webhooks.verify({ 'x-webhook-secret': value }, auth), value).to.equal(false);
      }
      expect(webhooks.verify({}, auth)).to.equal(false);
      expect(webhooks.verify({ 'x-webhook-secret': undefined }, auth)).to.equal(false);
      expect(webhooks.verify(new Headers(), auth)).to.equal(false);
    });

    it('compares equal-length digests in constant time, so even a length mismatch takes the same path', () => {
      const spy = sinon.spy(crypto, 'timingSafeEqual');
      webhooks.verify({ 'x-webhook-secret': 'x' }, auth);
      webhooks.verify({ 'x-webhook-secret': SECRET }, auth);
      expect(spy.callCount).to.equal(2);
      for (const call of spy.getCalls()) {
        const [a, b] = call.args as [Buffer, Buffer];
        expect([a.length, b.length]).to.deep.equal([32, 32]);
        expect(a.includes(Buffer.from(SECRET)) || b.includes(Buffer.from(SECRET))).to.equal(false);
      }
    });

    it('falls back to SONIOX_API_WEBHOOK_HEADER and SONIOX_API_WEBHOOK_SECRET', () => {
      withEnv({
        SONIOX_API_WEBHOOK_HEADER: 'Authorization',
        SONIOX_API_WEBHOOK_SECRET: `Bearer ${SECRET}`,
      });
      expect(webhooks.verify({ authorization: `Bearer ${SECRET}` })).to.equal(true);
      expect(webhooks.verify({ authorization: 'Bearer other' })).to.equal(false);
    });

    it('throws SonioxConfigError, never showing the secret, for missing or malformed auth', () => {
      const bad = [
        undefined,
        { name: '', secret: SECRET },
        { name: 'X Bad', secret: SECRET },
        { name: 'X-Ok', secret: '' },
        { name: 'X-Ok', secret: 5 as unknown as string },
      ];
      for (const a of bad) {
        const error = (() => {
          try {
            webhooks.verify({ 'x-ok': SECRET }, a);
          } catch (e) {
            return e as SonioxConfigError;
          }
          return undefined;
        })();
        expect(error, JSON.stringify(a)).to.be.instanceOf(SonioxConfigError);
        expect(error!.option).to.equal('webhookAuth');
        expect(`${error!.message} ${JSON.stringify(error)}`).not.to.include(SECRET);
      }
    });
  });

  describe('parse', () => {
    it('parses strings, Buffers, Uint8Arrays, ArrayBuffers and parsed objects, dropping extra fields', () => {
      const event = { id: ID, status: 'completed' };
      const bytes = new TextEncoder().encode(EVENT);
      expect(webhooks.parse(EVENT)).to.deep.equal(event);
      expect(webhooks.parse(`\uFEFF${EVENT}`)).to.deep.equal(event);
      expect(webhooks.parse(Buffer.from(EVENT))).to.deep.equal(event);
      expect(webhooks.parse(bytes)).to.deep.equal(event);
      expect(webhooks.parse(bytes.buffer)).to.deep.equal(event);
      expect(webhooks.parse({ ...event, extra: 1 })).to.deep.equal(event);
      expect(webhooks.parse({ id: ID.toUpperCase(), status: 'error' })).to.deep.equal({
        id: ID.toUpperCase(),
        status: 'error',
      });
    });

    it('rejects bad JSON, non-objects and missing or malformed fields, naming the fields', () => {
      const cases: Array<[unknown, string[]]> = [
        ['{', ['(body)']],
        ['null', ['(body)']],
        ['"x"', ['(body)']],
        ['[]', ['(body)']],
        [42, ['(body)']],
        [JSON.stringify({ id: 'nope', status: 'completed' }), ['id']],
        [JSON.stringify({ id: ID }), ['status']],
        [{ id: ID, status: '' }, ['status']],
        [{}, ['id', 'status']],
      ];
      for (const [body, fields] of cases) {
        const error = (() => {
          try {
            webhooks.parse(body);
          } catch (e) {
            return e as SonioxValidationError;
          }
          return undefined;
        })();
        expect(error, String(body)).to.be.instanceOf(SonioxValidationError);
        expect(
          error!.issues.map((i) => i.field),
          String(body),
        ).to.deep.equal(fields);
      }
    });
  });

  describe('handler on a Node http server', () => {
    let server: http.Server;
    let url: string;
    let events: WebhookEvent[];
    let errors: unknown[];
    let fail: boolean;
    let handle: WebhookHandler;
    /** Stands in for Express's body parsers: how the body reaches the handler in each case. */
    let preparse: (req: http.IncomingMessage & { body?: unknown }) => Promise<void>;

    beforeEach(async () => {
      events = [];
      errors = [];
      fail = false;
      preparse = () => Promise.resolve();
      handle = webhooks.handler({
        auth,
        maxBodyBytes: 1024,
        // A failing onEvent rejects, as an async handler would.
        onEvent: (e) => {
          if (fail) return Promise.reject(new Error(`boom ${SECRET}`));
          events.push(e);
          return Promise.resolve();
        },
        onError: (e) => errors.push(e),
      });
      server = http.createServer((req, res) => void preparse(req).then(() => handle(req, res)));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    const post = (
      body: string | undefined,
      headers: Record<string, string> = { 'X-Webhook-Secret': SECRET },
      method = 'POST',
    ) => fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });

    it('answers 200 and passes the event on', async () => {
      const res = await post(EVENT);
      expect(res.status).to.equal(200);
      expect(events).to.deep.equal([{ id: ID, status: 'completed' }]);
    });

    it('answers 405 with Allow: POST to other methods', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await post(method === 'GET' ? undefined : EVENT, undefined, method);
        expect(res.status, method).to.equal(405);
        expect(res.headers.get('allow')).to.equal('POST');
      }
      expect(events).to.have.length(0);
    });

    it('answers 401 to a wrong or missing header, without echoing the secret', async () => {
      for (const headers of [{ 'X-Webhook-Secret': 'wrong' }, {}] as Array<
        Record<string, string>
      >) {
        const res = await post(EVENT, headers);
        expect(res.status).to.equal(401);
        expect(await res.text()).not.to.include(SECRET);
      }
      expect(events).to.have.length(0);
    });

    it('answers 400 to bad JSON or a bad shape, naming the fault', async () => {
      const notJson = await post('not json');
      expect([notJson.status, await notJson.text()]).to.deep.equal([
        400,
        'webhook body is not valid JSON',
      ]);
      const shape = await post(JSON.stringify({ id: 'x' }));
      expect(shape.status).to.equal(400);
      expect(await shape.text()).to.match(/id must be a transcription id.*status must be/);
    });

    it('answers 413 past maxBodyBytes, and the client receives it even for a large body', async () => {
      const small = await post(
        JSON.stringify({ id: ID, status: 'completed', pad: 'x'.repeat(2000) }),
      );
      expect(small.status).to.equal(413);
      // A plain http client (not fetch) writing 4 MB: the handler drains instead of resetting.
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', headers: { 'X-Webhook-Secret': SECRET } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(Buffer.alloc(4 * 1024 * 1024, 0x20));
      });
      expect(status).to.equal(413);
      expect(events).to.have.length(0);
    });

    it('answers 500 when onEvent fails (so Soniox retries), tells onError, and keeps the secret out of the answer', async () => {
      fail = true;
      const res = await post(JSON.stringify({ id: ID, status: 'error' }));
      expect(res.status).to.equal(500);
      expect(await res.text()).to.equal('event handler failed');
      expect(errors).to.have.length(1);
      expect((errors[0] as Error).message).to.match(/^boom/);
    });

    it('still answers 500 when onError itself throws', async () => {
      const h = webhooks.handler({
        onEvent: () => Promise.reject(new Error('x')),
        onError: () => {
          throw new Error('logger down');
        },
      });
      const { res, out } = recorder();
      const req = Object.assign(new PassThrough(), { method: 'POST', headers: {} });
      req.end(EVENT);
      await h(req as unknown as http.IncomingMessage, res);
      expect(out.status).to.equal(500);
    });

    it('uses a body an Express parser already read (object, Buffer or string)', async () => {
      for (const as of ['object', 'buffer', 'string'] as const) {
        preparse = async (req) => {
          const chunks: Buffer[] = [];
          for await (const c of req) chunks.push(c as Buffer);
          const raw = Buffer.concat(chunks);
          // A changed body proves the parsed value is used, not a re-read of the stream.
          const text = raw.toString().replace('completed', `completed-${as}`);
          req.body =
            as === 'object' ? JSON.parse(text) : as === 'buffer' ? Buffer.from(text) : text;
        };
        expect((await post(EVENT)).status, as).to.equal(200);
      }
      expect(events.map((e) => e.status)).to.deep.equal([
        'completed-object',
        'completed-buffer',
        'completed-string',
      ]);
    });

    it("reads the stream itself when a parser left body-parser's `{}` placeholder without reading it", async () => {
      preparse = (req) => {
        req.body = {};
        return Promise.resolve();
      };
      expect((await post(EVENT)).status).to.equal(200);
      expect(events).to.deep.equal([{ id: ID, status: 'completed' }]);
    });

    it('accepts any request when no auth is configured, and the environment auth when set', async () => {
      const open = webhooks.handler({ onEvent: (e) => void events.push(e) });
      const a = recorder();
      const req = Object.assign(new PassThrough(), { method: 'POST', headers: {} });
      req.end(EVENT);
      await open(req as unknown as http.IncomingMessage, a.res);
      expect(a.out.status).to.equal(200);

      withEnv({ SONIOX_API_WEBHOOK_HEADER: 'X-Env', SONIOX_API_WEBHOOK_SECRET: SECRET });
      const fromEnv = webhooks.handler({ onEvent: (e) => void events.push(e) });
      expect(
        (await fromEnv.fetch(new Request('http://h/', { method: 'POST', body: EVENT }))).status,
      ).to.equal(401);
      expect(
        (
          await fromEnv.fetch(
            new Request('http://h/', { method: 'POST', body: EVENT, headers: { 'x-env': SECRET } }),
          )
        ).status,
      ).to.equal(200);
      expect(events).to.have.length(2);
    });

    it('answers 400 when the request stream fails mid-body, and never rejects', async () => {
      const { res, out } = recorder();
      const req = Object.assign(new PassThrough(), {
        method: 'POST',
        headers: { 'x-webhook-secret': SECRET },
      });
      req.write('{"id":');
      setImmediate(() => req.destroy(new Error(`socket hang up ${SECRET}`)));
      await handle(req as unknown as http.IncomingMessage, res);
      expect([out.status, out.body]).to.deep.equal([400, 'could not read the body']);
    });

    it('treats a request without a method as not a POST', async () => {
      const { res, out } = recorder();
      await handle(
        Object.assign(new PassThrough(), { headers: {} }) as unknown as http.IncomingMessage,
        res,
      );
      expect(out.status).to.equal(405);
    });

    it('writes nothing when a response was already sent', async () => {
      const { res, out } = recorder(true);
      const req = Object.assign(new PassThrough(), { method: 'GET', headers: {} });
      await handle(req as unknown as http.IncomingMessage, res);
      expect(out.status).to.equal(0);
    });

    it('refuses a malformed maxBodyBytes or auth when built', () => {
      expect(() => webhooks.handler({ onEvent: () => undefined, maxBodyBytes: 0 })).to.throw(
        SonioxConfigError,
        /maxBodyBytes/,
      );
      expect(() =>
        webhooks.handler({ auth: { name: 'X', secret: '' }, onEvent: () => undefined }),
      ).to.throw(SonioxConfigError, /secret/);
    });
  });

  describe('handler.fetch', () => {
    let events: WebhookEvent[];
    let handle: WebhookHandler;
    beforeEach(() => {
      events = [];
      handle = webhooks.handler({ auth, onEvent: (e) => void events.push(e), maxBodyBytes: 100 });
    });
    const make = (
      body: string | ReadableStream<Uint8Array> | undefined,
      headers: Record<string, string> = { 'x-webhook-secret': SECRET },
      method = 'POST',
    ) =>
      new Request('http://localhost/hook', {
        method,
        body,
        headers,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);

    it('serves Fetch requests with the same rules', async () => {
      const answers: Response[] = [
        await handle.fetch(make(EVENT)),
        await handle.fetch(make(undefined, {}, 'GET')),
        await handle.fetch(make('{}', {})),
        await handle.fetch(make('{')),
        await handle.fetch(make(undefined)),
      ];
      expect(answers.map((r) => r.status)).to.deep.equal([200, 405, 401, 400, 400]);
      expect(answers[1]!.headers.get('allow')).to.equal('POST');
      for (const r of answers) expect(await r.text()).not.to.include(SECRET);
      expect(events).to.deep.equal([{ id: ID, status: 'completed' }]);
    });

    it('answers 413 on a declared Content-Length over the limit, and on a streamed body that grows past it', async () => {
      expect(
        (
          await handle.fetch(
            make('{}', { 'x-webhook-secret': SECRET, 'content-length': '1000000' }),
          )
        ).status,
      ).to.equal(413);
      expect((await handle.fetch(make('x'.repeat(200)))).status).to.equal(413);
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(40));
        },
      });
      const res = await handle.fetch(make(endless));
      expect(res.status).to.equal(413);
      expect(pulled).to.be.below(10);
    });
  });
});

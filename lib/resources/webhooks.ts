/**
 * Webhooks (soniox-api.md §10): Soniox POSTs `{"id","status"}` to your `webhook_url` with the
 * auth header you configured. There is no signature: verification is that header's value,
 * compared in constant time. `handler()` serves Node http, Express and Fetch `Request`s.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { SonioxValidationError } from '../errors';
import type { WebhookEvent } from '../types';

/** The header Soniox was told to send, and its expected value. */
export interface WebhookAuth {
  name: string;
  secret: string;
}

/** Options of `handler()`. */
export interface WebhookHandlerOptions {
  /** Required header; requests without the right value get 401. */
  auth?: WebhookAuth;
  /** Called once per valid event; a rejection answers 500 so Soniox retries. */
  onEvent: (event: WebhookEvent) => void | Promise<void>;
  /** Largest body read (default 64 KiB); larger answers 413. */
  maxBodyBytes?: number;
}

/** A Node/Express handler that also serves Fetch requests through `.fetch`. */
export type WebhookHandler = ((req: IncomingMessage, res: ServerResponse, next?: unknown) => Promise<void>) & {
  fetch(request: Request): Promise<Response>;
};

type HeaderSource = IncomingHttpHeaders | Headers | Record<string, string | string[] | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

type Outcome = { status: number; body: string };

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `client.webhooks`. */
export class Webhooks {
  /** Whether `headers` carry `auth.secret` in `auth.name` (name case-insensitive, constant-time compare). */
  verify(headers: HeaderSource, auth: WebhookAuth): boolean {
    const got = headerValue(headers, auth.name);
    if (got === undefined) return false;
    // Hashing first makes both sides equal length, so the comparison leaks nothing, not even the length.
    return timingSafeEqual(digest(got), digest(auth.secret));
  }

  /** Parses and checks a webhook body; throws SonioxValidationError when it is not `{id, status}`. */
  parse(body: unknown): WebhookEvent {
    let value = body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      try {
        value = JSON.parse(text);
      } catch {
        throw new SonioxValidationError('webhook body is not valid JSON', [{ field: '(body)', message: 'not JSON' }]);
      }
    }
    const issues = [];
    const event = value as Partial<WebhookEvent> | null;
    if (event === null || typeof event !== 'object') throw new SonioxValidationError('webhook body must be an object', [{ field: '(body)', message: 'not an object' }]);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) issues.push({ field: 'id', message: 'must be a transcription id (uuid)' });
    if (typeof event.status !== 'string' || event.status === '') issues.push({ field: 'status', message: 'must be a non-empty string' });
    if (issues.length) throw new SonioxValidationError(`invalid webhook body: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, issues);
    return { id: event.id as string, status: event.status as string };
  }

  /** A handler for Node http and Express, with `.fetch` for Fetch-style runtimes. */
  handler(options: WebhookHandlerOptions): WebhookHandler {
    const limit = options.maxBodyBytes ?? 64 * 1024;
    const decide = async (method: string, headers: HeaderSource, read: () => Promise<unknown>): Promise<Outcome> => {
      if (method.toUpperCase() !== 'POST') return { status: 405, body: 'method not allowed' };
      if (options.auth && !this.verify(headers, options.auth)) return { status: 401, body: 'unauthorized' };
      let event: WebhookEvent;
      try {
        event = this.parse(await read());
      } catch (error) {
        if (error instanceof BodyTooLarge) return { status: 413, body: 'body too large' };
        return { status: 400, body: (error as Error).message };
      }
      try {
        await options.onEvent(event);
      } catch {
        return { status: 500, body: 'event handler failed' };
      }
      return { status: 200, body: 'ok' };
    };

    const node = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      // Express with a body parser has already read the stream into req.body.
      const parsed = (req as IncomingMessage & { body?: unknown }).body;
      const outcome = await decide(req.method ?? 'GET', req.headers, () => (parsed !== undefined ? Promise.resolve(parsed) : readBody(req, limit)));
      if (outcome.status === 413) res.setHeader('Connection', 'close');
      res.writeHead(outcome.status, { 'Content-Type': 'text/plain' });
      res.end(outcome.body);
    };
    const fetchHandler = async (request: Request): Promise<Response> => {
      const outcome = await decide(request.method, request.headers, async () => {
        const length = Number(request.headers.get('content-length'));
        if (Number.isFinite(length) && length > limit) throw new BodyTooLarge();
        const text = await request.text();
        if (Buffer.byteLength(text) > limit) throw new BodyTooLarge();
        return text;
      });
      return new Response(outcome.body, { status: outcome.status, headers: { 'Content-Type': 'text/plain' } });
    };
    return Object.assign(node, { fetch: fetchHandler });
  }
}

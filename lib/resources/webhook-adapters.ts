/**
 * How a webhook handler meets each framework: Node http / Express / NestJS `(req, res)`, Fetch
 * `Request`s (Hono, Bun, Deno, workers), Fastify `(request, reply)`, Koa `(ctx)`, and
 * `handle({ method, headers, body })` for anything else. Frameworks that parse bodies read the
 * stream before the handler runs: a body they hand over (Buffer, string, parsed object, raw
 * body) is used as is, and a stream whose end already passed is never waited on.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Headers as Node, Fetch or a plain object carry them. */
export type WebhookHeaders =
  IncomingHttpHeaders | Headers | Record<string, string | string[] | undefined>;

/** What any framework can give: the method, the headers and the body in whatever form it has. */
export interface WebhookRequest {
  method: string;
  headers: WebhookHeaders;
  /** A Buffer, Uint8Array, string or an already parsed object. */
  body: unknown;
}

/** The answer to send back. */
export interface WebhookAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** The parts of a Fastify request the adapter reads (its JSON parser has filled `body`). */
export interface FastifyLikeRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  rawBody?: unknown;
}

/** The parts of a Fastify reply the adapter writes. */
export interface FastifyLikeReply {
  /** Sets the status code. */
  code(status: number): FastifyLikeReply;
  /** Sets response headers. */
  headers(values: Record<string, string>): FastifyLikeReply;
  /** Sends the body and ends the reply. */
  send(body: string): unknown;
}

/** The parts of a Koa context the adapter reads and writes. */
export interface KoaLikeContext {
  method: string;
  headers: IncomingHttpHeaders;
  req: IncomingMessage;
  request: { body?: unknown; rawBody?: unknown };
  status: number;
  body: unknown;
  /** Sets response headers. */
  set(values: Record<string, string>): void;
}

/** A Node/Express/NestJS handler with adapters for the other frameworks. It never rejects. */
export type WebhookHandler = ((
  req: IncomingMessage,
  res: ServerResponse,
  next?: unknown,
) => Promise<void>) & {
  /** Fetch-style: `(request) => Response` (Hono: `(c) => handler.fetch(c.req.raw)`). */
  fetch(request: Request): Promise<Response>;
  /** Any framework: decide on a method, headers and a body. */
  handle(request: WebhookRequest): Promise<WebhookAnswer>;
  /** Fastify: `app.post('/hook', handler.fastify)`. */
  fastify(request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<void>;
  /** Koa: `app.use(handler.koa)` or a router's route (with or without a body parser). */
  koa(ctx: KoaLikeContext): Promise<void>;
};

/** Thrown by body readers past the limit; becomes 413. */
export class BodyTooLarge extends Error {}

/** The framework read the body and handed none of it over; becomes 400 (waiting would hang). */
export class BodyAlreadyRead extends Error {
  constructor() {
    super(
      'the request body was already read by the framework and not handed over: pass it as req.body or req.rawBody, or call handler.handle({ method, headers, body })',
    );
  }
}

/** What `decide` needs: method, headers, and how to get the body. */
export type Decide = (
  method: string,
  headers: WebhookHeaders,
  read: () => Promise<unknown>,
) => Promise<WebhookAnswer>;

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

/** A body handed over by a framework, checked against the limit when its size is known. */
function given(body: unknown, limit: number): Promise<unknown> {
  const size =
    typeof body === 'string'
      ? Buffer.byteLength(body)
      : body instanceof Uint8Array
        ? body.byteLength
        : 0;
  return size > limit ? Promise.reject(new BodyTooLarge()) : Promise.resolve(body);
}

/**
 * The body of a Node request: a raw body a framework kept (`rawBody`: the exact bytes) first,
 * then a parsed `body` once the stream has ended (body-parser also sets `{}` on requests it
 * skips, leaving the stream unread: that stream is read), else the stream itself, unless its
 * end has already passed.
 */
export function nodeBody(
  req: IncomingMessage,
  handed: { body?: unknown; rawBody?: unknown },
  limit: number,
): () => Promise<unknown> {
  return () => {
    if (handed.rawBody !== undefined && handed.rawBody !== null)
      return given(handed.rawBody, limit);
    if (req.readableEnded)
      return handed.body === undefined
        ? Promise.reject(new BodyAlreadyRead())
        : given(handed.body, limit);
    return readNodeBody(req, limit);
  };
}

/** Binds `decide` to every framework's shape. */
export function bindAdapters(decide: Decide, limit: number): WebhookHandler {
  const node = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const outcome = await decide(
      req.method ?? 'GET',
      req.headers,
      nodeBody(req, req as { body?: unknown; rawBody?: unknown }, limit),
    );
    if (res.headersSent) return;
    res.writeHead(outcome.status, { ...TEXT, ...outcome.headers });
    res.end(outcome.body);
  };
  const fetchHandler = async (request: Request): Promise<Response> => {
    const outcome = await decide(request.method, request.headers, () =>
      readFetchBody(request, limit),
    );
    return new Response(outcome.body, {
      status: outcome.status,
      headers: { ...TEXT, ...outcome.headers },
    });
  };
  const handle = (request: WebhookRequest): Promise<WebhookAnswer> => {
    // Typed as never rejecting: a call without a request object is answered, not thrown at.
    if (request === null || typeof request !== 'object')
      return Promise.resolve({
        status: 400,
        body: 'bad request: handle() takes { method, headers, body }',
      });
    return decide(request.method, request.headers, () =>
      request.body === undefined
        ? Promise.reject(new BodyAlreadyRead())
        : given(request.body, limit),
    );
  };
  const fastify = async (request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<void> => {
    const body = request.rawBody ?? request.body;
    const outcome = await decide(request.method, request.headers, () =>
      body === undefined ? Promise.reject(new BodyAlreadyRead()) : given(body, limit),
    );
    await reply
      .code(outcome.status)
      .headers({ ...TEXT, ...outcome.headers })
      .send(outcome.body);
  };
  const koa = async (ctx: KoaLikeContext): Promise<void> => {
    const outcome = await decide(ctx.method, ctx.headers, nodeBody(ctx.req, ctx.request, limit));
    ctx.status = outcome.status;
    ctx.set({ ...TEXT, ...outcome.headers });
    ctx.body = outcome.body;
  };
  return Object.assign(node, { fetch: fetchHandler, handle, fastify, koa });
}

/** Reads a Node request body up to `limit`; past it, drains the rest (so the 413 is delivered) and throws. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      // Keep reading and discarding: destroying the request would reset the socket before the answer.
      req.on('error', () => undefined);
      req.resume();
      reject(new BodyTooLarge());
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Reads a Fetch request body up to `limit`, cancelling the stream past it. */
export async function readFetchBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new BodyTooLarge();
  if (!request.body) return new Uint8Array(0);
  // The Fetch API's body is a stream of bytes (its type says `any` for want of the DOM lib).
  const reader: ReadableStreamDefaultReader<Uint8Array> = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
}

/**
 * The mock's REST half: routing, Bearer auth, fault injection, and the request/response
 * plumbing. The resource handlers live in routes.ts; this file only decides who answers how.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { HttpFault } from './contracts';
import { MockHttpError, errorBody, sendError, sendJson } from './api-error';
import type { FaultBook } from './faults';
import { rateLimitHeaders, type RateLimiter } from './rate-limit';
import type { MockState } from './state';

/** What a route handler answers. */
export interface RouteAnswer {
  status: number;
  body?: unknown;
}

/** A route handler. `params.id` holds the path id. It answers at once or later; it may throw. */
export type RouteHandler = (
  req: IncomingMessage,
  params: { id?: string },
  url: URL,
) => RouteAnswer | Promise<RouteAnswer>;

/** A route: method, pattern (with `:id`), handler, and whether it reads the body itself. */
export interface Route {
  method: string;
  pattern: string;
  handler: RouteHandler;
  /** Upload routes stream the body themselves; others get it drained on faults. */
  streamsBody?: boolean;
}

/** Timers of in-flight fault delays, cleared on close. */
export interface PendingTimers {
  add(timer: NodeJS.Timeout): void;
  delete(timer: NodeJS.Timeout): void;
}

/** A path id, percent-decoded; one with a bad escape is kept as sent (it names nothing: 404). */
function decodeId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/** What a path matched: the raw (still percent-encoded) `:id` segment, when the pattern has one. */
interface PathMatch {
  id?: string;
}

/**
 * A route pattern as a matcher: segment by segment, a literal segment must be equal and `:id`
 * takes one non-empty segment.
 */
function compile(pattern: string): (pathname: string) => PathMatch | undefined {
  const wanted = pattern.split('/');
  return (pathname) => {
    const segments = pathname.split('/');
    if (segments.length !== wanted.length) return undefined;
    const match: PathMatch = {};
    for (const [i, want] of wanted.entries()) {
      const segment = segments[i];
      if (want === ':id') {
        if (!segment) return undefined;
        match.id = segment;
      } else if (segment !== want) {
        return undefined;
      }
    }
    return match;
  };
}

function delay(ms: number, timers: PendingTimers): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
}

function retryHeaders(fault: HttpFault): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  return headers;
}

/** Drains a request body, then runs `then` (answering before reading confuses clients). */
function drain(req: IncomingMessage, then: () => void): void {
  if (req.readableEnded) return then();
  req.on('end', then);
  req.on('error', () => undefined);
  req.resume();
}

async function sendSlow(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
  everyMs: number,
  timers: PendingTimers,
): Promise<void> {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length && !res.destroyed; at += 16) {
    res.write(bytes.subarray(at, at + 16));
    await delay(everyMs, timers);
  }
  res.end();
}

/** `text` compressed with a `Content-Encoding` (`deflate` is the zlib format, RFC 9110). */
function compress(encoding: NonNullable<HttpFault['encoding']>, text: string): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(text);
  if (encoding === 'deflate') return zlib.deflateSync(text);
  return zlib.brotliCompressSync(text);
}

/** Sends a successful answer through the response-side faults. */
async function answer(
  res: ServerResponse,
  result: RouteAnswer,
  fault: HttpFault | undefined,
  timers: PendingTimers,
): Promise<void> {
  if (result.status === 204 && !fault?.json) {
    res.writeHead(204);
    res.end();
    return;
  }
  const body = fault?.json !== undefined ? fault.json : result.body;
  const status = fault?.json !== undefined ? (fault.status ?? 200) : result.status;
  let text = JSON.stringify(body ?? null);
  if (fault?.body === 'truncated') text = text.slice(0, Math.floor(text.length / 2));
  if (fault?.body === 'invalid-json') text = `<html>not json ${text.length}</html>`;
  if (fault?.reset === 'mid-response') {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    // Let the half body reach the client, then cut the connection.
    setImmediate(() => res.socket?.destroy());
    return;
  }
  if (fault?.slowBodyMs) return sendSlow(res, status, text, {}, fault.slowBodyMs, timers);
  if (fault?.encoding) {
    const bytes = compress(fault.encoding, text);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Encoding': fault.encoding,
      'Content-Length': bytes.length,
    });
    res.end(bytes);
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Builds the mock's request listener over a route table. */
export function createRequestListener(
  routes: Route[],
  state: MockState,
  faults: FaultBook,
  timers: PendingTimers,
  limiter: RateLimiter,
): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes.map((r) => ({ route: r, match: compile(r.pattern) }));
  return (req, res) => {
    // A request target such as `//[` is no URL relative to any base: answer it, never throw.
    const url = URL.canParse(req.url ?? '/', 'http://mock')
      ? new URL(req.url ?? '/', 'http://mock')
      : undefined;
    if (!url) {
      drain(req, () =>
        sendError(res, new MockHttpError(400, 'invalid_request', 'Invalid request target.')),
      );
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates = table.flatMap(({ route, match }) => {
      const found = match(url.pathname);
      return found ? [{ route, id: found.id }] : [];
    });
    const chosen = candidates.find((c) => c.route.method === method);
    if (!chosen) {
      const error = candidates.length
        ? new MockHttpError(
            405,
            'method_not_allowed',
            `Method ${method} is not allowed on ${url.pathname}.`,
          )
        : new MockHttpError(404, 'not_found', `No route ${method} ${url.pathname}.`);
      drain(req, () => sendError(res, error));
      return;
    }
    const { route, id } = chosen;
    const name = `${route.method} ${route.pattern}`;
    state.hit(name);
    void handle(route, name, req, res, url, id === undefined ? {} : { id: decodeId(id) });
  };

  async function handle(
    route: Route,
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: { id?: string },
  ): Promise<void> {
    state.inFlight += 1;
    try {
      await handleRoute(route, name, req, res, url, params);
    } finally {
      state.inFlight -= 1;
    }
  }

  async function handleRoute(
    route: Route,
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: { id?: string },
  ): Promise<void> {
    const fault = faults.forRequest(name);
    try {
      if (fault?.reset === 'before') {
        req.socket.destroy();
        return;
      }
      if (fault?.delayMs) await delay(fault.delayMs, timers);
      if (fault?.reset === 'mid-request') {
        // Read a little of the body, then cut the connection; a request without a body (its
        // end comes first) is cut at once, not left hanging until the client gives up.
        const cut = () => req.socket.destroy();
        req.once('data', cut);
        req.once('end', cut);
        return;
      }
      if (fault?.status && fault.body === 'html-page') {
        const page = `<html><head><title>${fault.status}</title></head><body><h1>${fault.status} Bad Gateway</h1><p>upstream went away</p></body></html>`;
        drain(req, () => {
          res.writeHead(fault.status as number, {
            'Content-Type': 'text/html',
            'Content-Length': Buffer.byteLength(page),
            ...retryHeaders(fault),
          });
          res.end(page);
        });
        return;
      }
      if (fault?.status && fault.json === undefined) {
        const headers = retryHeaders(fault);
        drain(req, () =>
          sendJson(res, fault.status as number, errorBody(fault.status as number), headers),
        );
        return;
      }
      const key = bearer(req);
      if (!state.acceptsKey(key, 'rest')) throw new MockHttpError(401, 'unauthenticated');
      const decision = limiter.request(key);
      if (!decision.allowed) {
        const headers = rateLimitHeaders(decision.retryAfterMs, limiter.limits);
        drain(req, () => sendJson(res, 429, errorBody(429), headers));
        return;
      }
      const result = await route.handler(req, params, url);
      if (fault?.reset === 'after-handler') {
        req.socket.destroy();
        return;
      }
      await answer(res, result, fault, timers);
    } catch (error) {
      if (res.headersSent || res.destroyed) return;
      const known =
        error instanceof MockHttpError ? error : new MockHttpError(500, 'internal_error');
      const send = () => sendError(res, known);
      // An upload rejected mid-body (too large) closes the connection rather than read the rest.
      if (route.streamsBody && !req.readableEnded) {
        res.setHeader('Connection', 'close');
        sendError(res, known);
        res.on('finish', () => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            req.socket.destroy();
          }, 50);
          timers.add(timer);
        });
        req.resume();
        return;
      }
      drain(req, send);
    }
  }
}

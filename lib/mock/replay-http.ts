/**
 * The mock's REST half in replay mode: every request answered from the cassettes (replay.ts),
 * after the same Bearer check as live; a request with no recording is a 400 whose message names
 * it (not a 404, which a cleanup would take for "already gone", nor a 5xx, which is retried).
 * Faults, rate limits and routes do not apply: the recording is the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockHttpError, sendError } from './api-error';
import type { ReplayBook } from './replay';

/** Reads the body to its end, then answers; called as the request arrives, so its end is to come. */
function drain(req: IncomingMessage, then: () => void): void {
  req.on('end', then);
  req.on('error', () => undefined);
  req.resume();
}

/** A request listener that answers from `book`; `apiKey` is the key it accepts. */
export function replayListener(
  book: ReplayBook,
  apiKey: string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = URL.canParse(req.url ?? '/', 'http://mock')
      ? new URL(req.url ?? '/', 'http://mock')
      : undefined;
    drain(req, () => {
      if (!url)
        return sendError(res, new MockHttpError(400, 'invalid_request', 'Invalid request target.'));
      const key = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      // eslint-disable-next-line security/detect-possible-timing-attacks -- a loopback test server's key
      if (key !== apiKey) return sendError(res, new MockHttpError(401, 'unauthenticated'));
      const found = book.exchange(
        req.method ?? 'GET',
        url.pathname,
        Object.fromEntries(url.searchParams),
      );
      if ('miss' in found)
        return sendError(res, new MockHttpError(400, 'not_recorded', found.miss));
      const answer = found.response;
      if (!('status' in answer)) {
        // Recorded with no answer (a reset, a timeout): the connection is cut again.
        req.socket.destroy();
        return;
      }
      if (answer.status === 204 || answer.body === undefined) {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
        return;
      }
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    });
  };
}

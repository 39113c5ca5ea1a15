/** The raw Node baselines: keep-alive GET + JSON.parse, and a multipart upload piped by http.request. */
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { encodeMultipart } from '../../lib/http/multipart';

/** GET `url` with a Bearer key on `agent`, parse the JSON body. */
export function rawGetJson(agent: http.Agent, url: string, apiKey: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { Authorization: `Bearer ${apiKey}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`raw GET ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      })
      .on('error', reject);
  });
}

/** POST /v1/files with the same multipart body the SDK builds (lib/http/multipart.ts), piped. */
export async function rawUpload(
  origin: string,
  apiKey: string,
  source: Readable,
  size: number,
  filename = 'raw.bin',
): Promise<{ id: string }> {
  const body = encodeMultipart([], { field: 'file', filename, size, stream: source });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${origin}/v1/files`,
      {
        method: 'POST',
        agent: false,
        headers: {
          Authorization: `Bearer ${apiKey}`,
          'Content-Type': body.contentType,
          'Content-Length': String(body.contentLength),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 201)
            return reject(new Error(`raw upload: HTTP ${res.statusCode}`));
          resolve(JSON.parse(Buffer.concat(chunks).toString()) as { id: string });
        });
      },
    );
    req.on('error', reject);
    pipeline(body.stream, req).catch(reject);
  });
}

/** DELETE /v1/files/:id (keeps the mock's storage quota free between big uploads). */
export function rawDelete(origin: string, apiKey: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${origin}${path}`,
      { method: 'DELETE', agent: false, headers: { Authorization: `Bearer ${apiKey}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

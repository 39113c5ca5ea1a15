/**
 * A successful call's response metadata without a second call (issue 30, item 3): `onResponse`
 * (the client's, and now a call's own) is told the status, the response headers and the request
 * id the server sent (`x-request-id`), for every attempt of that call.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SonioxClient, type ResponseEvent } from '../../lib';
import { SonioxValidationError } from '../../lib/errors';
import { rejection } from '../helpers';

describe('response metadata of a call', () => {
  let server: http.Server | undefined;
  let client: SonioxClient | undefined;
  let served = 0;
  beforeEach(async () => {
    served = 0;
    server = http.createServer((_req, res) => {
      served += 1;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Request-Id', `req-${served}`);
      res.setHeader('X-RateLimit-Remaining', '41');
      res.end(JSON.stringify({ files: [], next_page_cursor: null }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    client?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = client = undefined;
  });
  const baseURL = () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;

  it("tells the call's onResponse its status, headers and request id, and the client's hook too", async () => {
    const clientWide: ResponseEvent[] = [];
    client = new SonioxClient({
      apiKey: 'k',
      baseURL: baseURL(),
      onResponse: (event) => clientWide.push(event),
    });
    const mine: ResponseEvent[] = [];
    await client.files.list({}, { onResponse: (event) => mine.push(event) });
    await client.files.list();
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({
      status: 200,
      requestId: 'req-1',
      method: 'GET',
      url: '/v1/files',
    });
    expect(mine[0]!.headers['x-ratelimit-remaining']).to.equal('41');
    expect(mine[0]!.headers['content-type']).to.match(/^application\/json/);
    expect(clientWide.map((e) => e.requestId)).to.deep.equal(['req-1', 'req-2']);
  });

  it('refuses an onResponse that is not a function before any request', async () => {
    client = new SonioxClient({ apiKey: 'k', baseURL: baseURL() });
    const error = await rejection(client.files.list({}, { onResponse: 'log' as never }));
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.include('onResponse');
    expect(served).to.equal(0);
  });
});

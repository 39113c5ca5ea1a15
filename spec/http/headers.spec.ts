/**
 * Request headers of the caller's own (issue 30, item 3): `headers` on the client go with every
 * REST request, `headers` on a call go with that call (over the client's), retries included; none
 * can replace the SDK's Authorization, nor the framing headers the transport sets; a bad name or
 * value is refused before anything is sent, naming the header but never echoing its value.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SonioxClient } from '../../lib';
import { SonioxConfigError, SonioxValidationError } from '../../lib/errors';
import { rejection } from '../helpers';

describe('request headers of the caller', () => {
  let server: http.Server | undefined;
  let client: SonioxClient | undefined;
  const seen: http.IncomingHttpHeaders[] = [];
  let failFirst = 0;
  beforeEach(async () => {
    seen.length = 0;
    failFirst = 0;
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('Content-Type', 'application/json');
      if (failFirst-- > 0) {
        res.statusCode = 503;
        res.end(JSON.stringify({ status_code: 503, error_type: 'unavailable', message: 'later' }));
        return;
      }
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

  it("sends the client's headers with every request, and a call's over them, retries included", async () => {
    client = new SonioxClient({
      apiKey: 'sk-headers-1',
      baseURL: baseURL(),
      headers: { 'X-Gateway-Tenant': 'acme', 'X-Trace': 'client' },
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    await client.files.list();
    failFirst = 1;
    await client.files.list({}, { headers: { 'X-Trace': 'call-7' } });
    expect(seen.map((h) => [h['x-gateway-tenant'], h['x-trace'], h.authorization])).to.deep.equal([
      ['acme', 'client', 'Bearer sk-headers-1'],
      ['acme', 'call-7', 'Bearer sk-headers-1'],
      ['acme', 'call-7', 'Bearer sk-headers-1'],
    ]);
  });

  it("lets a User-Agent of the caller replace the SDK's", async () => {
    client = new SonioxClient({
      apiKey: 'k',
      baseURL: baseURL(),
      headers: { 'User-Agent': 'acme-gw/2' },
    });
    await client.files.list();
    expect(seen[0]!['user-agent']).to.equal('acme-gw/2');
  });

  it('refuses Authorization and the framing headers, on the client and on a call, before any request', async () => {
    const thrown = (() => {
      try {
        new SonioxClient({
          apiKey: 'k',
          baseURL: baseURL(),
          headers: { authorization: 'Bearer other' },
        });
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(thrown).to.be.instanceOf(SonioxConfigError);
    expect(thrown!.message).to.match(/headers\.authorization.*set from apiKey/);
    expect(thrown!.message).not.to.include('Bearer other');
    client = new SonioxClient({ apiKey: 'k', baseURL: baseURL() });
    for (const name of ['Authorization', 'Content-Length', 'Host', 'Transfer-Encoding']) {
      const error = await rejection(client.files.list({}, { headers: { [name]: 'x' } }));
      expect(error, name).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.include(`headers.${name}`);
    }
    expect(seen).to.deep.equal([]);
  });

  it('refuses a name that is not a header token and a value with a line break, without echoing the value', async () => {
    client = new SonioxClient({ apiKey: 'k', baseURL: baseURL() });
    const error = await rejection(
      client.files.list({}, { headers: { 'Bad Name': 'v', 'X-Ok': 'secret\r\nInjected: 1' } }),
    );
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.include('headers.Bad Name');
    expect(error.message).to.include('headers.X-Ok');
    expect(error.message).not.to.include('secret');
    expect(() => new SonioxClient({ apiKey: 'k', headers: 'X-A: 1' as never })).to.throw(
      SonioxConfigError,
      /headers must be an object/,
    );
    expect(seen).to.deep.equal([]);
  });
});

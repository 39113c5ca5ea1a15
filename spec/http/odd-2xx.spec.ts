/**
 * 2xx answers that are not what the API promises give a typed error, whatever
 * validateResponses says: never `undefined`, a string, or a TypeError from inside.
 */
import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { SonioxValidationError } from '../../lib/errors';
import { clientFor, mock, rejection } from '../helpers';

describe('http/transport: odd 2xx answers', () => {
  let server: MockServer;
  beforeEach(async () => {
    server = await mock();
  });
  afterEach(() => server.close());

  for (const validateResponses of [true, false]) {
    describe(`validateResponses: ${validateResponses}`, () => {
      it('a 204 where a body is expected', async () => {
        server.setFaults({ http: [{ route: 'GET /v1/models', status: 204 }] });
        const client = clientFor(server, { validateResponses });
        const error = await rejection(client.models.list());
        expect(error).to.be.instanceOf(SonioxValidationError);
        expect(error.message).to.equal('GET /v1/models: the server answered 204 with no body where one was expected');
        expect((error as SonioxValidationError).issues).to.deep.equal([{ field: '(body)', message: 'missing' }]);
        client.close();
      });

      it('a body that is not JSON', async () => {
        server.setFaults({ http: [{ route: 'GET /v1/models', body: 'invalid-json' }] });
        const client = clientFor(server, { validateResponses });
        const error = await rejection(client.models.list());
        expect(error).to.be.instanceOf(SonioxValidationError);
        expect(error.message).to.equal('GET /v1/models: the response body is not valid JSON');
        expect((error as SonioxValidationError).issues).to.deep.equal([{ field: '(body)', message: 'not JSON' }]);
        client.close();
      });

      for (const json of [null, 42, [], true]) {
        it(`a body that is JSON but not an object: ${JSON.stringify(json)}`, async () => {
          server.setFaults({ http: [{ route: 'GET /v1/models', json }] });
          const client = clientFor(server, { validateResponses });
          const error = await rejection(client.models.list());
          expect(error).to.be.instanceOf(SonioxValidationError);
          expect(error.message).to.equal('GET /v1/models: the response body is not a JSON object');
          expect((error as SonioxValidationError).issues).to.deep.equal([{ field: '(body)', message: 'not an object' }]);
          client.close();
        });
      }

      it('a page whose list is null, read by iterate()', async () => {
        server.setFaults({ http: [{ route: 'GET /v1/files', json: { files: null, next_page_cursor: null } }] });
        const client = clientFor(server, { validateResponses });
        const error = await rejection((async () => {
          for await (const file of client.files.iterate()) void file;
        })());
        expect(error).to.be.instanceOf(SonioxValidationError);
        client.close();
      });
    });
  }

  it('a DELETE answering 204 still resolves', async () => {
    const client = clientFor(server);
    const file = await client.files.upload(Buffer.alloc(100, 1), { filename: 'a.raw' });
    expect(await client.files.delete(file.id)).to.equal(undefined);
    client.close();
  });
});

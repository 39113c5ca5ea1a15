/**
 * 2xx answers that are not what the API promises give a typed error, whatever
 * validateResponses says: never `undefined`, a string, or a TypeError from inside.
 */
import { expect } from 'chai';
import type { HttpFault } from '../../lib/mock/contracts';
import { SonioxResponseError, SonioxValidationError } from '../../lib/errors';
import { fixture, rejection } from '../helpers';

const MODELS = 'GET /v1/models';

/** An odd answer to GET /v1/models, the error message it must give, and its one issue on `(body)`. */
const cases: Array<{ name: string; fault: HttpFault; message: string; issue: string }> = [
  {
    name: 'a 204 where a body is expected',
    fault: { route: MODELS, status: 204 },
    message: 'the server answered 204 with no body where one was expected',
    issue: 'missing',
  },
  {
    name: 'a body that is not JSON',
    fault: { route: MODELS, body: 'invalid-json' },
    message: 'the response body is not valid JSON',
    issue: 'not JSON',
  },
  ...[null, 42, [], true].map((json) => ({
    name: `a body that is JSON but not an object: ${JSON.stringify(json)}`,
    fault: { route: MODELS, json },
    message: 'the response body is not a JSON object',
    issue: 'not an object',
  })),
];

describe('http/transport: odd 2xx answers', () => {
  const t = fixture();

  for (const validateResponses of [true, false]) {
    describe(`validateResponses: ${validateResponses}`, () => {
      for (const { name, fault, message, issue } of cases) {
        it(name, async () => {
          t.server.setFaults({ http: [fault] });
          const client = t.clientWith({ validateResponses });
          const error = await rejection(client.models.list());
          expect(error).to.be.instanceOf(SonioxResponseError);
          // The API broke its contract: not the caller's input.
          expect(error).not.to.be.instanceOf(SonioxValidationError);
          expect((error as SonioxResponseError).code).to.equal('response_error');
          expect(error.message).to.equal(`GET /v1/models: ${message}`);
          expect((error as SonioxResponseError).issues).to.deep.equal([
            { field: '(body)', message: issue },
          ]);
        });
      }

      it('a page whose list is null, read by iterate()', async () => {
        t.server.setFaults({
          http: [{ route: 'GET /v1/files', json: { files: null, next_page_cursor: null } }],
        });
        const client = t.clientWith({ validateResponses });
        const error = await rejection(
          (async () => {
            for await (const file of client.files.iterate()) void file;
          })(),
        );
        expect(error).to.be.instanceOf(SonioxResponseError);
      });
    });
  }

  it('a DELETE answering 204 still resolves', async () => {
    const client = t.clientWith();
    const file = await client.files.upload(Buffer.alloc(100, 1), { filename: 'a.raw' });
    expect(await client.files.delete(file.id)).to.equal(undefined);
  });
});

import { expect } from 'chai';
import { checkedBody, type BodyExpectation } from '../../lib/http/response-body';
import { SonioxResponseError } from '../../lib/errors';

const models: BodyExpectation = {
  method: 'GET',
  path: '/v1/models',
  schema: 'modelList',
  validateResponses: true,
};
const noSchema: BodyExpectation = {
  method: 'DELETE',
  path: '/v1/files/f',
  validateResponses: true,
};

/** The SonioxResponseError `run` throws. */
function responseError(run: () => unknown): SonioxResponseError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(SonioxResponseError);
    return error as SonioxResponseError;
  }
  throw new Error('expected a SonioxResponseError');
}

describe('http/response-body', () => {
  it('hands back a body that matches the schema as is', () => {
    const body = { models: [] };
    expect(checkedBody(models, 200, body)).to.equal(body);
  });

  it('resolves with nothing for a 204 or an empty body when no body is due', () => {
    expect(checkedBody(noSchema, 204, undefined)).to.equal(undefined);
    expect(checkedBody(noSchema, 200, '')).to.equal(undefined);
    expect(checkedBody(noSchema, 200, 'plain text')).to.equal('plain text');
  });

  it('rejects no body where one is due, naming the status', () => {
    for (const [status, data] of [
      [204, undefined],
      [200, ''],
      [200, undefined],
    ] as const) {
      const error = responseError(() => checkedBody(models, status, data));
      expect(error.message).to.equal(
        `GET /v1/models: the server answered ${status} with no body where one was expected`,
      );
      expect(error.issues).to.deep.equal([{ field: '(body)', message: 'missing' }]);
    }
  });

  it('rejects text and non-objects even when validation is off', () => {
    const lenient = { ...models, validateResponses: false };
    const text = responseError(() => checkedBody(lenient, 200, '{"models": ['));
    expect(text.message).to.equal('GET /v1/models: the response body is not valid JSON');
    expect(text.issues).to.deep.equal([{ field: '(body)', message: 'not JSON' }]);
    for (const data of [null, 3, [], true]) {
      const error = responseError(() => checkedBody(lenient, 200, data));
      expect(error.message).to.equal('GET /v1/models: the response body is not a JSON object');
      expect(error.issues).to.deep.equal([{ field: '(body)', message: 'not an object' }]);
    }
  });

  it('rejects a body that drifted from the schema with its issues, unless validation is off', () => {
    const drifted = { models: 'none' };
    const error = responseError(() => checkedBody(models, 200, drifted));
    expect(error.message).to.match(
      /^GET \/v1\/models: the response does not match the API schema \(.*models.*\); pass validateResponses: false to accept it$/,
    );
    expect(error.issues[0]).to.deep.equal({ field: 'models', message: 'must be array' });
    expect(Object.keys(error.issues[0] ?? {})).to.deep.equal(['field', 'message']);
    expect(checkedBody({ ...models, validateResponses: false }, 200, drifted)).to.equal(drifted);
  });
});

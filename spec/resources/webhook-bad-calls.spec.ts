/**
 * `handler().handle()` never rejects nor throws (its type says so): a call without a request,
 * without a method or without headers gets an answer, as a bad delivery does. JavaScript
 * callers and loosely typed frameworks do make such calls (issue 25, item 13).
 */
import { expect } from 'chai';
import { Webhooks, type WebhookRequest } from '../../lib/resources/webhooks';
import type { WebhookAnswer } from '../../lib/resources/webhook-adapters';

const ID = '19b6d61d-02db-4c25-bc71-b4094dc310c8';
const SECRET = 'whsec-very-secret-value';
const auth = { name: 'X-Webhook-Secret', secret: SECRET };
const EVENT = { id: ID, status: 'completed' };

/** Calls `handle` as loosely typed code would; a synchronous throw is caught and re-thrown as is. */
async function call(handle: (r: WebhookRequest) => Promise<WebhookAnswer>, request: unknown) {
  let answer: WebhookAnswer | undefined;
  let thrown: unknown;
  try {
    answer = await handle(request as WebhookRequest);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `handle(${JSON.stringify(request)}) threw`).to.equal(undefined);
  return answer!;
}

describe('webhooks: handle() answers bad calls, never throws', () => {
  const events: unknown[] = [];
  afterEach(() => (events.length = 0));
  const handler = (withAuth: boolean) =>
    new Webhooks().handler({
      ...(withAuth ? { auth } : {}),
      onEvent: (e) => void events.push(e),
    });

  for (const request of [undefined, null, 'POST', 42]) {
    it(`handle(${JSON.stringify(request)}): 400 naming the request it needs`, async () => {
      const answer = await call(handler(true).handle, request);
      expect(answer).to.deep.equal({
        status: 400,
        body: 'bad request: handle() takes { method, headers, body }',
      });
      expect(events).to.have.length(0);
    });
  }

  for (const method of [undefined, null, 7, {}]) {
    it(`a request whose method is ${JSON.stringify(method)}: 400 naming the method`, async () => {
      const answer = await call(handler(false).handle, {
        method,
        headers: {},
        body: EVENT,
      });
      expect(answer).to.deep.equal({ status: 400, body: 'bad request: the method is missing' });
      expect(events).to.have.length(0);
    });
  }

  for (const headers of [undefined, null, 'x-webhook-secret: whsec']) {
    it(`headers ${JSON.stringify(headers)} with auth: 401 (no header can carry the secret)`, async () => {
      const answer = await call(handler(true).handle, { method: 'POST', headers, body: EVENT });
      expect(answer).to.deep.equal({ status: 401, body: 'unauthorized' });
      expect(events).to.have.length(0);
    });
  }

  it('headers missing without auth: the event is delivered (headers are not needed)', async () => {
    const answer = await call(handler(false).handle, { method: 'POST', body: EVENT });
    expect(answer).to.deep.equal({ status: 200, body: 'ok' });
    expect(events).to.deep.equal([EVENT]);
  });

  it('handle keeps working when detached from its handler (as frameworks pass it)', async () => {
    const { handle } = handler(true);
    const answer = await call(handle, {
      method: 'post',
      headers: { 'x-webhook-secret': SECRET },
      body: EVENT,
    });
    expect(answer).to.deep.equal({ status: 200, body: 'ok' });
  });
});

import { expect } from 'chai';
import { SECRET_KEY, fixture } from '../helpers';

/**
 * The error body a client gets from the mock for every status it may answer (docs/api.md §3:
 * `status_code`, `error_type`, `message`, `validation_errors`, `request_id`, `more_info`), here
 * through injected faults, the way a user provokes each status in a spec of their own.
 */
const TYPES: Array<[number, string]> = [
  [400, 'invalid_request'],
  [401, 'unauthenticated'],
  [402, 'payment_required'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [405, 'method_not_allowed'],
  [408, 'request_timeout'],
  [409, 'conflict'],
  [413, 'payload_too_large'],
  [429, 'limit_exceeded'],
  [500, 'internal_error'],
  [502, 'bad_gateway'],
  [503, 'service_unavailable'],
  [504, 'gateway_timeout'],
  // Statuses without a type of their own: a client error is a bad request, a server one internal.
  [418, 'invalid_request'],
  [499, 'invalid_request'],
  [501, 'internal_error'],
  [599, 'internal_error'],
];

const MESSAGES: Record<string, string> = {
  unauthenticated:
    'Incorrect API key provided. You can get an API key at https://console.soniox.com',
  internal_error:
    'The server encountered an error. Please try again. If the issue persists contact support@soniox.com.',
  limit_exceeded: 'Rate limit exceeded. Please slow down your requests.',
  service_unavailable: 'Service temporarily unavailable. Please try again.',
};

describe('mock/api-error: the error body of every status', () => {
  const t = fixture({
    mock: { faults: { http: TYPES.map(([status]) => ({ route: '*', status, times: 1 })) } },
  });

  it('types each status as the API does, with its message and its errors-page link', async () => {
    const seen: Array<[number, string]> = [];
    const ids = new Set<string>();
    for (const [status, type] of TYPES) {
      const res = await fetch(`${t.server.url}/v1/models`, {
        headers: { Authorization: `Bearer ${SECRET_KEY}` },
      });
      expect(res.status).to.equal(status);
      expect(res.headers.get('content-type')).to.equal('application/json');
      const text = await res.text();
      expect(res.headers.get('content-length')).to.equal(String(Buffer.byteLength(text)));
      const body = JSON.parse(text) as Record<string, unknown>;
      seen.push([body.status_code as number, body.error_type as string]);
      expect(body, type).to.deep.include({
        message: MESSAGES[type] ?? `Request failed (${type}).`,
        validation_errors: [],
        more_info: `https://soniox.com/docs/api-reference/errors#${type.replaceAll('_', '-')}`,
      });
      expect(body.request_id).to.match(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      ids.add(body.request_id as string);
    }
    expect(seen).to.deep.equal(TYPES);
    expect(ids.size, 'a fresh request id for each answer').to.equal(TYPES.length);
  });
});

describe('mock/api-error: the documented example, a request without a valid key', () => {
  const t = fixture();

  it("answers 401 with the example's message and an empty validation_errors list", async () => {
    for (const headers of [{}, { Authorization: 'Bearer sk-wrong' }]) {
      const res = await fetch(`${t.server.url}/v1/files`, { headers });
      expect(res.status).to.equal(401);
      expect(await res.json()).to.deep.include({
        status_code: 401,
        error_type: 'unauthenticated',
        message: MESSAGES.unauthenticated,
        validation_errors: [],
        more_info: 'https://soniox.com/docs/api-reference/errors#unauthenticated',
      });
    }
  });
});

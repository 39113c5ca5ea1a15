/**
 * Quota errors typed where API errors are made. The answers fed here are the API's as
 * docs/api.md §3-§5 describes them (the mock's own wording is spec/resources/quota.spec.ts's
 * business): a quota answer is a 429 `limit_exceeded` ("a per-minute request rate or other
 * capacity limit", the message says which) or a 400 `invalid_request` to a create, its message
 * naming the limit as the limits page names it (uploaded files, total file storage, pending
 * transcriptions, total transcriptions). The wording of those messages is not documented and
 * may change: any message that names the limit is typed, and the message is left as it was.
 */
import { expect } from 'chai';
import { SonioxAPIError, SonioxRateLimitError, type SonioxQuota } from '../lib/errors';
import { isQuotaAnswer } from '../lib/batch/quota';
import { toSonioxError } from '../lib/http/error-mapping';
import { quotaOf } from '../lib/quota';
import { SECRET_KEY, fixture, rejection } from './helpers';

const FILES = 'POST /v1/files';
const CREATE = 'POST /v1/transcriptions';
const URL_SOURCE = { audio_url: 'https://example.com/a.mp3' };

/** A documented error body (status_code, error_type, message, request_id). */
const body = (status: number, errorType: string, message: string) => ({
  status_code: status,
  error_type: errorType,
  message,
  validation_errors: [],
  request_id: 'req-1',
  more_info: `https://soniox.com/docs/api-reference/errors#${errorType.replace(/_/g, '-')}`,
});

describe('quota: quota errors typed where API errors are made', () => {
  const t = fixture({ client: { maxRetries: 0 } });

  /** The error a create answered with `status` `errorType` `message` rejects with. */
  async function answered(
    route: typeof FILES | typeof CREATE,
    status: number,
    errorType: string,
    message: string,
  ): Promise<SonioxAPIError> {
    t.server.setFaults({ http: [{ route, status, json: body(status, errorType, message) }] });
    const call =
      route === FILES
        ? t.client.files.upload(Buffer.alloc(10))
        : t.client.transcriptions.create(URL_SOURCE);
    const error = await rejection(call);
    expect(error).to.be.instanceOf(SonioxAPIError);
    return error as SonioxAPIError;
  }

  const typed: Array<[string, typeof FILES | typeof CREATE, number, string, string, SonioxQuota]> =
    [
      [
        'uploaded files',
        FILES,
        400,
        'invalid_request',
        'Uploaded files limit (1,000) reached.',
        'files',
      ],
      [
        'file storage',
        FILES,
        400,
        'invalid_request',
        'Total file storage limit exceeded.',
        'storage',
      ],
      [
        'file storage, as a 429',
        FILES,
        429,
        'limit_exceeded',
        'You have reached your storage quota of 10 GB.',
        'storage',
      ],
      [
        'pending transcriptions',
        CREATE,
        429,
        'limit_exceeded',
        'Pending transcriptions limit of 100 has been exceeded for your organization.',
        'pending_transcriptions',
      ],
      [
        'total transcriptions',
        CREATE,
        400,
        'invalid_request',
        'Total transcriptions limit (2000) reached: delete some to create more.',
        'transcriptions',
      ],
      [
        'total transcriptions, as a 429',
        CREATE,
        429,
        'limit_exceeded',
        'Maximum number of transcriptions exceeded.',
        'transcriptions',
      ],
    ];

  for (const [what, route, status, errorType, message, quota] of typed) {
    it(`types a ${status} ${errorType} naming ${what} as quota "${quota}", message untouched`, async () => {
      const error = await answered(route, status, errorType, message);
      expect(error.quota).to.equal(quota);
      expect(error.status).to.equal(status);
      expect(error.errorType).to.equal(errorType);
      // The message is the one every API error has: no hint spliced into it.
      expect(error.message).to.equal(
        `${route} failed with ${status} ${errorType}: ${message} (request id req-1)`,
      );
      expect(error.hint).to.be.a('string').and.not.equal('');
      expect(error.message).not.to.include(error.hint!);
      expect(isQuotaAnswer(error)).to.equal(true);
    });
  }

  it('says in `hint` how to free each quota', async () => {
    const files = await answered(FILES, 400, 'invalid_request', 'Uploaded files limit reached.');
    expect(files.hint).to.include('files.deleteAll()').and.include('soniox files rm --all');
    const storage = await answered(FILES, 400, 'invalid_request', 'Storage limit exceeded.');
    expect(storage.hint).to.include('files.deleteAll()');
    const total = await answered(CREATE, 400, 'invalid_request', 'Transcriptions limit reached.');
    expect(total.hint)
      .to.include('transcriptions.deleteAll()')
      .and.include('soniox transcriptions rm --all');
    const pending = await answered(
      CREATE,
      429,
      'limit_exceeded',
      'Too many pending transcriptions.',
    );
    expect(pending.hint).to.match(/wait for .* to finish/);
  });

  it('keeps `quota` and `hint` read-only, and in toJSON', async () => {
    const error = await answered(FILES, 400, 'invalid_request', 'Uploaded files limit reached.');
    expect(() => {
      // @ts-expect-error: readonly
      error.quota = 'storage';
    }).to.throw(TypeError);
    expect(() => {
      // @ts-expect-error: readonly
      error.hint = 'x';
    }).to.throw(TypeError);
    expect(error.quota).to.equal('files');
    expect(error.toJSON()).to.include({ quota: 'files', hint: error.hint });
    expect(JSON.stringify(error)).not.to.include(SECRET_KEY);
  });

  it('leaves the documented answers that are no quota untyped', async () => {
    const notQuota: Array<[typeof FILES | typeof CREATE, number, string, string]> = [
      // docs/api.md §4: a file over 1 GiB is a bad input, not a full quota.
      [FILES, 400, 'invalid_request', 'Exceeded maximum file size (maximum is 1073741824 bytes).'],
      // docs/api.md §3: the per-minute request rate (a rate limit, not a quota).
      [
        FILES,
        429,
        'limit_exceeded',
        'Requests per minute limit for file management has been exceeded for your organization.',
      ],
      [
        CREATE,
        429,
        'limit_exceeded',
        'Requests per minute limit for transcriptions has been exceeded for your organization.',
      ],
      [CREATE, 400, 'invalid_request', 'Invalid request.'],
      // A limit named with another status or type is not a quota answer.
      [CREATE, 409, 'transcription_invalid_state', 'Transcriptions limit reached.'],
    ];
    for (const [route, status, errorType, message] of notQuota) {
      const error = await answered(route, status, errorType, message);
      expect(error.quota, message).to.equal(undefined);
      expect(error.hint, message).to.equal(undefined);
      expect(error.message).to.equal(
        `${route} failed with ${status} ${errorType}: ${message} (request id req-1)`,
      );
    }
  });

  it('types the error where it is made: in the error mapping, whatever called', () => {
    const answer = (method: string, path: string) =>
      toSonioxError(
        {
          isAxiosError: true,
          message: 'Request failed with status code 400',
          response: {
            status: 400,
            statusText: 'Bad Request',
            headers: {},
            data: body(400, 'invalid_request', 'Uploaded files limit (1000) reached.'),
          },
        },
        { method, path, apiKey: SECRET_KEY, timeoutMs: 1000 },
      ) as SonioxAPIError;
    expect(answer('POST', '/v1/files').quota).to.equal('files');
    // Only a create meets a quota: the same words on a read are the read's own business.
    expect(answer('GET', '/v1/files').quota).to.equal(undefined);
  });

  it('needs both the status and the error_type of a quota answer', () => {
    const facts = {
      method: 'post',
      path: '/v1/files',
      apiMessage: 'Uploaded files limit reached.',
    };
    expect(quotaOf({ ...facts, status: 400, errorType: 'invalid_request' })).to.equal('files');
    // The right type with another status, the right status with another type or none.
    expect(quotaOf({ ...facts, status: 403, errorType: 'invalid_request' })).to.equal(undefined);
    expect(quotaOf({ ...facts, status: 422, errorType: 'limit_exceeded' })).to.equal(undefined);
    expect(quotaOf({ ...facts, status: 400, errorType: 'limit_exceeded' })).to.equal(undefined);
    expect(quotaOf({ ...facts, status: 429, errorType: undefined })).to.equal(undefined);
    expect(
      quotaOf({ ...facts, status: 400, errorType: 'invalid_request', apiMessage: undefined }),
    ).to.equal(undefined);
  });

  it('the batch gate reads the typed field, never the message', () => {
    const untyped = new SonioxAPIError('POST /v1/files failed with 400: Maximum number of files', {
      status: 400,
      errorType: 'invalid_request',
    });
    expect(untyped.quota).to.equal(undefined);
    expect(isQuotaAnswer(untyped)).to.equal(false);
    const typedError = new SonioxAPIError('POST /v1/files failed with 400: x', {
      status: 400,
      errorType: 'invalid_request',
      quota: 'files',
    });
    expect(isQuotaAnswer(typedError)).to.equal(true);
    expect(isQuotaAnswer(new SonioxRateLimitError('429', { status: 429 }))).to.equal(true);
    expect(isQuotaAnswer(new Error('Maximum number of files'))).to.equal(false);
  });
});

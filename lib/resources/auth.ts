/** Auth: temporary API keys for browsers and short-lived realtime clients. */
import type { Transport, CallOptions } from '../http/transport';
import type { CreateTemporaryKeyParams, TemporaryKey } from '../types';
import { isObject, objectIssues } from '../internal/issues';
import { assertCall, paramIssues } from './params';

/** Temporary keys whose session cap is remembered (rollover): the most recent, a bounded few. */
const REMEMBERED_CAPS = 1000;

/** `client.auth`. */
export class Auth {
  /**
   * `sessionCaps` (the client's) learns the `max_session_duration_seconds` of each key minted
   * here, in ms, so that a realtime rollover knows the key's cap.
   */
  constructor(
    private readonly transport: Transport,
    private readonly sessionCaps?: Map<string, number>,
  ) {}

  /**
   * Mints a temporary key (`temp:...`) that can open realtime sessions for `expires_in_seconds`
   * (1..3600). Never retried on an ambiguous failure: a POST that may have acted is not repeated.
   */
  async createTemporaryKey(
    params: CreateTemporaryKeyParams,
    options: CallOptions = {},
  ): Promise<TemporaryKey> {
    const found = isObject(params)
      ? paramIssues('createTemporaryKey', params)
      : objectIssues('params', params ?? null);
    assertCall('auth.createTemporaryKey', options, { params: found });
    const key = await this.transport.request<TemporaryKey>({
      ...options,
      method: 'POST',
      path: '/v1/auth/temporary-api-key',
      json: params,
      schema: 'temporaryKey',
    });
    const seconds = params.max_session_duration_seconds;
    if (this.sessionCaps && typeof seconds === 'number') {
      this.sessionCaps.set(key.api_key, seconds * 1000);
      // Insertion order: the first key is the oldest.
      for (const old of this.sessionCaps.keys()) {
        if (this.sessionCaps.size <= REMEMBERED_CAPS) break;
        this.sessionCaps.delete(old);
      }
    }
    return key;
  }
}

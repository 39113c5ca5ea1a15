/** Auth: temporary API keys for browsers and short-lived realtime clients. */
import type { Transport, CallOptions } from '../http/transport';
import type { CreateTemporaryKeyParams, TemporaryKey } from '../types';
import { isObject, objectIssues } from '../internal/issues';
import { assertCall, paramIssues } from './params';

/** `client.auth`. */
export class Auth {
  constructor(private readonly transport: Transport) {}

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
    return this.transport.request<TemporaryKey>({
      ...options,
      method: 'POST',
      path: '/v1/auth/temporary-api-key',
      json: params,
      schema: 'temporaryKey',
    });
  }
}

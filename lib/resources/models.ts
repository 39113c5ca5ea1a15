/** Models: the catalogue of real-time and async models. */
import type { Transport, CallOptions } from '../http/transport';
import type { ModelList } from '../types';
import { assertCall } from './params';

/** `client.models`. */
export class Models {
  constructor(private readonly transport: Transport) {}

  /** `GET /v1/models`: every model, aliases included. */
  async list(options: CallOptions = {}): Promise<ModelList> {
    assertCall('models.list', options);
    return this.transport.request<ModelList>({
      ...options,
      method: 'GET',
      path: '/v1/models',
      schema: 'modelList',
    });
  }
}

/**
 * Concurrency limits: live counts of the project's and the organization's realtime sessions
 * against their configured limits, and the history of concurrent streams per period
 * (`GET /v1/concurrency-limits`, `GET /v1/concurrent-streams-history`; docs/api.md §7b).
 */
import type { CallOptions, Transport } from '../http/transport';
import type { ConcurrencyLimitsInfo, ConcurrentStreamsHistory } from '../types';
import { isObject, objectIssues } from '../internal/issues';
import { assertCall } from './params';
import { windowIssues, type TimeWindow } from './time-window';

/** Parameters of `concurrencyLimits.getHistory()`. */
export interface ConcurrentStreamsHistoryParams extends TimeWindow {
  /** Aggregation period in seconds; also caps the window (7 days at 60). */
  period_sec: 60 | 3600 | 86400;
  /** Speech-to-text or text-to-speech streams. */
  kind: 'stt' | 'tts';
}

/** `client.concurrencyLimits`. */
export class ConcurrencyLimits {
  constructor(private readonly transport: Transport) {}

  /** `GET /v1/concurrency-limits`: current counts and configured limits (null: none). */
  async get(options: CallOptions = {}): Promise<ConcurrencyLimitsInfo> {
    assertCall('concurrencyLimits.get', options);
    return this.transport.request<ConcurrencyLimitsInfo>({
      ...options,
      method: 'GET',
      path: '/v1/concurrency-limits',
      schema: 'concurrencyLimits',
    });
  }

  /** `GET /v1/concurrent-streams-history`: every period of the window, ascending, no gaps. */
  async getHistory(
    params: ConcurrentStreamsHistoryParams,
    options: CallOptions = {},
  ): Promise<ConcurrentStreamsHistory> {
    const what = 'concurrencyLimits.getHistory';
    if (!isObject(params))
      assertCall(what, options, { params: objectIssues('params', params ?? null) });
    const { issues, query } = windowIssues(params);
    if (![60, 3600, 86400].includes(params.period_sec))
      issues.push({ field: 'period_sec', message: 'must be 60, 3600 or 86400' });
    if (params.kind !== 'stt' && params.kind !== 'tts')
      issues.push({ field: 'kind', message: 'must be stt or tts' });
    assertCall(what, options, { params: issues });
    return this.transport.request<ConcurrentStreamsHistory>({
      ...options,
      method: 'GET',
      path: '/v1/concurrent-streams-history',
      query: { ...query, period_sec: params.period_sec, kind: params.kind },
      schema: 'concurrentStreamsHistory',
    });
  }
}

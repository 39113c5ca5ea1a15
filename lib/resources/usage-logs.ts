/**
 * Usage logs: per-request usage records (model, audio duration, tokens, cost in USD, the
 * request's `client_reference_id`), page by page or all of them, and a per-day summary per
 * model (`GET /v1/usage-logs`, `GET /v1/usage/summary`; docs/api.md §7b).
 */
import { paginate } from '../http/pagination';
import type { CallOptions, Transport } from '../http/transport';
import type { UsageLog, UsageLogList, UsageSummary } from '../types';
import type { FieldIssue } from '../errors';
import { isObject, objectIssues } from '../internal/issues';
import { assertCall } from './params';
import { windowIssues, type TimeWindow } from './time-window';

/** Parameters of `usageLogs.list()`: the window of request end times, and the page. */
export interface UsageLogListParams extends TimeWindow {
  /** Entries per page, 1..1000 (the API's default: 1000). */
  limit?: number;
  /** By request end time (the API's default: `end_time_asc`). */
  sort?: 'end_time_asc' | 'end_time_desc';
  /** `next_page_cursor` of the previous page. */
  cursor?: string;
}

type Query = Record<string, string | number | undefined>;

/** The query of a list call, and its parameters' issues (none: the query is sent). */
function listQuery(params: UsageLogListParams): { query: Query; issues: FieldIssue[] } {
  if (!isObject(params)) return { query: {}, issues: objectIssues('params', params ?? null) };
  const { issues, query } = windowIssues(params);
  const { limit, sort, cursor } = params;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
    issues.push({ field: 'limit', message: 'must be an integer from 1 to 1000' });
  if (sort !== undefined && sort !== 'end_time_asc' && sort !== 'end_time_desc')
    issues.push({ field: 'sort', message: 'must be end_time_asc or end_time_desc' });
  if (cursor !== undefined && typeof cursor !== 'string')
    issues.push({ field: 'cursor', message: 'must be a string' });
  const known = new Set(['start_time', 'end_time', 'limit', 'sort', 'cursor']);
  for (const name of Object.keys(params))
    if (!known.has(name)) issues.push({ field: name, message: 'is not a parameter of usage logs' });
  return { query: { ...query, limit, sort, cursor }, issues };
}

/** `client.usageLogs`. */
export class UsageLogs {
  constructor(private readonly transport: Transport) {}

  /** `GET /v1/usage-logs`: one page of the records whose request ended in the window. */
  async list(params: UsageLogListParams, options: CallOptions = {}): Promise<UsageLogList> {
    const { query, issues } = listQuery(params);
    assertCall('usageLogs.list', options, { params: issues });
    return this.transport.request<UsageLogList>({
      ...options,
      method: 'GET',
      path: '/v1/usage-logs',
      query,
      schema: 'usageLogList',
    });
  }

  /** Every record of the window, page after page, fetched as the loop advances. */
  iterate(params: UsageLogListParams, options: CallOptions = {}): AsyncIterable<UsageLog> {
    // Checked now, not on the first page: a bad argument throws where it was written.
    assertCall('usageLogs.iterate', options, { params: listQuery(params).issues });
    const { cursor, ...rest } = params;
    return paginate(
      (c) => this.list(c === undefined ? rest : { ...rest, cursor: c }, options),
      (page) => page.usage_logs,
      cursor,
    );
  }

  /**
   * `GET /v1/usage/summary`: usage per whole UTC day of the window (a day counts when the
   * window covers any part of it; at most 366 days), in total and per model.
   */
  async getSummary(params: TimeWindow, options: CallOptions = {}): Promise<UsageSummary> {
    const { issues, query } = isObject(params)
      ? windowIssues(params)
      : { issues: objectIssues('params', params ?? null), query: {} };
    assertCall('usageLogs.getSummary', options, { params: issues });
    return this.transport.request<UsageSummary>({
      ...options,
      method: 'GET',
      path: '/v1/usage/summary',
      query,
      schema: 'usageSummary',
    });
  }
}

/**
 * The time window of the usage and concurrency endpoints: `start_time` (inclusive) and
 * `end_time` (exclusive), ISO 8601 in UTC, the end after the start. A Date is taken too and
 * sent as its ISO string.
 */
import type { FieldIssue } from '../errors';

/** A time: an ISO 8601 string (UTC) or a Date. */
export type TimeInput = string | Date;

/** `start_time` (inclusive) and `end_time` (exclusive). */
export interface TimeWindow {
  start_time: TimeInput;
  end_time: TimeInput;
}

/** An ISO 8601 date and time with its zone (`Z` or an offset): the date, `T`, and the zone at the end. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;

/** The time as sent (an ISO string), or undefined when it is none. */
function timeOf(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (
    typeof value === 'string' &&
    ISO_DATE_TIME.test(value) &&
    ISO_ZONE.test(value) &&
    !Number.isNaN(Date.parse(value))
  )
    return value;
  return undefined;
}

/** The window's issues (empty when valid) and, when valid, its times as sent. */
export function windowIssues(params: Partial<Record<keyof TimeWindow, unknown>>): {
  issues: FieldIssue[];
  query: { start_time: string; end_time: string };
} {
  const issues: FieldIssue[] = [];
  const times = { start_time: '', end_time: '' };
  for (const field of ['start_time', 'end_time'] as const) {
    const value = params[field];
    const time = timeOf(value);
    if (value === undefined) issues.push({ field, message: 'is required' });
    else if (time === undefined)
      issues.push({
        field,
        message: 'must be an ISO 8601 time (e.g. 2026-04-28T09:00:00Z) or a Date',
      });
    else times[field] = time;
  }
  if (
    times.start_time &&
    times.end_time &&
    Date.parse(times.end_time) <= Date.parse(times.start_time)
  )
    issues.push({ field: 'end_time', message: 'must be after start_time' });
  return { issues, query: times };
}

/**
 * Client-side checks shared by resources: every problem is reported at once, field by field,
 * before any byte is sent.
 */
import { SonioxValidationError, type FieldIssue } from '../errors';
import { MAX_TIMER_MS } from '../internal/sleep';
import { checkCallOptions } from '../http/transport';
import { validate, type RequestSchemaName } from '../schemas';
import type { ListParams } from '../types';

/** The issue with a duration option (ms): a finite number from `min` to 2^31-1 (Node timers wrap longer ones to 1 ms). */
export function durationIssue(field: string, value: unknown, min = 1): FieldIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    return [{ field, message: `must be a number of ms from ${min} to ${MAX_TIMER_MS}` }];
  }
  return [];
}

/** Throws a SonioxValidationError listing every issue, if there are any. */
export function rejectIssues(what: string, issues: FieldIssue[]): void {
  if (issues.length === 0) return;
  const list = issues.map((i) => `${i.field || '(root)'} ${i.message}`).join('; ');
  throw new SonioxValidationError(`${what}: invalid parameters: ${list}`, issues);
}

/** Checks `params` against a request schema and throws on any issue. */
export function checkParams(
  what: string,
  schema: RequestSchemaName,
  params: unknown,
  extra: FieldIssue[] = [],
): void {
  const issues = validate(schema, params).map(({ field, message }) => ({ field, message }));
  rejectIssues(what, [...issues, ...extra]);
}

/** A path segment from an id: non-empty string, URL-encoded. */
export function idSegment(what: string, id: unknown, field = 'id'): string {
  if (typeof id !== 'string' || id.trim() === '')
    rejectIssues(what, [{ field, message: 'must be a non-empty string' }]);
  return encodeURIComponent(id as string);
}

/** Query of list endpoints, checked. */
export function listQuery(
  what: string,
  params: ListParams | undefined,
): { limit?: number; cursor?: string } {
  // Every key the caller gave (an unknown one is reported), less those explicitly undefined.
  const query: Record<string, unknown> = Object.fromEntries(
    Object.entries(params ?? {}).filter(([, value]) => value !== undefined),
  );
  // Past the schema check, the query holds at most a valid `limit` and `cursor`.
  checkParams(what, 'listParams', query);
  return query;
}

/** Whether `value` is a plain object argument (not null, an array, a string or a function). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Refuses an argument that is given but is not an object (`null` included: it is not "left out"). */
export function checkObjectArg(what: string, field: string, value: unknown): void {
  if (value !== undefined && !isObject(value))
    rejectIssues(what, [{ field, message: 'must be an object' }]);
}

/** The call options of any resource method: an object whose signal, timeoutMs and maxRetries are right. */
export function checkCall(what: string, options: unknown): void {
  checkObjectArg(what, 'options', options);
  checkCallOptions(what, options ?? {});
}

/** The issue with an optional callback option. */
export function functionIssue(field: string, value: unknown): FieldIssue[] {
  return value === undefined || typeof value === 'function'
    ? []
    : [{ field, message: 'must be a function' }];
}

/** The call options (signal, timeoutMs, maxRetries) out of a larger options object, undefined ones left out. */
export function callPart(options: {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}): { signal?: AbortSignal; timeoutMs?: number; maxRetries?: number } {
  const out: { signal?: AbortSignal; timeoutMs?: number; maxRetries?: number } = {};
  if (options.signal !== undefined) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.maxRetries !== undefined) out.maxRetries = options.maxRetries;
  return out;
}

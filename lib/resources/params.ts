/**
 * Client-side checks shared by resources, in the style of lib/internal/issues.ts: `…Issues`
 * collect, `assert…` throw once. Every problem is reported at once, field by field, before any
 * byte is sent.
 */
import type { FieldIssue } from '../errors';
import { callOptionIssues } from '../http/transport';
import { isObject, objectIssues, rejectGroups, type IssueGroup } from '../internal/issues';
import { validate, type RequestSchemaName } from '../schemas';
import type { ListParams } from '../types';

/** The issues of `params` against a request schema. */
export function paramIssues(schema: RequestSchemaName, params: unknown): FieldIssue[] {
  return validate(schema, params).map(({ field, message }) => ({ field, message }));
}

/**
 * The check of a method's call options (signal, timeoutMs, maxRetries): an object, and each
 * option right; worded "invalid options" as the transport words them.
 */
export function callIssueGroup(what: string, options: unknown): IssueGroup {
  if (!isObject(options)) return { what, issues: objectIssues('options', options) };
  return { what, noun: 'options', issues: callOptionIssues(options) };
}

/**
 * Throws once for every problem of a call: those of its parameters (`params`, found first), of
 * its call options, and the rest of its options (`more`).
 */
export function assertCall(
  what: string,
  options: unknown,
  found: { params?: FieldIssue[]; more?: FieldIssue[] } = {},
): void {
  rejectGroups({ what, issues: found.params ?? [] }, callIssueGroup(what, options), {
    what,
    issues: found.more ?? [],
  });
}

/** The issue of an id argument: a non-empty string. */
export function idIssues(id: unknown, field = 'id'): FieldIssue[] {
  return typeof id !== 'string' || id.trim() === ''
    ? [{ field, message: 'must be a non-empty string' }]
    : [];
}

/** A path segment from an id (checked by `idIssues`), URL-encoded. */
export function idSegment(id: string): string {
  return encodeURIComponent(id);
}

/** The issues of list parameters: an object, of known keys (`limit` 1..1000, `cursor`). */
export function listParamIssues(params: unknown): FieldIssue[] {
  if (params === undefined) return [];
  if (!isObject(params)) return objectIssues('params', params);
  return paramIssues('listParams', listQuery(params));
}

/** Query of list endpoints: every key the caller gave (an unknown one is an issue), less those explicitly undefined. */
export function listQuery(params: ListParams | Record<string, unknown> | undefined): {
  limit?: number;
  cursor?: string;
} {
  return Object.fromEntries(
    Object.entries(params ?? {}).filter(([, value]) => value !== undefined),
  );
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

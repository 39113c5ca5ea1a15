/**
 * Checks of the caller's input, in one style across lib/ (docs/design.md, "Checks"): a function
 * named `…Issues` collects every problem of its input and never throws; a function named
 * `assert…` or `reject…` throws once, with one error that names every problem collected. So a
 * call with two bad options hears of both at once, not of one per attempt.
 */
import { SonioxConfigError, SonioxValidationError, type FieldIssue } from '../errors';
import { unknownOption } from '../suggest';
import { MAX_TIMER_MS } from './sleep';

/** What one check of a call found, and how its refusal is worded: `what: invalid noun: …`. */
export interface IssueGroup {
  what: string;
  /** Default `parameters`; the call options are `options` (as the transport words them). */
  noun?: 'parameters' | 'options';
  issues: readonly FieldIssue[];
}

/**
 * Throws one SonioxValidationError naming every issue of every group, worded as the first group
 * that has one: a message that named one problem only gains the others found in the same call.
 */
export function rejectGroups(...groups: readonly IssueGroup[]): void {
  const lead = groups.find((g) => g.issues.length > 0);
  if (!lead) return;
  const issues = groups.flatMap((g) => g.issues);
  const list = issues.map((i) => `${i.field || '(root)'} ${i.message}`).join('; ');
  throw new SonioxValidationError(
    `${lead.what}: invalid ${lead.noun ?? 'parameters'}: ${list}`,
    issues,
  );
}

/** Throws a SonioxValidationError listing every issue, if there are any. */
export function rejectIssues(
  what: string,
  issues: readonly FieldIssue[],
  noun: IssueGroup['noun'] = 'parameters',
): void {
  rejectGroups({ what, noun, issues });
}

/**
 * Throws one SonioxConfigError naming every issue (each message names its option), if there are
 * any: `option` is the first one's, `issues` holds them all.
 */
export function rejectConfigIssues(issues: readonly FieldIssue[], prefix = ''): void {
  const [lead] = issues;
  if (!lead) return;
  throw new SonioxConfigError(
    lead.field,
    prefix + issues.map((i) => i.message).join('; '),
    issues.map((i) => ({ field: i.field, message: prefix + i.message })),
  );
}

/** The issues of names that are not options (a typo is otherwise ignored), each with the closest name. */
export function unknownNameIssues(options: object, known: object, prefix = ''): FieldIssue[] {
  const names = Object.keys(known);
  return Object.keys(options)
    .filter((name) => !Object.hasOwn(known, name))
    .map((name) => ({ field: prefix + name, message: unknownOption(name, names, prefix) }));
}

/** Whether `value` is a plain object argument (not null, an array, a string or a function). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The issue of an argument that is given but is not an object (`null` is not "left out"). */
export function objectIssues(field: string, value: unknown): FieldIssue[] {
  return value !== undefined && !isObject(value) ? [{ field, message: 'must be an object' }] : [];
}

/** The issue of a duration option (ms): a finite number from `min` to 2^31-1 (Node timers wrap longer ones to 1 ms). */
export function durationIssues(field: string, value: unknown, min = 1): FieldIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    return [{ field, message: `must be a number of ms from ${min} to ${MAX_TIMER_MS}` }];
  }
  return [];
}

/** The issue of an optional callback option. */
export function functionIssues(field: string, value: unknown): FieldIssue[] {
  return value === undefined || typeof value === 'function'
    ? []
    : [{ field, message: 'must be a function' }];
}

/** The issue of an optional signal option. */
export function signalIssues(field: string, value: unknown): FieldIssue[] {
  return value === undefined || value instanceof AbortSignal
    ? []
    : [{ field, message: 'must be an AbortSignal' }];
}

/** The issue of an optional boolean option. */
export function booleanIssues(field: string, value: unknown): FieldIssue[] {
  return value === undefined || typeof value === 'boolean'
    ? []
    : [{ field, message: 'must be true or false' }];
}

/**
 * Exactly-once creates. A create transcription or a file upload that fails with no answer after
 * the server may have read it (a reset, a close, a timeout) may or may not have created, and
 * billed, something. Rather than guess, the transport asks the server: every create carries a
 * `client_reference_id` (the caller's, or one made here), and the lookup pages through the newest
 * items of the list endpoint for one that matches. Found: that is the call's result. Not found:
 * the create is resent. The lookup failed or cannot decide: `SonioxOutcomeUnknownError`.
 *
 * The matching rule, and its limits (the API's list endpoints have no filter, and a
 * `client_reference_id` need not be unique):
 * - an item matches when its `client_reference_id` equals the call's, its `created_at` lies in
 *   the call's window (from `SKEW_MS` before the call was first sent to `SKEW_MS` after the
 *   lookup: server and client clocks differ), and, when the reference is the caller's own, the request's other fields equal the item's (model, audio_url
 *   and file_id of a transcription; the size of a file when known);
 * - the newest items are read first, `PAGE_SIZE` a page, until one is older than the window, at
 *   most `MAX_PAGES` pages; an account that made more items than that inside the window leaves
 *   the outcome unknown, as does more than one match (the caller reused its own reference for the
 *   same fields inside the window: the SDK cannot tell which one is this call's);
 * - with a reference the SDK made (a random UUID) a match is this call's; with the caller's own,
 *   an earlier item with the same reference and fields inside the window is taken for this call's;
 * - the lookup runs when the failure is known, so a server still working on a request that timed
 *   out may store it after the lookup found nothing: the resend can then make a second one.
 */

import type { AttemptFailure } from './retry';
import { isNotSentCode, isTransientCode } from './retry';
import { nodeCrypto } from '../internal/node-builtins';

/** Items read per list page by the lookup. */
export const PAGE_SIZE = 100;
/** Pages read at most by one lookup. */
export const MAX_PAGES = 10;
/** Clock difference allowed between client and server, in ms, on each side of the window. */
export const SKEW_MS = 5 * 60_000;

/** What a create asks the lookup to find: its reference and the fields that must match. */
export interface CreateLookup {
  /** The list endpoint, e.g. `/v1/transcriptions`. */
  listPath: '/v1/transcriptions' | '/v1/files';
  /** The key of the items in a list page. */
  listKey: 'transcriptions' | 'files';
  /** The `client_reference_id` the create is sent with. */
  reference: string;
  /** Fields of the created item that must equal these (null matches null or absent). */
  fields: Record<string, string | number | null>;
}

/** A created item as the list endpoints return it (only the fields the match reads). */
export interface ListedItem {
  client_reference_id?: string | null;
  created_at?: string;
  [field: string]: unknown;
}

/** One list page as the lookup reads it. */
export interface ListedPage {
  items: ListedItem[];
  next: string | null;
}

/** The lookup's answer: the item found, none (safe to resend), or no answer (outcome unknown). */
export type LookupResult =
  | { kind: 'found'; item: ListedItem }
  | { kind: 'absent' }
  | { kind: 'undecided'; reason: string; cause?: unknown; matches?: ListedItem[] };

/** Why an untagged create cannot be exactly-once when the SDK may not tag it. */
export const NO_REFERENCE =
  'it has no client_reference_id to look it up by (autoClientReferenceId is false): give it your own to make it exactly-once';

/** A reference for a create that has none: unique, so a match can only be this call's. */
export function newReference(): string {
  return `sdk-${nodeCrypto().randomUUID()}`;
}

/**
 * The lookup of a create sent with `callerReference` (or, when the caller gave none, a reference
 * made here). A reference the SDK made is unique, so it matches alone: no field the server may
 * normalise (a model alias, a URL) can hide the item. The caller's own also needs `fields`.
 */
export function createLookup(
  kind: 'transcriptions' | 'files',
  callerReference: string | null | undefined,
  fields: CreateLookup['fields'],
): CreateLookup {
  const own = callerReference === undefined || callerReference === null;
  return {
    listPath: kind === 'transcriptions' ? '/v1/transcriptions' : '/v1/files',
    listKey: kind,
    reference: own ? newReference() : callerReference,
    fields: own ? {} : fields,
  };
}

/**
 * Whether a failed create may have taken effect on the server, so that only the lookup can say:
 * a POST with no HTTP answer, failed by a network error after it left (not one that never
 * reached the server, nor one cut before its last byte, which the retry policy resends as is).
 */
export function mayHaveActed(f: AttemptFailure): boolean {
  if (f.method.toUpperCase() !== 'POST' || f.status !== undefined) return false;
  if (f.errorCode === undefined || !isTransientCode(f.errorCode) || isNotSentCode(f.errorCode))
    return false;
  return f.requestFullySent !== false;
}

/** Whether `item` is the one the create made (see the matching rule above). */
export function matches(
  item: ListedItem,
  lookup: CreateLookup,
  window: { from: number; to: number },
): boolean {
  if (item.client_reference_id !== lookup.reference) return false;
  for (const [field, value] of Object.entries(lookup.fields)) {
    if ((item[field] ?? null) !== value) return false;
  }
  const created = Date.parse(item.created_at ?? '');
  return created >= window.from && created <= window.to;
}

/**
 * Pages through the newest items (`listPage(cursor)`) for the create described by `lookup`,
 * first sent at `sentAt` (ms since the epoch). A failing `listPage` rejects: the caller reports
 * the outcome as unknown.
 */
export async function findCreated(
  listPage: (cursor: string | undefined) => Promise<ListedPage>,
  lookup: CreateLookup,
  sentAt: number,
  now: () => number = Date.now,
): Promise<LookupResult> {
  const window = { from: sentAt - SKEW_MS, to: now() + SKEW_MS };
  const found: ListedItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { items, next } = await listPage(cursor);
    found.push(...items.filter((item) => matches(item, lookup, window)));
    // Newest first: once an item is older than the window, no later page can hold a match.
    const passed = items.some((item) => Date.parse(item.created_at ?? '') < window.from);
    if (passed || next === null) return decide(found);
    cursor = next;
  }
  return {
    kind: 'undecided',
    reason: `more than ${PAGE_SIZE * MAX_PAGES} items were created in the window`,
  };
}

function decide(found: ListedItem[]): LookupResult {
  const [first, ...rest] = found;
  if (first === undefined) return { kind: 'absent' };
  if (rest.length > 0)
    return {
      kind: 'undecided',
      reason: `${found.length} items match the reference`,
      matches: found,
    };
  return { kind: 'found', item: first };
}

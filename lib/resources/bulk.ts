/**
 * Bulk delete: the account's quotas (1,000 files, 2,000 transcriptions) fill up on a long-running
 * service unless something deletes; `files.deleteAll` / `transcriptions.deleteAll` do it with
 * filters, bounded concurrency, progress and a dry run.
 */
import type { CallOptions } from '../http/transport';
import { SonioxAbortError, type FieldIssue, type SonioxError } from '../errors';
import { booleanIssues, durationIssues, functionIssues } from '../internal/issues';
import { assertCall } from './params';

/** Progress of a bulk delete: counts so far; `done` on the last call. */
export interface BulkDeleteProgress {
  /** Items that passed the filters (all known once listing is over). */
  matched: number;
  deleted: number;
  failed: number;
  /** The id just deleted (or that failed); absent on the last call. */
  id?: string;
  done: boolean;
}

/** Options of `files.deleteAll` (and the base of `transcriptions.deleteAll`). */
export interface BulkDeleteOptions extends CallOptions {
  /** Only items created more than this many ms ago. */
  olderThanMs?: number;
  /** Only items with this `client_reference_id`. */
  clientReferenceId?: string;
  /** Deletions in flight at once (1..32, default 4). */
  concurrency?: number;
  /** List what would be deleted without deleting anything. */
  dryRun?: boolean;
  /** Called after each deletion and once at the end. */
  onProgress?: (progress: BulkDeleteProgress) => void;
}

/** What a bulk delete did. */
export interface BulkDeleteResult {
  /** Items that passed the filters. */
  matched: number;
  /** Ids deleted (with `dryRun`: ids that would be). */
  deleted: string[];
  /** Items whose DELETE failed, with the error (e.g. 409 for a transcription still processing). */
  failed: Array<{ id: string; error: SonioxError }>;
  dryRun: boolean;
}

/** What the filters look at. */
export interface Deletable {
  id: string;
  created_at: string;
  client_reference_id?: string | null;
  status?: string;
}

const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

/** Throws once, naming every bad option (call options first), before the first list request. */
export function assertBulkOptions(what: string, options: unknown, extra: FieldIssue[] = []): void {
  const o = (options ?? {}) as Record<string, unknown>;
  const c = o.concurrency;
  assertCall(what, options, {
    more: [
      ...durationIssues('olderThanMs', o.olderThanMs, 0),
      ...(o.clientReferenceId !== undefined && typeof o.clientReferenceId !== 'string'
        ? [{ field: 'clientReferenceId', message: 'must be a string' }]
        : []),
      ...(c !== undefined &&
      (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > MAX_CONCURRENCY)
        ? [{ field: 'concurrency', message: `must be an integer from 1 to ${MAX_CONCURRENCY}` }]
        : []),
      ...booleanIssues('dryRun', o.dryRun),
      ...functionIssues('onProgress', o.onProgress),
      ...extra,
    ],
  });
}

/**
 * Lists every item first, then deletes the matching ones: deleting while paging would shift
 * the pages under the cursor and skip items. The list is at most the quota (a few thousand ids).
 */
export async function bulkDelete<T extends Deletable>(
  items: AsyncIterable<T>,
  matches: (item: T) => boolean,
  remove: (id: string) => Promise<void>,
  options: BulkDeleteOptions,
): Promise<BulkDeleteResult> {
  const cutoff = options.olderThanMs === undefined ? undefined : Date.now() - options.olderThanMs;
  const ids: string[] = [];
  for await (const item of items) {
    if (cutoff !== undefined && !(Date.parse(item.created_at) < cutoff)) continue;
    if (
      options.clientReferenceId !== undefined &&
      item.client_reference_id !== options.clientReferenceId
    )
      continue;
    if (matches(item)) ids.push(item.id);
  }
  const result: BulkDeleteResult = {
    matched: ids.length,
    deleted: [],
    failed: [],
    dryRun: options.dryRun === true,
  };
  const progress = (id?: string) =>
    options.onProgress?.({
      matched: ids.length,
      deleted: result.deleted.length,
      failed: result.failed.length,
      done: id === undefined,
      ...(id === undefined ? {} : { id }),
    });
  if (result.dryRun) {
    result.deleted = ids;
    progress();
    return result;
  }
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      if (options.signal?.aborted) throw new SonioxAbortError('deleteAll: aborted');
      try {
        await remove(id);
        result.deleted.push(id);
      } catch (error) {
        // The caller's abort ends the whole run; any other failure is this item's.
        if (options.signal?.aborted) throw error;
        result.failed.push({ id, error: error as SonioxError });
      }
      progress(id);
    }
  };
  const workers = Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, ids.length);
  await Promise.all(Array.from({ length: workers }, worker));
  progress();
  return result;
}

/** A status filter: one status or a list. */
export function statusIssues(status: unknown): FieldIssue[] {
  const ok =
    status === undefined ||
    (typeof status === 'string' && status !== '') ||
    (Array.isArray(status) && status.length > 0 && status.every((s) => typeof s === 'string'));
  return ok ? [] : [{ field: 'status', message: 'must be a status or a list of statuses' }];
}

/**
 * Which account quota an API answer says is full, read once where API errors are made.
 *
 * The API documents the quotas (docs/api.md §4-§5: uploaded files, total file storage, pending
 * transcriptions, total transcriptions) and that going over one is "an error", but not which
 * status, `error_type` or message (§3, §12). What it does document: `limit_exceeded` (429) is
 * "a per-minute request rate or other capacity limit" whose message says which limit was hit,
 * and a bad request is 400 `invalid_request`. So a quota answer is one of those two, to one of
 * the two creates, whose message names the limit as the limits page names it. The names are
 * matched as words, not as sentences: the wording is undocumented and may change, the name of
 * the limit is what the API promises to say. Nowhere else does an API message decide anything.
 */

/** An account quota: stored files, storage bytes, transcriptions kept, transcriptions pending. */
export type SonioxQuota = 'files' | 'storage' | 'transcriptions' | 'pending_transcriptions';

/** What a quota answer is recognised by; all of it from the API's answer and the call. */
export interface QuotaAnswerFacts {
  method: string;
  path: string;
  status: number;
  errorType: string | undefined;
  /** The API's own `message` (not the SDK's message line). */
  apiMessage: string | undefined;
}

/** The status and `error_type` pairs a quota can be answered with (docs/api.md §3). */
const QUOTA_ANSWERS: ReadonlyArray<readonly [number, string | undefined]> = [
  [429, 'limit_exceeded'],
  [400, 'invalid_request'],
];

/** Words that say a limit was met, without which a message names a thing, not its limit. */
const LIMIT_WORDS = /\b(limit|quota|maximum|max|too many|exceeded|reached)\b/i;
/** A rate (requests per minute) is a rate limit, not a quota: it clears by itself. */
const RATE_WORDS = /\bper (second|minute|hour)\b|\brate\b/i;

interface QuotaRow {
  quota: SonioxQuota;
  /** The create that meets this quota. */
  route: 'POST /v1/files' | 'POST /v1/transcriptions';
  /** The limit's name, as the limits page names it. First match wins: the narrower first. */
  names: RegExp;
  /** How to get under it. */
  hint: string;
}

const FILES_HINT =
  'delete files you no longer need, files.deleteAll() (filter with olderThanMs) or `soniox files rm --all --older-than 7d`';

/** The one table: route and limit name to quota and hint. */
const QUOTAS: readonly QuotaRow[] = [
  {
    quota: 'storage',
    route: 'POST /v1/files',
    names: /\bstorage\b/i,
    hint: `storage quota: ${FILES_HINT}`,
  },
  {
    quota: 'files',
    route: 'POST /v1/files',
    names: /\bfiles\b/i,
    hint: `files quota: ${FILES_HINT}`,
  },
  {
    quota: 'pending_transcriptions',
    route: 'POST /v1/transcriptions',
    names: /\bpending\b/i,
    hint: 'pending transcriptions quota: wait for queued and processing transcriptions to finish before creating more',
  },
  {
    quota: 'transcriptions',
    route: 'POST /v1/transcriptions',
    names: /\btranscriptions\b/i,
    hint: 'transcriptions quota: delete transcriptions you no longer need, transcriptions.deleteAll() (filter with olderThanMs or status) or `soniox transcriptions rm --all --older-than 7d`',
  },
];

/** The quota an API answer says is full, if it is a quota answer. */
export function quotaOf(facts: QuotaAnswerFacts): SonioxQuota | undefined {
  const message = facts.apiMessage ?? '';
  const answered = QUOTA_ANSWERS.some(
    ([status, type]) => status === facts.status && type === facts.errorType,
  );
  if (!answered || !LIMIT_WORDS.test(message) || RATE_WORDS.test(message)) return undefined;
  const route = `${facts.method.toUpperCase()} ${facts.path}`;
  return QUOTAS.find((row) => row.route === route && row.names.test(message))?.quota;
}

/** How to free `quota`. */
export function quotaHint(quota: SonioxQuota): string {
  // Every quota has its row: the table is the type's one source.
  return (QUOTAS.find((row) => row.quota === quota) as QuotaRow).hint;
}

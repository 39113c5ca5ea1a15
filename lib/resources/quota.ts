/**
 * Quota errors, explained. The API caps an account at 1,000 files, 10 GB of storage, 2,000
 * transcriptions and 100 pending ones; its answer names the limit but not how to get under it.
 * The status and type of these answers are not documented, so they are recognised by their
 * message, and only ever get a hint added: nothing else about the error changes.
 */
import { SonioxAPIError, type SonioxQuota } from '../errors';

const QUOTAS: Array<{ quota: SonioxQuota; pattern: RegExp; hint: string }> = [
  {
    quota: 'pending_transcriptions',
    pattern: /pending transcriptions/i,
    hint: 'pending transcriptions quota: wait for queued and processing transcriptions to finish before creating more',
  },
  {
    quota: 'transcriptions',
    pattern: /(maximum|too many) (number of )?transcriptions/i,
    hint: 'transcriptions quota: delete transcriptions you no longer need, transcriptions.deleteAll() (filter with olderThanMs or status) or `soniox transcriptions rm --all --older-than 7d`',
  },
  {
    quota: 'files',
    pattern: /(maximum|too many) (number of )?files/i,
    hint: 'files quota: delete files you no longer need, files.deleteAll() (filter with olderThanMs) or `soniox files rm --all --older-than 7d`',
  },
  {
    quota: 'storage',
    pattern: /storage (limit|quota)/i,
    hint: 'storage quota: delete files you no longer need, files.deleteAll() (filter with olderThanMs) or `soniox files rm --all --older-than 7d`',
  },
];

/** Rethrows `error`, with the quota named and a way to free it when it is a quota error. */
export function rethrowWithQuotaHint(error: unknown): never {
  if (error instanceof SonioxAPIError && error.quota === undefined) {
    const match = QUOTAS.find((q) => q.pattern.test(error.message));
    if (match) {
      error.quota = match.quota;
      error.message = `${error.message} (${match.hint})`;
    }
  }
  throw error;
}

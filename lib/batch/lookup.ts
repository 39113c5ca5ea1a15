/**
 * Finding what an earlier run, or a request of this one that was cut off, may have created, by
 * the input's client reference: the transport's own exactly-once lookup (lib/http/exactly-once.ts:
 * newest first, a bounded number of pages, from the time the request was sent) over the
 * resources' list calls.
 */
import { SonioxOutcomeUnknownError } from '../errors';
import {
  PAGE_SIZE,
  createLookup,
  findCreated,
  type ListedItem,
  type ListedPage,
} from '../http/exactly-once';
import type { Files } from '../resources/files';
import type { Transcriptions } from '../resources/transcriptions';
import type { SonioxFile, Transcription } from '../types';

/**
 * The item with `reference` created from `sentAt` on (ms since the epoch; undefined, from a
 * journal that did not date it: any time, as far as the lookup's pages reach). Several match:
 * a batch reference names the content, so each transcribes this input; the newest is taken.
 * Rejects with SonioxOutcomeUnknownError when the pages run out before an answer.
 */
async function find<T>(
  kind: 'transcriptions' | 'files',
  reference: string,
  sentAt: number | undefined,
  list: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null | undefined }>,
): Promise<T | undefined> {
  const listPage = async (cursor: string | undefined): Promise<ListedPage> => {
    const { items, next } = await list(cursor);
    return { items: items as unknown as ListedItem[], next: next ?? null };
  };
  const result = await findCreated(listPage, createLookup(kind, reference, {}), sentAt ?? 0);
  if (result.kind === 'found') return result.item as unknown as T;
  if (result.kind === 'absent') return undefined;
  const [newest] = result.matches ?? [];
  if (newest) return newest as unknown as T;
  throw new SonioxOutcomeUnknownError(
    `transcribeMany: whether ${reference} was created is unknown: ${result.reason}`,
    reference,
  );
}

/** The transcription an earlier request made for `reference`, if any (see `find`). */
export function findTranscriptionByReference(
  transcriptions: Transcriptions,
  reference: string,
  sentAt: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Transcription | undefined> {
  return find('transcriptions', reference, sentAt, (cursor) =>
    transcriptions
      .list({ limit: PAGE_SIZE, cursor }, { signal })
      .then((page) => ({ items: page.transcriptions, next: page.next_page_cursor })),
  );
}

/** The stored file an earlier upload made for `reference`, if any (see `find`). */
export function findFileByReference(
  files: Files,
  reference: string,
  sentAt: number | undefined,
  signal: AbortSignal | undefined,
): Promise<SonioxFile | undefined> {
  return find('files', reference, sentAt, (cursor) =>
    files
      .list({ limit: PAGE_SIZE, cursor }, { signal })
      .then((page) => ({ items: page.files, next: page.next_page_cursor })),
  );
}

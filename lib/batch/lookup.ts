/**
 * Finding what an earlier run may have created, by its client reference. Kept to two small
 * functions so they can later share the transport's own lookup of ambiguous creates.
 */
import type { Files } from '../resources/files';
import type { Transcriptions } from '../resources/transcriptions';
import type { SonioxFile, Transcription } from '../types';

/** The newest transcription whose `client_reference_id` is `reference`, paging through the list. */
export async function findTranscriptionByReference(
  transcriptions: Transcriptions,
  reference: string,
  signal: AbortSignal | undefined,
): Promise<Transcription | undefined> {
  for await (const t of transcriptions.iterate({}, { signal })) {
    if (t.client_reference_id === reference) return t;
  }
  return undefined;
}

/** The newest stored file whose `client_reference_id` is `reference`, paging through the list. */
export async function findFileByReference(
  files: Files,
  reference: string,
  signal: AbortSignal | undefined,
): Promise<SonioxFile | undefined> {
  for await (const f of files.iterate({}, { signal })) {
    if (f.client_reference_id === reference) return f;
  }
  return undefined;
}

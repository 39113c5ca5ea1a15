/**
 * Deleting what a command created (a file, a transcription), after it finished, failed or was
 * interrupted. Bounded, and stopped by a second Ctrl-C; whatever could not be deleted is named
 * on stderr with the command that deletes it.
 */
import type { SonioxClient } from '../client';
import { SonioxConflictError, SonioxNotFoundError } from '../errors';
import { describe, type Context } from './context';

/** Ids a command created. */
export interface Created {
  file?: string;
  transcription?: string;
}

const BOUNDED = { timeoutMs: 10_000, maxRetries: 1 };
/** How long cleanup waits for a transcription to leave `processing` (it cannot be deleted before). */
export const PROCESSING_WAIT_MS = 120_000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function deleteTranscription(
  ctx: Context,
  client: SonioxClient,
  id: string,
  pollMs: number,
): Promise<void> {
  const signal = ctx.cleanupSignal;
  const deadline = Date.now() + PROCESSING_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      await client.transcriptions.delete(id, { ...BOUNDED, signal });
      return;
    } catch (e) {
      if (e instanceof SonioxNotFoundError) return;
      // 409 while processing: it can be deleted once done.
      if (!(e instanceof SonioxConflictError) || signal.aborted || Date.now() > deadline) throw e;
      if (!told && ctx.chatty)
        ctx.note(
          `waiting for transcription ${id} to finish processing before deleting it (Ctrl-C again to leave it)`,
        );
      told = true;
      await pause(pollMs, signal);
      if (signal.aborted) throw e;
    }
  }
}

/**
 * Deletes `created` (the transcription first: that deletes its file too) unless `keep`.
 * Returns whether everything is gone (or kept on purpose).
 */
export async function cleanUp(
  ctx: Context,
  client: SonioxClient,
  created: Created,
  keep: boolean,
  pollMs = 500,
): Promise<boolean> {
  if (!created.file && !created.transcription) return true;
  if (keep) {
    // On stderr whatever stdout and stderr are: the ids are the only way to find them again.
    const kept = [
      created.file && `file ${created.file}`,
      created.transcription && `transcription ${created.transcription}`,
    ].filter(Boolean);
    ctx.note(`kept ${kept.join(' and ')} (--keep)`);
    return true;
  }
  const left: string[] = [];
  if (created.transcription) {
    try {
      await deleteTranscription(ctx, client, created.transcription, pollMs);
      ctx.debug(`deleted transcription ${created.transcription}`);
    } catch (e) {
      ctx.note(`could not delete transcription ${created.transcription}: ${describe(e)}`);
      left.push(
        `transcription ${created.transcription} (soniox transcriptions rm ${created.transcription})`,
      );
    }
  }
  if (created.file) {
    try {
      await client.files.delete(created.file, { ...BOUNDED, signal: ctx.cleanupSignal });
      ctx.debug(`deleted file ${created.file}`);
    } catch (e) {
      if (!(e instanceof SonioxNotFoundError)) {
        ctx.note(`could not delete file ${created.file}: ${describe(e)}`);
        left.push(`file ${created.file} (soniox files rm ${created.file})`);
      }
    }
  }
  if (left.length) ctx.note(`left behind: ${left.join(', ')}`);
  return left.length === 0;
}

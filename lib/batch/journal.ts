/**
 * The batch journal: one JSON line per state change of an input, appended and fsync'd before
 * the batch acts on it, so a batch stopped at any point (Ctrl-C, SIGKILL, a crash) knows on its
 * next run what each input had reached:
 *
 *   started -> uploaded{file_id} -> creating -> created{transcription_id} -> done | failed
 *   done{cleanup} | failed{cleanup} -> cleaned
 *
 * `creating` is written before the create request is sent: an input left there may or may not
 * have a transcription on the server, and is looked up by its client reference before anything
 * is created again. `done` and `failed` say `cleanup: true` when the input's server objects are
 * about to be deleted, and `cleaned` follows once they are: an input stopped in between still
 * owes its cleanup, which the next run does.
 *
 * `kept` says the caller could not save a delivered result (`keepForNextRun()`): its
 * transcription stays on the server, and the next run fetches it again without creating one.
 *
 * One run at a time: the journal is locked while open (lock.ts). A write that fails (a full
 * disk) is a SonioxJournalError, and the journal takes no more writes: the batch stops.
 */
import fs from 'node:fs';
import { SonioxJournalError } from '../errors';
import { HashTable } from './hash-table';
import { JournalLock } from './lock';

/**
 * A state change, as written (one line each). `at` (ms since the epoch) dates the request a
 * `started` or `creating` announces: a later run looks for what it made from then on.
 */
export type JournalRecord =
  | { event: 'started'; hash: string; at?: number }
  | { event: 'uploaded'; hash: string; file_id: string }
  | { event: 'creating'; hash: string; at?: number }
  | { event: 'created'; hash: string; transcription_id: string }
  | { event: 'done'; hash: string; transcription_id: string; cleanup?: true }
  | { event: 'kept'; hash: string; transcription_id: string; file_id?: string }
  | { event: 'failed'; hash: string; code: string; cleanup?: true }
  | { event: 'cleaned'; hash: string };

/** What the journal knows about one input: the last state and the ids seen on the way. */
export interface JournalEntry {
  event: JournalRecord['event'];
  fileId: string | undefined;
  transcriptionId: string | undefined;
  /** When the last `started` or `creating` was written, if the journal says. */
  sentAt?: number;
  /**
   * A finished input (`done` or `failed`) whose cleanup was announced but never recorded as
   * done: its `fileId` and `transcriptionId` may still be on the server.
   */
  cleanupOwed?: true;
}

const EVENTS = new Set([
  'started',
  'uploaded',
  'creating',
  'created',
  'done',
  'kept',
  'failed',
  'cleaned',
]);
/** Bytes read at a time when a journal is opened: a long journal is never held whole. */
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * What a journal holds in memory. Finished inputs, the bulk of a long batch, sit in compact
 * tables (hash to transcription id); full entries are kept only for the inputs caught half-way
 * or between their end and its cleanup, at most the concurrency of each run that was stopped.
 */
class JournalIndex {
  private readonly open = new Map<string, JournalEntry>();
  private readonly done = new HashTable();
  private readonly failed = new HashTable();

  get(hash: string): JournalEntry | undefined {
    const entry = this.open.get(hash);
    if (entry) return entry;
    const id = this.done.get(hash);
    if (id !== undefined)
      return { event: 'done', fileId: undefined, transcriptionId: id ?? undefined };
    if (this.failed.has(hash))
      return { event: 'failed', fileId: undefined, transcriptionId: undefined };
    return undefined;
  }

  /** Folds one parsed line in; ignores what is not a record. */
  fold(value: unknown): void {
    if (value === null || typeof value !== 'object') return;
    const record = value as Partial<Record<string, unknown>>;
    const { event, hash } = record;
    if (typeof event !== 'string' || !EVENTS.has(event) || typeof hash !== 'string') return;
    const before = this.get(hash);
    if (event === 'cleaned') {
      // Only an end that owed a cleanup is settled by one.
      if (!before?.cleanupOwed) return;
      this.open.delete(hash);
      if (before.event === 'done') return this.done.set(hash, before.transcriptionId);
      return this.failed.set(hash);
    }
    const transcriptionId =
      typeof record.transcription_id === 'string'
        ? record.transcription_id
        : before?.transcriptionId;
    this.open.delete(hash);
    this.done.delete(hash);
    this.failed.delete(hash);
    const owed = record.cleanup === true && (event === 'done' || event === 'failed');
    // A failed input starts afresh on the next run: the ids of the failed attempt were cleaned up.
    if (event === 'failed' && !owed) return this.failed.set(hash);
    if (event === 'done' && !owed) return this.done.set(hash, transcriptionId);
    const entry: JournalEntry = {
      event: event as JournalRecord['event'],
      fileId: typeof record.file_id === 'string' ? record.file_id : before?.fileId,
      transcriptionId,
    };
    const at = typeof record.at === 'number' ? record.at : before?.sentAt;
    if (at !== undefined) entry.sentAt = at;
    if (owed) entry.cleanupOwed = true;
    this.open.set(hash, entry);
  }
}

/** Calls `onLine` with each line of the file open at `fd`; says whether it ends mid-line. */
function readLines(fd: number, onLine: (line: string) => void): { torn: boolean } {
  const chunk = Buffer.alloc(CHUNK);
  /** The start of a line cut by the previous read (a copy: `chunk` is read into again). */
  let rest: Buffer | undefined;
  for (let position = 0; ;) {
    const read = fs.readSync(fd, chunk, 0, CHUNK, position);
    if (read === 0) break;
    position += read;
    let start = 0;
    // Split on bytes, decoded a line at a time: a character is never cut in two.
    for (let end = chunk.indexOf(NEWLINE, 0); end >= 0 && end < read;) {
      onLine(
        rest
          ? Buffer.concat([rest, chunk.subarray(0, end)]).toString('utf8')
          : chunk.toString('utf8', start, end),
      );
      rest = undefined;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < read) {
      const tail = chunk.subarray(start, read);
      rest = rest ? Buffer.concat([rest, tail]) : Buffer.from(tail);
    }
  }
  if (rest) onLine(rest.toString('utf8'));
  return { torn: rest !== undefined };
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A file-system failure on the journal, as the batch's typed error. */
function journalError(file: string, verb: string, error: unknown): SonioxJournalError {
  const detail = error instanceof Error ? error.message : String(error);
  return new SonioxJournalError(
    `transcribeMany: cannot ${verb} the journal ${file}: ${detail}`,
    file,
    {
      errno: errnoOf(error),
      cause: error,
    },
  );
}

/** An open journal file. */
export class Journal {
  private closed = false;
  /** The first write that failed: the journal takes no more (a torn line may end it). */
  private failure: SonioxJournalError | undefined;

  private constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly index: JournalIndex,
    private readonly lock: JournalLock,
  ) {}

  /**
   * Opens (or creates) the journal at `file`, locked for this run, and reads what it holds. A
   * last line cut off by a crash mid-write is ignored: the state change it was recording had
   * not happened yet. Throws SonioxJournalLockedError when another run holds it, and
   * SonioxJournalError when it cannot be opened or read.
   */
  static open(file: string): Journal {
    const lock = JournalLock.acquire(file);
    const index = new JournalIndex();
    let fd: number;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the journal path is the caller's
      fd = fs.openSync(file, 'a+');
    } catch (error) {
      lock.release();
      throw journalError(file, 'open', error);
    }
    try {
      const { torn } = readLines(fd, (line) => {
        if (line.trim() === '') return;
        try {
          index.fold(JSON.parse(line));
        } catch {
          // A torn line (crash mid-write): nothing was acted on after it.
        }
      });
      // A torn last line would glue itself to the next record: start on a fresh line.
      if (torn) fs.writeSync(fd, '\n');
    } catch (error) {
      fs.closeSync(fd);
      lock.release();
      throw journalError(file, 'read', error);
    }
    return new Journal(file, fd, index, lock);
  }

  /** The first write that failed, if one did: the batch stops on it. */
  get failed(): SonioxJournalError | undefined {
    return this.failure;
  }

  /** What the journal knows about `hash`, if anything. */
  get(hash: string): JournalEntry | undefined {
    return this.index.get(hash);
  }

  /**
   * Appends a record and fsyncs it before returning. Synchronous on purpose: the line is on
   * disk before the batch sends the request it announces, and lines never interleave. Throws
   * SonioxJournalError when the record could not be written (then and on every later write):
   * what it announces must not be done.
   */
  write(record: JournalRecord): void {
    if (this.failure) throw this.failure;
    try {
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      // A write may be short (the disk filled up, a file size limit reached) without failing:
      // the rest is written, which fails with the reason. A torn line is read as not written.
      for (let at = 0; at < line.length;) at += fs.writeSync(this.fd, line, at);
      fs.fsyncSync(this.fd);
    } catch (error) {
      this.failure = journalError(this.file, 'write', error);
      throw this.failure;
    }
    this.index.fold(record);
  }

  /**
   * Closes the file and releases the lock; idempotent (a descriptor closed twice could be
   * another file's by then).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } finally {
      this.lock.release();
    }
  }
}

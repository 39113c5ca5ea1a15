/**
 * The batch journal: one JSON line per state change of an input, appended and fsync'd before
 * the batch acts on it, so a batch stopped at any point (Ctrl-C, SIGKILL, a crash) knows on its
 * next run what each input had reached:
 *
 *   started -> uploaded{file_id} -> creating -> created{transcription_id} -> done | failed
 *
 * `creating` is written before the create request is sent: an input left there may or may not
 * have a transcription on the server, and is looked up by its client reference before anything
 * is created again.
 */
import fs from 'node:fs';

/** A state change, as written (one line each). */
export type JournalRecord =
  | { event: 'started'; hash: string }
  | { event: 'uploaded'; hash: string; file_id: string }
  | { event: 'creating'; hash: string }
  | { event: 'created'; hash: string; transcription_id: string }
  | { event: 'done'; hash: string; transcription_id: string }
  | { event: 'failed'; hash: string; code: string };

/** What the journal knows about one input: the last state and the ids seen on the way. */
export interface JournalEntry {
  event: JournalRecord['event'];
  fileId: string | undefined;
  transcriptionId: string | undefined;
}

const EVENTS = new Set(['started', 'uploaded', 'creating', 'created', 'done', 'failed']);

/** Folds one parsed line into the entries; ignores what is not a record. */
function fold(entries: Map<string, JournalEntry>, value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const record = value as Partial<Record<string, unknown>>;
  const { event, hash } = record;
  if (typeof event !== 'string' || !EVENTS.has(event) || typeof hash !== 'string') return;
  const before = entries.get(hash);
  const fileId = typeof record.file_id === 'string' ? record.file_id : before?.fileId;
  const transcriptionId =
    typeof record.transcription_id === 'string' ? record.transcription_id : before?.transcriptionId;
  // A failed input starts afresh on the next run: the ids of the failed attempt were cleaned up.
  entries.set(
    hash,
    event === 'failed'
      ? { event: 'failed', fileId: undefined, transcriptionId: undefined }
      : { event: event as JournalRecord['event'], fileId, transcriptionId },
  );
}

/** An open journal file. */
export class Journal {
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly entries: Map<string, JournalEntry>,
  ) {}

  /**
   * Opens (or creates) the journal at `file` and reads what it holds. A last line cut off by a
   * crash mid-write is ignored: the state change it was recording had not happened yet.
   */
  static open(file: string): Journal {
    const entries = new Map<string, JournalEntry>();
    let text = '';
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the journal path is the caller's
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        fold(entries, JSON.parse(line));
      } catch {
        // A torn line (crash mid-write): nothing was acted on after it.
      }
    }
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the journal path is the caller's
    const fd = fs.openSync(file, 'a');
    // A torn last line would glue itself to the next record: start on a fresh line.
    if (text !== '' && !text.endsWith('\n')) fs.writeSync(fd, '\n');
    return new Journal(fd, entries);
  }

  /** What the journal knows about `hash`, if anything. */
  get(hash: string): JournalEntry | undefined {
    return this.entries.get(hash);
  }

  /**
   * Appends a record and fsyncs it before returning. Synchronous on purpose: the line is on
   * disk before the batch sends the request it announces, and lines never interleave.
   */
  write(record: JournalRecord): void {
    fs.writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(this.fd);
    fold(this.entries, record);
  }

  /** Closes the file; idempotent (a descriptor closed twice could be another file's by then). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/**
 * The public shapes of `client.transcribeMany`: its sources, options, per-input results and
 * progress figures.
 */
import type { SonioxError } from '../errors';
import type { CreateTranscriptionParams, Transcript } from '../types';

/**
 * One input of a batch: a path, a Buffer / Uint8Array, or a public URL. Streams are not taken:
 * an input is identified by the hash of its content, and a stream cannot be read twice.
 */
export type BatchSource = string | Buffer | Uint8Array | { audio_url: string };

/** Options of `client.transcribeMany`: the create parameters plus the batch's own. */
export interface TranscribeManyOptions extends Omit<
  CreateTranscriptionParams,
  'audio_url' | 'file_id' | 'client_reference_id'
> {
  /** Inputs worked on at once (1..100, default 4). The next input is pulled only when one ends. */
  concurrency?: number | undefined;
  /**
   * Path of a JSONL journal (created if missing). With it, a batch stopped at any point and run
   * again with the same inputs transcribes each input exactly once overall.
   */
  journal?: string | undefined;
  /** Stops pulling inputs and aborts the work in flight; the iteration rejects with SonioxAbortError. */
  signal?: AbortSignal | undefined;
  /** Called whenever a figure changes. */
  onProgress?: ((progress: BatchProgress) => void) | undefined;
  /** Number of inputs, when known, for `progress.etaMs` (an array's length is used by default). */
  total?: number | undefined;
  /**
   * Delete each input's transcription and uploaded file once its result has been taken
   * (default true), or when it failed. `false` keeps them.
   */
  cleanup?: boolean | undefined;
  /** First wait after a quota answer, in ms (default 1 000); doubles up to `maxQuotaWaitMs`. */
  quotaWaitMs?: number | undefined;
  /** Longest single quota wait, in ms (default 30 000). A `Retry-After` is honoured up to it. */
  maxQuotaWaitMs?: number | undefined;
  /** Longest time one input may spend waiting on quotas before it fails, in ms (default 3 600 000). */
  quotaTimeoutMs?: number | undefined;
  /** Deadline of each transcription's wait, in ms (default one hour). */
  timeoutMs?: number | undefined;
  /** First poll interval of each wait, in ms (default 1 000). */
  pollIntervalMs?: number | undefined;
  /** Longest poll interval of each wait, in ms (default 10 000). */
  maxPollIntervalMs?: number | undefined;
}

/** What every result says about its input. */
interface ResultBase<S> {
  /** The input as given. */
  input: S;
  /** Its position in the input sequence (0-based). */
  index: number;
}

/** An input transcribed in this run. */
export interface BatchDone<S> extends ResultBase<S> {
  status: 'done';
  ok: true;
  /** sha256 of the content (of the URL for `audio_url`), hex. */
  hash: string;
  transcriptionId: string;
  transcript: Transcript;
  /** Audio duration in ms, when the API said. */
  audioDurationMs: number | undefined;
  /**
   * Call it, before asking for the next result, when you could not save this one (a full disk):
   * the input is not journaled done, its transcription (and file) are not deleted, and the
   * next run with the journal fetches the transcript again without transcribing it again.
   * Without a journal, the transcription is kept on the server (`transcriptionId`). Not
   * enumerable: the result stays plain data.
   */
  keepForNextRun(): void;
}

/**
 * An input not transcribed again: the journal has it done in an earlier run (`journaled`), or an
 * earlier input of this run has the same content (`duplicate`). Its transcript is not fetched
 * again: the earlier run's result was delivered then (and its transcription deleted, unless
 * `cleanup` was false).
 */
export interface BatchSkipped<S> extends ResultBase<S> {
  status: 'skipped';
  ok: true;
  hash: string;
  reason: 'journaled' | 'duplicate';
  /** The transcription of the earlier run, when the journal knows it. */
  transcriptionId: string | undefined;
}

/** An input that failed; the other inputs went on. */
export interface BatchFailed<S> extends ResultBase<S> {
  status: 'failed';
  ok: false;
  /** Undefined when the input could not even be read. */
  hash: string | undefined;
  error: SonioxError;
}

/** One result per input, in completion order. */
export type BatchResult<S> = BatchDone<S> | BatchSkipped<S> | BatchFailed<S>;

/** Figures of a running batch. */
export interface BatchProgress {
  /** Inputs pulled from the source so far. */
  started: number;
  /** Inputs transcribed in this run. */
  done: number;
  /** Inputs skipped (journaled or duplicate). */
  skipped: number;
  failed: number;
  /** Inputs pulled and not finished yet. */
  inFlight: number;
  /** The number of inputs when known (`total`, or the array's length). */
  total: number | undefined;
  /** File bytes uploaded in this run. */
  bytesUploaded: number;
  /** Hours of audio transcribed in this run. */
  audioHours: number;
  /** Quota answers waited on so far. */
  quotaWaits: number;
  /** Time since the batch started, in ms. */
  elapsedMs: number;
  /** Estimated time to the end, from this run's pace; undefined until known. */
  etaMs: number | undefined;
}

/**
 * The whole async flow behind `client.transcribe` (and `soniox transcribe`): upload, create,
 * wait, fetch the transcript, then delete what the flow created, even after a failure or an
 * abort, and even while the job is still processing (the API refuses that DELETE with 409 until
 * the job ends: cleanup waits for it, bounded, and reports what it had to leave). The steps, and
 * their rules for an abort, are lib/job.ts's, shared with `transcribeMany`.
 */
import { Readable } from 'node:stream';
import {
  SonioxAbortError,
  SonioxValidationError,
  type FieldIssue,
  type SonioxError,
} from './errors';
import type { UploadInput } from './http/upload-source';
import { flowAge } from './http/call-options';
import { flowTicket } from './http/admission';
import {
  createParamIssues,
  cleanUp,
  createStep,
  DEFAULT_CLEANUP_WAIT_MS,
  finishStep,
  tell,
  uploadStep,
  type CleanupEvent,
  type CleanupTarget,
  type JobAPI,
} from './job';
import type { ModelCatalogue } from './model-catalogue';
import type { UploadProgress } from './resources/files';
import {
  booleanIssues,
  durationIssues,
  functionIssues,
  isObject,
  rejectGroups,
  rejectIssues,
  signalIssues,
} from './internal/issues';
import { waitOptionIssues, type WaitOptions } from './resources/transcriptions';
import type {
  CreateTranscriptionParams,
  SonioxFile,
  Transcript,
  Transcription,
  TranscriptToken,
} from './types';

export type { CleanupEvent, CleanupTarget } from './job';

/**
 * What `client.transcribe` resolves to: the transcription as it ended (`status`,
 * `audio_duration_ms`, `model`, `created_at`, `client_reference_id`...), kept even when cleanup
 * deleted the job, with its transcript attached (`transcript`; its `text` and `tokens` also at
 * the top, so a reader of the transcript's fields reads the same).
 */
export interface TranscribeResult extends Transcription {
  text: string;
  tokens: TranscriptToken[];
  transcript: Transcript;
}

/** What `transcribe` can start from: local audio, a public URL, or an uploaded file. */
export type TranscribeSource = UploadInput | { audio_url: string } | { file_id: string };

/** Options of `client.transcribe`: the create parameters plus the flow's own. */
export interface TranscribeOptions
  extends Omit<CreateTranscriptionParams, 'audio_url' | 'file_id'>, Omit<WaitOptions, 'signal'> {
  /**
   * What to delete afterwards, whether the flow succeeded or not. `true` (default): the
   * transcription and the file when this call uploaded it (or used `audio_url`); nothing for a
   * `file_id` you passed, since deleting its transcription would delete your file. `false`:
   * nothing. A list: exactly those (`'file'` then also deletes a `file_id` you passed).
   */
  cleanup?: boolean | CleanupTarget[];
  /**
   * Aborts the flow; cleanup still runs. An upload whose bytes are all sent is not cut off (the
   * server may store the file and only its answer names it, to delete it), nor is the create
   * request once sent: the flow rejects with SonioxAbortError right after either answers.
   */
  signal?: AbortSignal;
  /** Stops the cleanup (its wait for a processing job, its requests): what is left is reported. */
  cleanupSignal?: AbortSignal;
  /**
   * Whether an aborted flow rejects only once its cleanup is over (default false: it rejects at
   * once and the cleanup goes on in the background, reporting through the callbacks).
   */
  awaitCleanup?: boolean;
  /** How long cleanup waits for a processing job to end before leaving it (default 120 000 ms). */
  cleanupWaitMs?: number;
  /** Upload progress (local sources only). */
  onProgress?: (progress: UploadProgress) => void;
  /** Told of the file this call uploaded, as soon as the API answered. */
  onUploaded?: (file: SonioxFile) => void;
  /** Told of the transcription this call created, as soon as the API answered. */
  onCreated?: (transcription: Transcription) => void;
  /** Told of each cleanup step (a wait for a processing job, a deletion). */
  onCleanup?: (event: CleanupEvent) => void;
  /** Name of the uploaded file. */
  filename?: string;
  /** Size of a stream source, when known. */
  size?: number;
  /** Told about each thing cleanup could not delete (the flow's own result or error still wins). */
  onCleanupError?: (error: SonioxError, target: CleanupTarget, id: string) => void;
}

/** The resources the flow drives. */
export interface TranscribeAPI extends JobAPI {
  /** Checks the model and languages before the upload (the client's; none: no such check). */
  catalogue?: ModelCatalogue;
}

/** The issues of the flow's own options (those not of the upload, the create or the wait). */
function flowOptionIssues(options: Record<string, unknown>): FieldIssue[] {
  const { cleanup } = options;
  const targets = ['transcription', 'file'];
  return [
    ...(typeof cleanup !== 'boolean' &&
    cleanup !== undefined &&
    !(Array.isArray(cleanup) && cleanup.every((t) => targets.includes(t as string)))
      ? [
          {
            field: 'cleanup',
            message: "must be true, false or a list of 'transcription' and 'file'",
          },
        ]
      : []),
    ...['onCleanupError', 'onProgress', 'onUploaded', 'onCreated', 'onCleanup'].flatMap((name) =>
      functionIssues(name, options[name]),
    ),
    ...signalIssues('cleanupSignal', options.cleanupSignal),
    ...booleanIssues('awaitCleanup', options.awaitCleanup),
    ...durationIssues('cleanupWaitMs', options.cleanupWaitMs, 0),
  ];
}

function isLocalSource(source: unknown): source is UploadInput {
  return (
    typeof source === 'string' ||
    Buffer.isBuffer(source) ||
    source instanceof Uint8Array ||
    source instanceof Readable
  );
}

const aborted = () => new SonioxAbortError('transcribe: aborted');

/** Runs the flow (see the file comment). */
export async function transcribe(
  api: TranscribeAPI,
  source: TranscribeSource,
  options: TranscribeOptions = {},
): Promise<TranscribeResult> {
  if (!isObject(options))
    rejectIssues('transcribe', [{ field: 'options', message: 'must be an object' }]);
  const {
    cleanup = true,
    signal,
    cleanupSignal,
    awaitCleanup = false,
    cleanupWaitMs = DEFAULT_CLEANUP_WAIT_MS,
    onProgress,
    onUploaded,
    onCreated,
    onCleanup,
    onCleanupError,
    filename,
    size,
    timeoutMs,
    pollIntervalMs,
    maxPollIntervalMs,
    onStatus,
    webhook,
    webhookPollIntervalMs,
    ...createParams
  } = options;
  // Everything that can be checked is checked before a byte is uploaded, and refused at once:
  // one error names every bad option (worded as the first check that found one).
  const byUrl = isObject(source) && 'audio_url' in source;
  const byFileId = isObject(source) && !byUrl && 'file_id' in source;
  const sourceOk = isLocalSource(source) || byUrl || byFileId;
  const sourceField = byUrl
    ? { audio_url: source.audio_url }
    : byFileId
      ? { file_id: source.file_id }
      : undefined;
  // The wait's own options, checked up front and used once the job is created.
  const wait = {
    timeoutMs,
    pollIntervalMs,
    maxPollIntervalMs,
    onStatus,
    signal,
    webhook,
    webhookPollIntervalMs,
  };
  rejectGroups(
    { what: 'transcribe', issues: flowOptionIssues(options as Record<string, unknown>) },
    {
      what: 'transcriptions.wait',
      issues: waitOptionIssues(wait),
    },
    // The create is checked against the source's field: only a source of a known kind has one.
    {
      what: 'transcriptions.create',
      issues: sourceOk ? createParamIssues(api.transcriptions, createParams, sourceField) : [],
    },
  );
  if (!sourceOk) {
    throw new SonioxValidationError(
      'transcribe: source must be a path, a Readable, a Buffer, { audio_url } or { file_id }',
      [{ field: 'source', message: 'unsupported source' }],
    );
  }
  // The model and languages against the model list (fetched once per client): a typo must not
  // cost the upload of the whole file before the API refuses it.
  await api.catalogue?.check(createParams, { what: 'transcribe', signal });
  // Deleting a transcription also deletes its file (API behaviour), so the default never
  // deletes the transcription of a file_id the caller owns: that would delete their file.
  const ownsFile = !byFileId;
  const targets = new Set<CleanupTarget>(
    cleanup === true
      ? ownsFile
        ? ['transcription', 'file']
        : []
      : cleanup === false
        ? []
        : cleanup,
  );

  // Every request of this flow carries its ticket: the pool serves flows by when they started,
  // so one further along is not queued behind the first request of one that just started.
  const flow = flowTicket();
  const flowWait = { ...wait, [flowAge]: flow };
  let fileId: string | undefined = byFileId ? source.file_id : undefined;
  let transcriptionId: string | undefined;
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    const params: CreateTranscriptionParams = { ...createParams, ...sourceField };
    if (isLocalSource(source)) {
      const file = await uploadStep(api.files, source, {
        filename,
        size,
        signal,
        stop: cleanupSignal,
        onProgress,
        [flowAge]: flow,
      });
      fileId = file.id;
      params.file_id = file.id;
      tell(onUploaded, file);
    }
    const transcription = await createStep(api.transcriptions, params, {
      signal,
      aborted,
      created: (created) => {
        transcriptionId = created.id;
        tell(onCreated, created);
      },
      flow,
    });
    const ended = await finishStep(api.transcriptions, transcription.id, flowWait);
    outcome = 'ok';
    const { transcript } = ended;
    return { ...ended.transcription, text: transcript.text, tokens: transcript.tokens, transcript };
  } finally {
    const cleaning = cleanUp(api, {
      transcription: targets.has('transcription') ? transcriptionId : undefined,
      file: targets.has('file') ? fileId : undefined,
      signal: cleanupSignal,
      waitMs: cleanupWaitMs,
      pauseMs: Math.min(pollIntervalMs ?? 1_000, 1_000),
      onCleanup,
      onCleanupError,
      flow,
    });
    // An aborted flow rejects at once unless told otherwise; its (bounded) cleanup goes on in
    // the background and reports through the callbacks. Otherwise the result waits for it.
    if (outcome === 'ok' || !signal?.aborted || awaitCleanup) await cleaning;
  }
}

/**
 * The error hierarchy. Every error has a stable `code`. Nothing here keeps an axios config,
 * request or headers: errors are built from plain values, so logging, `JSON.stringify` or
 * `util.inspect` of an error can never print the API key. The optional `cause` is kept
 * non-enumerable and is itself a sanitised value (never a raw axios error).
 */
import { quotaHint, type SonioxQuota } from './quota';
import type { ApiValidationError } from './types';

export type { SonioxQuota } from './quota';

/** The `code` of a `SonioxAPIError`: one per HTTP status family. */
export type SonioxAPIErrorCode =
  | 'api_error'
  | 'bad_request'
  | 'authentication_error'
  | 'payment_required'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'server_error';

/** Every `code` an SDK error can carry: switch on it exhaustively. */
export type SonioxErrorCode =
  | 'soniox_error'
  | 'config_error'
  | 'validation_error'
  | 'response_error'
  | 'connection_error'
  | 'upload_not_retryable'
  | 'outcome_unknown'
  | 'upload_error'
  | 'hook_error'
  | 'timeout'
  | 'aborted'
  | 'transcription_failed'
  | 'websocket_error'
  | 'journal_error'
  | 'journal_locked'
  | SonioxAPIErrorCode;

/** Fields every SDK error may carry; all plain data. */
export interface SonioxErrorOptions {
  cause?: unknown;
}

/** Base of every error thrown or emitted by the SDK. */
export class SonioxError extends Error {
  /** Stable machine-readable identifier of the error class (narrowed by each subclass). */
  readonly code: SonioxErrorCode = 'soniox_error';

  constructor(message: string, options: SonioxErrorOptions = {}) {
    // ES2022's Error cause: the engine defines `cause` as a non-enumerable own property (out of
    // JSON and of toJSON's spread), and only when one is given.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** Plain, secret-free representation (enumerable own fields plus name and message). */
  toJSON(): Record<string, unknown> {
    return {
      ...(this as unknown as Record<string, unknown>),
      name: this.name,
      code: this.code,
      message: this.message,
    };
  }
}

/** A client option or environment variable is missing or malformed. */
export class SonioxConfigError extends SonioxError {
  override readonly code = 'config_error' as const;
  /** The option at fault, e.g. `apiKey` (the first, when several are: see `issues`). */
  readonly option: string;
  /** Every option at fault in the same call, each with its message. */
  readonly issues: FieldIssue[];
  constructor(
    option: string,
    message: string,
    issues: FieldIssue[] = [{ field: option, message }],
  ) {
    super(message);
    this.option = option;
    this.issues = issues;
  }
}

/** One bad field, from a client-side check or a response that does not match the schema. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** The caller's input (parameters, options, a source) rejected before sending. */
export class SonioxValidationError extends SonioxError {
  override readonly code = 'validation_error' as const;
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}

/**
 * A 2xx answer that breaks the API's contract: not JSON, not a JSON object, a body that does not
 * match the API schema (the schema issues are in `issues`), no body where one is due, a body too
 * large, a page without its list. The API (or something on the way) is at fault, not the input.
 */
export class SonioxResponseError extends SonioxError {
  override readonly code = 'response_error' as const;
  /** What is wrong with the answer, field by field (`(body)` for the whole body). */
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}

/** Details the API gave with a non-2xx answer. */
export interface APIErrorDetails {
  status: number;
  errorType?: string | undefined;
  requestId?: string | undefined;
  validationErrors?: ApiValidationError[] | undefined;
  moreInfo?: string | undefined;
  retryAfterMs?: number | undefined;
  /** The account quota the answer says is full (lib/quota.ts tells). */
  quota?: SonioxQuota | undefined;
  cause?: unknown;
}

/** The API answered with a non-2xx status. Subclasses per status family. */
export class SonioxAPIError extends SonioxError {
  override readonly code: SonioxAPIErrorCode = 'api_error';
  /** HTTP status. */
  readonly status: number;
  /** The API's `error_type` (branch on this, never on the message). */
  readonly errorType: string | undefined;
  readonly requestId: string | undefined;
  readonly validationErrors: ApiValidationError[];
  readonly moreInfo: string | undefined;
  /**
   * The account quota this error says was reached, when it is one: typed from the API's answer
   * where the error is made. Branch on this (the batch waits on it), never on the message.
   * Read-only at run time too.
   */
  declare readonly quota: SonioxQuota | undefined;
  /** How to get under `quota`, when it is set (the message stays the API's). Read-only. */
  declare readonly hint: string | undefined;

  constructor(message: string, details: APIErrorDetails) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.errorType = details.errorType;
    this.requestId = details.requestId;
    this.validationErrors = details.validationErrors ?? [];
    this.moreInfo = details.moreInfo;
    // Defined rather than assigned: a field that code could rewrite would not be the API's.
    const quota = details.quota;
    Object.defineProperties(this, {
      quota: { value: quota, enumerable: true },
      hint: { value: quota === undefined ? undefined : quotaHint(quota), enumerable: true },
    });
  }
}

/** 400. */
export class SonioxBadRequestError extends SonioxAPIError {
  override readonly code = 'bad_request' as const;
}
/** 401: missing or wrong API key. */
export class SonioxAuthenticationError extends SonioxAPIError {
  override readonly code = 'authentication_error' as const;
}
/** 402: out of credit. */
export class SonioxPaymentRequiredError extends SonioxAPIError {
  override readonly code = 'payment_required' as const;
}
/** 403. */
export class SonioxPermissionError extends SonioxAPIError {
  override readonly code = 'permission_denied' as const;
}
/** 404. */
export class SonioxNotFoundError extends SonioxAPIError {
  override readonly code = 'not_found' as const;
}
/** 409: e.g. a transcript asked for before the transcription completed. */
export class SonioxConflictError extends SonioxAPIError {
  override readonly code = 'conflict' as const;
}
/** 413: request body too large. */
export class SonioxPayloadTooLargeError extends SonioxAPIError {
  override readonly code = 'payload_too_large' as const;
}
/** 429, or a Retry-After longer than the client is willing to wait. */
export class SonioxRateLimitError extends SonioxAPIError {
  override readonly code = 'rate_limited' as const;
  /** How long the server asked to wait, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: APIErrorDetails) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}
/** 5xx. */
export class SonioxServerError extends SonioxAPIError {
  override readonly code = 'server_error' as const;
}

/** The request never got an answer: refused, reset, DNS, TLS. */
export class SonioxConnectionError extends SonioxError {
  override readonly code: 'connection_error' | 'upload_not_retryable' | 'outcome_unknown' =
    'connection_error';
  /** The system error code (`ECONNRESET`, ...) when there was one. */
  readonly errno: string | undefined;
  constructor(message: string, options: SonioxErrorOptions & { errno?: string | undefined } = {}) {
    super(message, options);
    this.errno = options.errno;
  }
}

/** An upload from a one-shot stream failed after bytes were consumed: it cannot be re-sent. */
export class SonioxUploadNotRetryableError extends SonioxConnectionError {
  override readonly code = 'upload_not_retryable' as const;
}

/**
 * A create (transcription or file upload) got no answer after the server may have read it, and
 * asking the server whether it took effect failed too: it may or may not exist. Look it up by
 * `reference` (its `client_reference_id`) before creating it again. The lookup's failure is the
 * non-enumerable `cause`.
 */
export class SonioxOutcomeUnknownError extends SonioxConnectionError {
  override readonly code = 'outcome_unknown' as const;
  /** The `client_reference_id` the create was sent with. */
  readonly reference: string;
  constructor(
    message: string,
    reference: string,
    options: SonioxErrorOptions & { errno?: string } = {},
  ) {
    super(message, options);
    this.reference = reference;
  }
}

/**
 * An upload failed on this side: a declared `size` the source did not match, an `onProgress`
 * that threw, or a source stream that failed (the exception or the stream's error is the
 * non-enumerable `cause`). Not retried.
 */
export class SonioxUploadError extends SonioxError {
  override readonly code = 'upload_error' as const;
}

/** One of your hooks (`onRequest`, `onResponse`, `onRetry`) threw: the exception is the non-enumerable `cause`. */
export class SonioxHookError extends SonioxError {
  override readonly code = 'hook_error' as const;
  /** Which hook threw. */
  readonly hook: string;
  constructor(hook: string, cause: unknown) {
    super(`${hook} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.hook = hook;
  }
}

/** A per-attempt inactivity timeout, an overall deadline, or a wait that ran out. */
export class SonioxTimeoutError extends SonioxError {
  override readonly code = 'timeout' as const;
  readonly timeoutMs: number | undefined;
  constructor(message: string, timeoutMs?: number, options: SonioxErrorOptions = {}) {
    super(message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. */
export class SonioxAbortError extends SonioxError {
  override readonly code = 'aborted' as const;
}

/** A transcription ended in failure: status `error` (the API's enum) or `failed` (its newer errors page). */
export class SonioxTranscriptionError extends SonioxError {
  override readonly code = 'transcription_failed' as const;
  readonly transcriptionId: string;
  /** The API's `error_type`, when it gave one. */
  readonly errorType: string | undefined;
  /** The API's `error_message`, when it gave one. */
  readonly errorMessage: string | undefined;
  /** The status the job ended in (`error` or `failed`). */
  readonly status: string | undefined;
  constructor(
    transcriptionId: string,
    errorType: string | undefined,
    message: string,
    details: { errorMessage?: string | undefined; status?: string | undefined } = {},
  ) {
    super(message);
    this.transcriptionId = transcriptionId;
    this.errorType = errorType;
    this.errorMessage = details.errorMessage;
    this.status = details.status;
  }
}

/**
 * A batch journal could not be opened or written (a full disk, a quota, a file grown past the
 * size limit): the batch stops, the inputs in flight are kept for the next run, and nothing is
 * journaled done that was not. The file system's error is the non-enumerable `cause`.
 */
export class SonioxJournalError extends SonioxError {
  override readonly code: 'journal_error' | 'journal_locked' = 'journal_error';
  /** The journal's path. */
  readonly path: string;
  /** The system error code (`ENOSPC`, `EDQUOT`, `EFBIG`, ...) when there was one. */
  readonly errno: string | undefined;
  constructor(
    message: string,
    path: string,
    options: SonioxErrorOptions & { errno?: string | undefined } = {},
  ) {
    super(message, options);
    this.path = path;
    this.errno = options?.errno;
  }
}

/** Who holds a journal's lock, as its lock file says. */
export interface JournalLockHolder {
  pid?: number | undefined;
  hostname?: string | undefined;
  /** When that run started (ISO 8601). */
  startedAt?: string | undefined;
}

/**
 * Another run (another process, or another batch of this one) holds the journal: one run at a
 * time per journal, or both would transcribe every input. The holder is named by its lock file.
 */
export class SonioxJournalLockedError extends SonioxJournalError {
  override readonly code = 'journal_locked' as const;
  /** The holder's process id, when its lock file says. */
  readonly pid: number | undefined;
  /** The holder's host, when its lock file says. */
  readonly hostname: string | undefined;
  /** When the holder started (ISO 8601), when its lock file says. */
  readonly startedAt: string | undefined;
  constructor(message: string, path: string, holder: JournalLockHolder = {}) {
    super(message, path);
    this.pid = holder?.pid;
    this.hostname = holder?.hostname;
    this.startedAt = holder?.startedAt;
  }
}

/** Details of a realtime failure. */
export interface WebSocketErrorDetails {
  /** The server's `error_code` (HTTP-style), or the WebSocket close code for drops. */
  serverCode?: number | undefined;
  /** The server's `error_message`, as given (secrets redacted). */
  serverMessage?: string | undefined;
  errorType?: string | undefined;
  requestId?: string | undefined;
  closeCode?: number | undefined;
  cause?: unknown;
  /** Overrides the retryable verdict drawn from serverCode (e.g. an HTTP answer to the upgrade). */
  retryable?: boolean | undefined;
}

/** Server codes after which a new session may succeed. */
const RETRYABLE_WS_CODES = new Set([408, 500, 503]);

/**
 * A realtime session failed: a server error message, an abrupt close or a malformed frame. The
 * API reference: "The WebSocket APIs currently return only an HTTP status code (error_code) and
 * a human-readable error_message": `serverCode` and `serverMessage` are what a live error frame
 * carries; `errorType` and `requestId` come only from richer frames, and are undefined live today.
 */
export class SonioxWebSocketError extends SonioxError {
  override readonly code = 'websocket_error' as const;
  /** The frame's `error_code` (HTTP-style); undefined for a drop or a bad frame. */
  readonly serverCode: number | undefined;
  /** The frame's `error_message`, secrets redacted; undefined for a drop or a bad frame. */
  readonly serverMessage: string | undefined;
  /** The frame's `error_type`: absent from live frames today (undefined); never branch on it alone. */
  readonly errorType: string | undefined;
  /** The frame's `request_id`: absent from live frames today (undefined). */
  readonly requestId: string | undefined;
  readonly closeCode: number | undefined;
  /** Whether a new session could succeed (408/500/503, or a drop with no server error). */
  readonly retryable: boolean;
  constructor(message: string, details: WebSocketErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.serverCode = details.serverCode;
    this.serverMessage = details.serverMessage;
    this.errorType = details.errorType;
    this.requestId = details.requestId;
    this.closeCode = details.closeCode;
    this.retryable =
      details.retryable ??
      (details.serverCode === undefined ? true : RETRYABLE_WS_CODES.has(details.serverCode));
  }
}

type APIErrorClass = new (message: string, details: APIErrorDetails) => SonioxAPIError;

const BY_STATUS: Record<number, APIErrorClass> = {
  400: SonioxBadRequestError,
  401: SonioxAuthenticationError,
  402: SonioxPaymentRequiredError,
  403: SonioxPermissionError,
  404: SonioxNotFoundError,
  409: SonioxConflictError,
  413: SonioxPayloadTooLargeError,
  429: SonioxRateLimitError,
};

/** The API error class for an HTTP status. */
export function apiErrorFor(message: string, details: APIErrorDetails): SonioxAPIError {
  const Ctor =
    BY_STATUS[details.status] ?? (details.status >= 500 ? SonioxServerError : SonioxAPIError);
  return new Ctor(message, details);
}

/** Replaces every occurrence of each secret in `text` (used on any server-provided text). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

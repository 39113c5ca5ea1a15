/**
 * What one transport call is: the options every network method accepts, checked before any
 * request, and the request the resources hand the transport.
 */
import type { Readable } from 'node:stream';
import type { FieldIssue } from '../errors';
import type { ResponseSchemaName } from '../schemas';
import type { CreateLookup } from './exactly-once';
import { durationIssues, functionIssues, rejectIssues, signalIssues } from '../internal/issues';
import type { ResponseEvent } from '../config';
import { headerIssues } from '../internal/headers';

/**
 * The key of a call's flow ticket (admission.ts): the job steps set it on every call of one
 * `transcribe()` flow or `transcribeMany` input, so the pool serves that flow by its age. Keyed
 * by a symbol the package does not export: internal.
 * @internal
 */
export const flowAge: unique symbol = Symbol('soniox.flowAge');

/** The call options that put a call in flow `flow` (none when undefined: the call's own age). */
export function inFlow(flow: number | undefined): { [flowAge]?: number } {
  return flow === undefined ? {} : { [flowAge]: flow };
}

/** Options every network method accepts. */
export interface CallOptions {
  /** Aborts the call (and any wait between retries) at once. */
  signal?: AbortSignal | undefined;
  /** Per-attempt inactivity timeout for this call, in ms. */
  timeoutMs?: number | undefined;
  /** Retries for this call (overrides the client's maxRetries). */
  maxRetries?: number | undefined;
  /** Headers of this call, over the client's `headers` (never Authorization nor framing). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Told of each answer to this call (status, headers, request id), beside the client's hook. */
  onResponse?: ((event: ResponseEvent) => void) | undefined;
  /** @internal The flow this call belongs to (its ticket); none: the call's own age at issue. */
  [flowAge]?: number | undefined;
}

/** A streamed request body, made fresh for each attempt. */
export interface StreamBody {
  stream: Readable;
  headers: Record<string, string>;
}

/** One call of the transport. */
export interface TransportRequest extends CallOptions {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the origin, e.g. `/v1/files`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body. */
  json?: unknown;
  /** Streamed body factory: called once per attempt (a retry gets a fresh stream). */
  body?: () => StreamBody;
  /** Whether `body` can be called again after a failed attempt. */
  replayable?: boolean;
  /** Response schema to check 2xx bodies against (when validateResponses). */
  schema?: ResponseSchemaName;
  /**
   * Makes a create exactly-once: a failure with no answer after the server may have read the
   * request is settled by a lookup (see exactly-once.ts), then the item returned or the call resent.
   */
  exactlyOnce?: CreateLookup;
  /**
   * A create sent with no reference to look it up by (the client's `autoClientReferenceId` is
   * false): one that may have taken effect is never resent, and its error says so, with this why.
   */
  atMostOnce?: string;
}

/**
 * The issues of the options every network method takes, found before any request (a wrong signal
 * would otherwise be a TypeError from inside axios, a timeout over 2^31-1 ms a timer that fires
 * after 1 ms).
 */
export function callOptionIssues(options: CallOptions): FieldIssue[] {
  const r = options.maxRetries;
  return [
    ...signalIssues('signal', options.signal),
    ...durationIssues('timeoutMs', options.timeoutMs),
    ...(r !== undefined && (!Number.isInteger(r) || r < 0)
      ? [{ field: 'maxRetries', message: 'must be an integer >= 0' }]
      : []),
    ...headerIssues('headers', options.headers),
    ...functionIssues('onResponse', options.onResponse),
  ];
}

/** Throws one SonioxValidationError naming every bad call option, if any. */
export function assertCallOptions(what: string, options: CallOptions): void {
  rejectIssues(what, callOptionIssues(options), 'options');
}

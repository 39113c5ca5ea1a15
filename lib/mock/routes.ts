/**
 * The mock's REST resources, answering exactly as docs/api.md §4–§7 describe: files,
 * transcriptions, transcripts, models, temporary keys. One table of routes (method, path
 * pattern, handler); each handler is a function of the mock's state and the request. Quotas the
 * reference leaves open are decided here (see the comments) and documented in docs/testing.md.
 */
import type { IncomingMessage } from 'node:http';
import type { CreateTranscriptionParams, Transcription } from '../types';
import { MockHttpError } from './api-error';
import type { MockSessionLimits } from './contracts';
import { transcriptText, transcriptTokens, type FeatureOptions } from './features';
import type { Route, RouteAnswer } from './http';
import type { Lifecycle } from './lifecycle';
import { MODELS, modelIds } from './models';
import { TTS_MODELS } from './tts-models';
import { downloadProblem } from './containers';
import { analyzeAudio, placeholderTokens, placeholderWord, type AudioAnalysis } from './recognizer';
import {
  checkBody,
  checkLanguages,
  filenameOfUrl,
  newestFirst,
  page,
  publicFile,
  readJson,
} from './rest-io';
import type { ScriptBook, TranscriptionScript } from './scripts';
import { SESSION_DEFAULTS, contextProblem } from './session-limits';
import type { RateLimiter } from './rate-limit';
import type { MockState, StoredFile, StoredTranscription } from './state';
import { receiveUpload } from './upload';

/** Quotas of the reference (async limits page). */
export const QUOTAS = {
  files: 1000,
  storageBytes: 10 * 1000 ** 3,
  pendingTranscriptions: 100,
  totalTranscriptions: 2000,
};
/** Duration the mock pretends an `audio_url` has. */
const URL_AUDIO_MS = 5_000;
const MASK = '******************';

/** What the routes act on: the mock's state and the parts of the server they drive. */
interface RestContext {
  state: MockState;
  lifecycle: Lifecycle;
  fixturesDir: string | undefined;
  limits: MockSessionLimits | undefined;
  scripts: ScriptBook | undefined;
  rateLimiter: RateLimiter | undefined;
}

/** A route's handler: the mock's context, then what the router's handlers get. */
type RestHandler = (
  ctx: RestContext,
  req: IncomingMessage,
  params: { id?: string },
  url: URL,
) => RouteAnswer | Promise<RouteAnswer>;

interface RestRoute extends Omit<Route, 'handler'> {
  handler: RestHandler;
}

const ok = (body: unknown, status = 200): RouteAnswer => ({ status, body });
const NO_CONTENT: RouteAnswer = { status: 204 };

function fileOr404(state: MockState, id: string | undefined): StoredFile {
  const f = id === undefined ? undefined : state.files.get(id);
  if (!f) throw new MockHttpError(404, 'file_not_found', 'File could not be found.');
  return f;
}

function jobOr404(state: MockState, id: string | undefined): StoredTranscription {
  const j = id === undefined ? undefined : state.transcriptions.get(id);
  if (!j)
    throw new MockHttpError(404, 'transcription_not_found', 'Transcription could not be found.');
  return j;
}

/** A count's answer (`GET .../count`): everything the mock holds came through the public API. */
const countOf = (total: number) => ok({ total, public_api: total, playground: 0 });

/**
 * The analysis with its tokens shaped by the request's options: speakers, languages and
 * translation tokens. Unknown audio's words speak the first hint's language (else `en`).
 */
export function withFeatures(analysis: AudioAnalysis, body: FeatureOptions): AudioAnalysis {
  if (analysis.error) return analysis;
  const language = body.language_hints?.[0] ?? 'en';
  const words = analysis.words ?? analysis.tokens.map((_, i) => placeholderWord(i, language));
  const translations = analysis.translations ?? (() => undefined);
  return { ...analysis, tokens: transcriptTokens(words, translations, body) };
}

/** A scripted transcription's outcome. */
function scriptedAnalysis(script: TranscriptionScript): AudioAnalysis {
  const tokens = script.tokens ?? [];
  const durationMs = script.durationMs ?? tokens.at(-1)?.end_ms ?? 0;
  return script.error ? { durationMs, tokens: [], error: script.error } : { durationMs, tokens };
}

async function uploadFile({ state }: RestContext, req: IncomingMessage): Promise<RouteAnswer> {
  // Count and storage quotas: a 400, not a 429 (retrying cannot help until files are deleted).
  if (state.files.size >= QUOTAS.files)
    throw new MockHttpError(
      400,
      'invalid_request',
      `Maximum number of files (${QUOTAS.files}) reached.`,
    );
  const file = await receiveUpload(req, state);
  if (state.storedBytes() + file.size > QUOTAS.storageBytes)
    throw new MockHttpError(400, 'invalid_request', 'Storage limit exceeded.');
  state.files.set(file.id, file);
  return ok(publicFile(file), 201);
}

function deleteFile({ state }: RestContext, _req: IncomingMessage, p: { id?: string }) {
  state.files.delete(fileOr404(state, p.id).id);
  return NO_CONTENT;
}

/** A create's body checked as the API checks it; the stored file it names, if any. */
function checkCreate(
  { state, limits }: RestContext,
  body: CreateTranscriptionParams,
): StoredFile | undefined {
  checkBody('createTranscription', body);
  const hasUrl = body.audio_url != null;
  const hasFile = body.file_id != null;
  if (hasUrl === hasFile) {
    throw new MockHttpError(400, 'invalid_request', 'Invalid request.', [
      {
        error_type: 'value_error',
        location: 'body.payload',
        message: 'Exactly one of audio_url and file_id must be specified.',
      },
    ]);
  }
  if (!modelIds('async').includes(body.model as string)) {
    throw new MockHttpError(400, 'invalid_request', 'Invalid request.', [
      { error_type: 'value_error', location: 'body.payload.model', message: 'Invalid model' },
    ]);
  }
  checkLanguages(body.model as string, body);
  const contextTooLong = contextProblem(
    body.context,
    limits?.asyncContextChars ?? SESSION_DEFAULTS.asyncContextChars,
  );
  if (contextTooLong)
    throw new MockHttpError(400, 'invalid_request', 'Invalid request.', [
      { error_type: 'value_error', location: 'body.payload.context', message: contextTooLong },
    ]);
  // An unknown file_id answers 404 file_not_found, like the files API itself.
  return hasFile ? fileOr404(state, body.file_id as string) : undefined;
}

/** The transcription quotas, checked after the body (a bad body is told first). */
function checkTranscriptionQuotas(state: MockState): void {
  // Pending jobs finish by themselves, so that quota is a 429; the total one is a 400.
  if (state.pendingTranscriptions() >= QUOTAS.pendingTranscriptions)
    throw new MockHttpError(429, 'limit_exceeded', 'Too many pending transcriptions.');
  if (state.transcriptions.size >= QUOTAS.totalTranscriptions)
    throw new MockHttpError(400, 'invalid_request', 'Maximum number of transcriptions reached.');
}

/** A new transcription as the API answers the create: queued, the webhook secret masked. */
function newTranscription(
  state: MockState,
  body: CreateTranscriptionParams,
  file: StoredFile | undefined,
): Transcription {
  return {
    id: state.newId(),
    status: 'queued',
    created_at: new Date().toISOString(),
    model: body.model as string,
    audio_url: body.audio_url ?? null,
    file_id: body.file_id ?? null,
    filename: file ? file.filename : filenameOfUrl(body.audio_url as string),
    language_hints: body.language_hints ?? null,
    enable_speaker_diarization: body.enable_speaker_diarization ?? false,
    enable_language_identification: body.enable_language_identification ?? false,
    audio_duration_ms: null,
    error_type: null,
    error_message: null,
    webhook_url: body.webhook_url ?? null,
    webhook_auth_header_name: body.webhook_auth_header_name ?? null,
    webhook_auth_header_value: body.webhook_auth_header_value == null ? null : MASK,
    webhook_status_code: null,
    client_reference_id: body.client_reference_id ?? null,
    context: body.context ?? null,
  };
}

/** The audio a create names, analysed when its job runs (never fetched: see below). */
function audioAnalysis(
  body: CreateTranscriptionParams,
  file: StoredFile | undefined,
  fixturesDir: string | undefined,
): AudioAnalysis {
  if (file) return analyzeAudio(file, fixturesDir);
  // An audio_url is never fetched: one the service could not download either (containers.ts)
  // fails as a download would; any other is 5 s of audio.
  const problem = downloadProblem(body.audio_url as string);
  if (problem)
    return { durationMs: 0, tokens: [], error: { type: 'audio_download_error', message: problem } };
  return { durationMs: URL_AUDIO_MS, tokens: placeholderTokens(URL_AUDIO_MS) };
}

async function createTranscription(ctx: RestContext, req: IncomingMessage): Promise<RouteAnswer> {
  const { state, lifecycle, fixturesDir, scripts } = ctx;
  const body = (await readJson(req)) as CreateTranscriptionParams;
  const file = checkCreate(ctx, body);
  checkTranscriptionQuotas(state);
  const transcription = newTranscription(state, body, file);
  const job = { transcription, tokens: undefined, timers: [] };
  state.transcriptions.set(transcription.id, job);
  scripts?.record('transcriptions', {
    id: transcription.id,
    request:
      body.webhook_auth_header_value == null ? body : { ...body, webhook_auth_header_value: MASK },
    filename: transcription.filename,
  });
  const script = scripts?.forTranscription(transcription.filename);
  const analysis = () =>
    script ? scriptedAnalysis(script) : withFeatures(audioAnalysis(body, file, fixturesDir), body);
  lifecycle.start(job, analysis, body.webhook_auth_header_value ?? undefined);
  return ok(transcription, 201);
}

function deleteTranscription(
  { state, lifecycle }: RestContext,
  _req: IncomingMessage,
  p: { id?: string },
): RouteAnswer {
  const job = jobOr404(state, p.id);
  if (job.transcription.status === 'processing') {
    throw new MockHttpError(
      409,
      'transcription_invalid_state',
      'Cannot delete transcription with processing status.',
    );
  }
  for (const timer of job.timers) clearTimeout(timer);
  state.transcriptions.delete(job.transcription.id);
  lifecycle.forget(job.transcription.id);
  // The API deletes a transcription's file with it.
  if (job.transcription.file_id) state.files.delete(job.transcription.file_id);
  return NO_CONTENT;
}

function getTranscript(
  { state }: RestContext,
  _req: IncomingMessage,
  p: { id?: string },
): RouteAnswer {
  const job = jobOr404(state, p.id);
  const status = job.transcription.status;
  if (status === 'error')
    throw new MockHttpError(409, 'transcription_invalid_state', 'File transcription has failed.');
  if (status !== 'completed' || !job.tokens) {
    throw new MockHttpError(
      409,
      'transcription_invalid_state',
      'Can only get transcript with completed status.',
    );
  }
  return ok({
    id: job.transcription.id,
    text: transcriptText(job.tokens),
    tokens: job.tokens,
  });
}

async function createTemporaryKey(
  { state }: RestContext,
  req: IncomingMessage,
): Promise<RouteAnswer> {
  const body = (await readJson(req)) as {
    expires_in_seconds: number;
    single_use?: boolean | null;
    max_session_duration_seconds?: number | null;
    client_reference_id?: string | null;
  };
  checkBody('createTemporaryKey', body);
  const expiresAt = Date.now() + body.expires_in_seconds * 1000;
  const maxSession = body.max_session_duration_seconds;
  const key = state.addTemporaryKey(
    expiresAt,
    body.single_use === true,
    maxSession == null ? undefined : maxSession * 1000,
    body.client_reference_id ?? null,
  );
  return ok({ api_key: key, expires_at: new Date(expiresAt).toISOString() }, 201);
}

/** Open realtime sessions against the `rateLimit.realtimeConcurrentSessions` option (the mock is one project). */
function concurrencyLimits({ rateLimiter }: RestContext): RouteAnswer {
  const scope = {
    current: { transcribe_concurrent: rateLimiter?.totalActiveSessions() ?? 0, tts_concurrent: 0 },
    limits: {
      transcribe_concurrent: rateLimiter?.limits.realtimeConcurrentSessions ?? null,
      tts_concurrent: null,
    },
  };
  return ok({ project: scope, organization: scope });
}

/** The REST routes, in the order the router tries them (`/count` before `/:id`). */
const REST_ROUTES: readonly RestRoute[] = [
  { method: 'GET', pattern: '/v1/models', handler: () => ok({ models: MODELS }) },
  { method: 'GET', pattern: '/v1/tts-models', handler: () => ok({ models: TTS_MODELS }) },

  { method: 'POST', pattern: '/v1/files', streamsBody: true, handler: uploadFile },
  {
    method: 'GET',
    pattern: '/v1/files',
    handler: ({ state }, _req, _p, url) => {
      const { items, next } = page(newestFirst(state.files.values()), url);
      return ok({ files: items.map(publicFile), next_page_cursor: next });
    },
  },
  { method: 'GET', pattern: '/v1/files/count', handler: ({ state }) => countOf(state.files.size) },
  {
    method: 'GET',
    pattern: '/v1/files/:id',
    handler: ({ state }, _req, p) => ok(publicFile(fileOr404(state, p.id))),
  },
  { method: 'DELETE', pattern: '/v1/files/:id', handler: deleteFile },

  { method: 'POST', pattern: '/v1/transcriptions', handler: createTranscription },
  {
    method: 'GET',
    pattern: '/v1/transcriptions',
    handler: ({ state }, _req, _p, url) => {
      const { items, next } = page(newestFirst(state.transcriptions.values()), url);
      return ok({ transcriptions: items.map((j) => j.transcription), next_page_cursor: next });
    },
  },
  {
    method: 'GET',
    pattern: '/v1/transcriptions/count',
    handler: ({ state }) => countOf(state.transcriptions.size),
  },
  {
    method: 'GET',
    pattern: '/v1/transcriptions/:id',
    handler: ({ state }, _req, p) => ok(jobOr404(state, p.id).transcription),
  },
  { method: 'DELETE', pattern: '/v1/transcriptions/:id', handler: deleteTranscription },
  { method: 'GET', pattern: '/v1/transcriptions/:id/transcript', handler: getTranscript },

  { method: 'POST', pattern: '/v1/auth/temporary-api-key', handler: createTemporaryKey },

  {
    method: 'GET',
    pattern: '/v1/usage-logs',
    handler: ({ state }, _req, _p, url) => {
      const { items, next } = page(state.usage.list(url).usage_logs, url);
      return ok({ usage_logs: items, next_page_cursor: next });
    },
  },
  {
    method: 'GET',
    pattern: '/v1/usage/summary',
    handler: ({ state }, _r, _p, url) => ok(state.usage.summary(url)),
  },
  { method: 'GET', pattern: '/v1/concurrency-limits', handler: concurrencyLimits },
  {
    method: 'GET',
    pattern: '/v1/concurrent-streams-history',
    handler: ({ state }, _r, _p, url) => ok(state.usage.history(url)),
  },
];

/** The REST route table, bound to one mock server's state. */
export function restRoutes(
  state: MockState,
  lifecycle: Lifecycle,
  fixturesDir: string | undefined,
  limits?: MockSessionLimits,
  scripts?: ScriptBook,
  rateLimiter?: RateLimiter,
): Route[] {
  const ctx: RestContext = { state, lifecycle, fixturesDir, limits, scripts, rateLimiter };
  return REST_ROUTES.map(({ handler, ...route }) => ({
    ...route,
    handler: (req, params, url) => handler(ctx, req, params, url),
  }));
}

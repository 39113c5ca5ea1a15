/**
 * The mock's REST resources, answering exactly as docs/api.md §4–§7 describe: files,
 * transcriptions, transcripts, models, temporary keys. Quotas the reference leaves open are
 * decided here (see the comments) and documented in the README.
 */
import type { IncomingMessage } from 'node:http';
import { validate, type RequestSchemaName } from '../schemas';
import type { ApiValidationError, CreateTranscriptionParams, Transcription } from '../types';
import { MockHttpError } from './api-error';
import type { MockSessionLimits } from './contracts';
import { SESSION_DEFAULTS, contextProblem } from './session-limits';
import type { Route, RouteAnswer } from './http';
import type { Lifecycle } from './lifecycle';
import { MODELS, modelIds } from './models';
import { languageIssues, transcriptTokens, type FeatureOptions } from './features';
import { analyzeAudio, placeholderTokens, placeholderWord, type AudioAnalysis } from './recognizer';
import type { ScriptBook, TranscriptionScript } from './scripts';
import type { MockState, StoredFile } from './state';
import { receiveUpload } from './upload';

/** Quotas of the reference (async limits page). */
export const QUOTAS = {
  files: 1000,
  storageBytes: 10 * 1000 ** 3,
  pendingTranscriptions: 100,
  totalTranscriptions: 2000,
};
/** Largest JSON body the mock reads. */
const MAX_JSON_BYTES = 1024 * 1024;
/** Duration the mock pretends an `audio_url` has. */
const URL_AUDIO_MS = 5_000;
const MASK = '******************';

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BYTES)
        reject(new MockHttpError(413, 'payload_too_large', 'Request body too large.'));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete)
        reject(
          new MockHttpError(
            400,
            'invalid_request',
            'The request ended before its body was complete.',
          ),
        );
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(
          new MockHttpError(400, 'invalid_request', 'Invalid JSON body.', [
            { error_type: 'json_invalid', location: 'body', message: 'Invalid JSON' },
          ]),
        );
      }
    });
  });
}

function checkBody(schema: RequestSchemaName, body: unknown): void {
  const issues = validate(schema, body);
  if (issues.length === 0) return;
  const validation: ApiValidationError[] = issues.map((i) => ({
    error_type: i.keyword === 'required' ? 'missing' : 'value_error',
    location: i.field ? `body.payload.${i.field}` : 'body.payload',
    message: i.keyword === 'required' ? 'Field required' : `Input ${i.message}`,
  }));
  throw new MockHttpError(400, 'invalid_request', 'Invalid request.', validation);
}

/** Refuses hints and translation languages the model does not list, as the API does (400). */
function checkLanguages(model: string, body: FeatureOptions): void {
  const issues = languageIssues(model, body);
  if (issues.length === 0) return;
  throw new MockHttpError(
    400,
    'invalid_request',
    'Invalid request.',
    issues.map((i) => ({
      error_type: 'value_error',
      location: `body.payload.${i.field}`,
      message: i.message,
    })),
  );
}

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

function page<T>(items: T[], url: URL): { items: T[]; next: string | null } {
  const rawLimit = url.searchParams.get('limit');
  const limit = rawLimit === null ? 1000 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new MockHttpError(400, 'invalid_request', 'Invalid request.', [
      {
        error_type: 'value_error',
        location: 'query.limit',
        message: 'Input should be between 1 and 1000',
      },
    ]);
  }
  let offset = 0;
  const cursor = url.searchParams.get('cursor');
  if (cursor !== null) {
    const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw new MockHttpError(400, 'invalid_cursor', 'Invalid cursor.');
    offset = Number(match[1]);
  }
  const slice = items.slice(offset, offset + limit);
  const next =
    offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : null;
  return { items: slice, next };
}

const newestFirst = <T>(values: Iterable<T>): T[] => [...values].reverse();

function publicFile(f: StoredFile) {
  return {
    id: f.id,
    filename: f.filename,
    size: f.size,
    created_at: f.created_at,
    client_reference_id: f.client_reference_id ?? null,
  };
}

function filenameOfUrl(audioUrl: string): string {
  try {
    return decodeURIComponent(new URL(audioUrl).pathname.split('/').pop() || 'audio');
  } catch {
    return 'audio';
  }
}

/** The REST route table. */
export function restRoutes(
  state: MockState,
  lifecycle: Lifecycle,
  fixturesDir: string | undefined,
  limits?: MockSessionLimits,
  scripts?: ScriptBook,
): Route[] {
  const ok = (body: unknown, status = 200): RouteAnswer => ({ status, body });
  const fileOr404 = (id: string | undefined) => {
    const f = id === undefined ? undefined : state.files.get(id);
    if (!f) throw new MockHttpError(404, 'file_not_found', 'File not found.');
    return f;
  };
  const jobOr404 = (id: string | undefined) => {
    const j = id === undefined ? undefined : state.transcriptions.get(id);
    if (!j) throw new MockHttpError(404, 'transcription_not_found', 'Transcription not found.');
    return j;
  };

  return [
    { method: 'GET', pattern: '/v1/models', handler: () => ok({ models: MODELS }) },

    {
      method: 'POST',
      pattern: '/v1/files',
      streamsBody: true,
      handler: async (req) => {
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
      },
    },
    {
      method: 'GET',
      pattern: '/v1/files',
      handler: (_req, _p, url) => {
        const { items, next } = page(newestFirst(state.files.values()), url);
        return ok({ files: items.map(publicFile), next_page_cursor: next });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/files/count',
      handler: () => ok({ total: state.files.size, public_api: state.files.size, playground: 0 }),
    },
    {
      method: 'GET',
      pattern: '/v1/files/:id',
      handler: (_req, p) => ok(publicFile(fileOr404(p.id))),
    },
    {
      method: 'DELETE',
      pattern: '/v1/files/:id',
      handler: (_req, p) => {
        state.files.delete(fileOr404(p.id).id);
        return { status: 204 };
      },
    },

    {
      method: 'POST',
      pattern: '/v1/transcriptions',
      handler: async (req) => {
        const body = (await readJson(req)) as CreateTranscriptionParams;
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
            {
              error_type: 'value_error',
              location: 'body.payload.context',
              message: contextTooLong,
            },
          ]);
        // An unknown file_id answers 404 file_not_found, like the files API itself.
        const file = hasFile ? fileOr404(body.file_id as string) : undefined;
        // Pending jobs finish by themselves, so that quota is a 429; the total one is a 400.
        if (state.pendingTranscriptions() >= QUOTAS.pendingTranscriptions)
          throw new MockHttpError(429, 'limit_exceeded', 'Too many pending transcriptions.');
        if (state.transcriptions.size >= QUOTAS.totalTranscriptions)
          throw new MockHttpError(
            400,
            'invalid_request',
            'Maximum number of transcriptions reached.',
          );
        const transcription: Transcription = {
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
        const job = { transcription, tokens: undefined, timers: [] };
        state.transcriptions.set(transcription.id, job);
        scripts?.record('transcriptions', {
          id: transcription.id,
          request:
            body.webhook_auth_header_value == null
              ? body
              : { ...body, webhook_auth_header_value: MASK },
          filename: transcription.filename,
        });
        const script = scripts?.forTranscription(transcription.filename);
        const analysis = () =>
          script ? scriptedAnalysis(script) : withFeatures(audioAnalysis(), body);
        const audioAnalysis = (): AudioAnalysis => {
          if (file) return analyzeAudio(file, fixturesDir);
          // An audio_url is never fetched: one that is not a URL, or whose path says "fail", fails
          // as a download would; any other is 5 s of audio.
          if (
            !URL.canParse(body.audio_url as string) ||
            /fail/i.test(new URL(body.audio_url as string).pathname)
          ) {
            return {
              durationMs: 0,
              tokens: [],
              error: {
                type: 'audio_download_error',
                message: 'Failed to download the audio file.',
              },
            };
          }
          return { durationMs: URL_AUDIO_MS, tokens: placeholderTokens(URL_AUDIO_MS) };
        };
        lifecycle.start(job, analysis, body.webhook_auth_header_value ?? undefined);
        return ok(transcription, 201);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transcriptions',
      handler: (_req, _p, url) => {
        const { items, next } = page(newestFirst(state.transcriptions.values()), url);
        return ok({ transcriptions: items.map((j) => j.transcription), next_page_cursor: next });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transcriptions/count',
      handler: () =>
        ok({
          total: state.transcriptions.size,
          public_api: state.transcriptions.size,
          playground: 0,
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/transcriptions/:id',
      handler: (_req, p) => ok(jobOr404(p.id).transcription),
    },
    {
      method: 'DELETE',
      pattern: '/v1/transcriptions/:id',
      handler: (_req, p) => {
        const job = jobOr404(p.id);
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
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transcriptions/:id/transcript',
      handler: (_req, p) => {
        const job = jobOr404(p.id);
        const status = job.transcription.status;
        if (status === 'error')
          throw new MockHttpError(
            409,
            'transcription_invalid_state',
            'File transcription has failed.',
          );
        if (status !== 'completed' || !job.tokens) {
          throw new MockHttpError(
            409,
            'transcription_invalid_state',
            'Can only get transcript with completed status.',
          );
        }
        return ok({
          id: job.transcription.id,
          text: job.tokens.map((t) => t.text).join(''),
          tokens: job.tokens,
        });
      },
    },

    {
      method: 'POST',
      pattern: '/v1/auth/temporary-api-key',
      handler: async (req) => {
        const body = (await readJson(req)) as {
          expires_in_seconds: number;
          single_use?: boolean | null;
          max_session_duration_seconds?: number | null;
        };
        checkBody('createTemporaryKey', body);
        const expiresAt = Date.now() + body.expires_in_seconds * 1000;
        const maxSession = body.max_session_duration_seconds;
        const key = state.addTemporaryKey(
          expiresAt,
          body.single_use === true,
          maxSession == null ? undefined : maxSession * 1000,
        );
        return ok({ api_key: key, expires_at: new Date(expiresAt).toISOString() }, 201);
      },
    },
  ];
}

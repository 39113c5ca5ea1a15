/**
 * A client's model list, for checking a request's model and languages before anything is
 * uploaded: `client.transcribe()` and `client.transcribeMany()` ask it first, and so does the
 * CLI (with its flag names), so that a typo fails at once with a "did you mean" instead of
 * after the whole file went up.
 *
 * The list is fetched once per client and kept (no request per call). A name missing from a
 * list kept from an earlier call fetches it once more (a model released since). A list that
 * cannot be fetched skips the check, since the API checks too: a models outage must not stop
 * transcriptions; the fetch is tried again a minute later, not by every call in between.
 */
import { SonioxAbortError, SonioxValidationError, type FieldIssue } from './errors';
import type { Models } from './resources/models';
import { closest } from './suggest';
import { DEFAULT_REALTIME_MODEL, type Model, type TranslationConfig } from './types';

/** The create parameters the check reads. */
export interface ModelParams {
  model?: string | null | undefined;
  language_hints?: string[] | null | undefined;
  translation?: TranslationConfig | null | undefined;
}

/** Options of one check. */
export interface ModelCheckOptions {
  /** Prefix of the error message (`transcribe`), none when undefined. */
  what?: string | undefined;
  /** How the message names a field (the CLI: `--model`); default: the parameter's own path. */
  labels?: Readonly<Record<string, string>> | undefined;
  /** Stops the wait for the list (the fetch itself goes on for the client's other calls). */
  signal?: AbortSignal | undefined;
}

/** How long a failed fetch of the list is not tried again. */
export const LIST_RETRY_AFTER_MS = 60_000;
/** The fetch is bounded: it stands before a transcription, which must not wait long on it. */
const LIST_CALL = { timeoutMs: 10_000, maxRetries: 1 };

/** What is wrong with the parameters, given the list: the field and the message, or undefined. */
function problem(
  models: readonly Model[],
  params: ModelParams,
  defaultModel: string,
): { field: string; value: string; message: string } | undefined {
  const async = models.filter((m) => m.transcription_mode === 'async');
  const id = params.model ?? defaultModel;
  const model = async.find((m) => m.id === id);
  if (model === undefined) {
    const ids = async.map((m) => m.id);
    const guess = closest(id, ids);
    return {
      field: 'model',
      value: id,
      message: `is not an async model${guess ? `: did you mean ${guess}?` : ''} (async models: ${ids.join(', ')})`,
    };
  }
  const languages: Array<[string, string]> = (params.language_hints ?? []).map((code) => [
    'language_hints',
    code,
  ]);
  const { translation } = params;
  if (translation?.type === 'one_way')
    languages.push(['translation.target_language', translation.target_language]);
  if (translation?.type === 'two_way')
    languages.push(
      ['translation.language_a', translation.language_a],
      ['translation.language_b', translation.language_b],
    );
  return unknownLanguages(models, model, languages)[0];
}

/** Each code (with the field that names it) the model does not list, with the closest one. */
function unknownLanguages(
  models: readonly Model[],
  model: Model,
  languages: ReadonlyArray<readonly [string, string]>,
): Array<{ field: string; value: string; message: string }> {
  // An alias lists no languages of its own in some answers: those of the model it stands for.
  const target =
    model.languages.length === 0 && model.aliased_model_id !== null
      ? (models.find((m) => m.id === model.aliased_model_id) ?? model)
      : model;
  const codes = target.languages.map((l) => l.code);
  const byName = new Map(target.languages.map((l) => [l.name.toLowerCase(), l.code]));
  return languages
    .filter(([, code]) => !codes.includes(code))
    .map(([field, code]) => {
      const guess = byName.get(code.toLowerCase()) ?? closest(code, codes);
      return {
        field,
        value: code,
        message: `is not a language code of ${model.id}${guess ? `: did you mean ${guess}?` : ''} (valid codes: ${codes.join(', ')})`,
      };
    });
}

/** The realtime start-message fields the model list speaks of. */
export interface RealtimeModelParams {
  model?: string | undefined;
  max_endpoint_delay_ms?: number | undefined;
  endpoint_sensitivity?: number | undefined;
  endpoint_latency_adjustment_level?: number | undefined;
  language_hints_strict?: boolean | undefined;
}

/** Each option set (not false) and the model's flag that must not be false for it. */
const SUPPORT_FLAGS = [
  ['max_endpoint_delay_ms', 'supports_max_endpoint_delay'],
  ['endpoint_sensitivity', 'supports_endpoint_sensitivity'],
  ['endpoint_latency_adjustment_level', 'supports_endpoint_latency_adjustment'],
  ['language_hints_strict', 'supports_language_hints_strict'],
] as const;

/**
 * What the model list says against a realtime session's options: an option whose `supports_*`
 * flag is false, a latency level over `endpoint_latency_adjustment_max_level`. A model the list
 * does not hold, or a flag it does not carry (older answers), passes: the server decides.
 */
export function realtimeModelIssues(
  models: readonly Model[],
  params: RealtimeModelParams,
  defaultModel: string,
): Array<{ field: string; message: string }> {
  const id = params.model ?? defaultModel;
  const entry = models.find((m) => m.id === id);
  if (entry === undefined) return [];
  const model =
    entry.aliased_model_id === null
      ? entry
      : (models.find((m) => m.id === entry.aliased_model_id) ?? entry);
  const issues: Array<{ field: string; message: string }> = [];
  for (const [field, flag] of SUPPORT_FLAGS) {
    const value = params[field];
    if (value === undefined || value === false || model[flag] !== false) continue;
    issues.push({ field, message: `is not supported by ${id} (${flag} is false)` });
  }
  const level = params.endpoint_latency_adjustment_level;
  const max = model.endpoint_latency_adjustment_max_level;
  if (level !== undefined && typeof max === 'number' && level > max && issues.length === 0)
    issues.push({
      field: 'endpoint_latency_adjustment_level',
      message: `is ${level}; ${id} allows at most ${max} (endpoint_latency_adjustment_max_level)`,
    });
  return issues;
}

/** Waits for `promise`, or rejects with SonioxAbortError when `signal` aborts first. */
function until<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  const aborted = () => new SonioxAbortError(`${what}: aborted`);
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The model list of one client (see the file comment). */
export class ModelCatalogue {
  #models: readonly Model[] | undefined;
  #fetching: Promise<readonly Model[] | undefined> | undefined;
  #unavailableUntil = 0;

  constructor(
    private readonly api: Models,
    /** The model a request without `model` gets (the client's `asyncModel`). */
    private readonly defaultModel: string,
    /** The model a realtime session without `model` gets (the client's `realtimeModel`). */
    private readonly realtimeModel: string = DEFAULT_REALTIME_MODEL,
  ) {}

  /**
   * Resolves when the parameters name an async model and language codes it has (or name none,
   * or the list cannot be had); throws SonioxValidationError, with the closest name, otherwise.
   */
  async check(params: ModelParams, options: ModelCheckOptions = {}): Promise<void> {
    const { translation, language_hints: hints } = params;
    if (params.model == null && (hints == null || hints.length === 0) && translation == null)
      return;
    const what = options.what ?? 'model check';
    // A list kept from an earlier call may be older than the name: a miss fetches it once more.
    const kept = this.#models;
    let models = await until(this.#list(), options.signal, what);
    let found = models && problem(models, params, this.defaultModel);
    if (found !== undefined && kept !== undefined) {
      // (Unless another call has fetched it again meanwhile.)
      if (this.#models === kept) this.#models = undefined;
      models = await until(this.#list(), options.signal, what);
      found = models && problem(models, params, this.defaultModel);
    }
    if (found === undefined) return;
    const label = options.labels?.[found.field] ?? found.field;
    const prefix = options.what === undefined ? '' : `${options.what}: `;
    throw new SonioxValidationError(`${prefix}${label} ${found.value} ${found.message}`, [
      { field: found.field, message: `${found.value} ${found.message}` },
    ]);
  }

  /**
   * The issues of every language code (`[field, code]`) the async model (default: the client's)
   * does not list, each with the closest code; none when the list cannot be had or names no such
   * model (check() reports that one).
   */
  async languageIssues(
    model: string | null | undefined,
    languages: ReadonlyArray<readonly [string, string]>,
    options: Omit<ModelCheckOptions, 'labels'> = {},
  ): Promise<FieldIssue[]> {
    if (languages.length === 0) return [];
    const id = model ?? this.defaultModel;
    const models = await until(this.#list(), options.signal, options.what ?? 'model check');
    const found = models?.find((m) => m.transcription_mode === 'async' && m.id === id);
    if (models === undefined || found === undefined) return [];
    return unknownLanguages(models, found, languages).map(({ field, value, message }) => ({
      field,
      message: `${value} ${message}`,
    }));
  }

  /**
   * Resolves when the model list allows a realtime session's endpoint options (see
   * realtimeModelIssues), or cannot be had; throws SonioxValidationError otherwise. Needs no
   * connection: run it before `client.realtime()` where a wrong level should fail at once.
   */
  async checkRealtime(
    params: RealtimeModelParams,
    options: Omit<ModelCheckOptions, 'labels'> = {},
  ): Promise<void> {
    const what = options.what ?? 'model check';
    const models = await until(this.#list(), options.signal, what);
    const issues = models ? realtimeModelIssues(models, params, this.realtimeModel) : [];
    if (issues.length === 0) return;
    const prefix = options.what === undefined ? '' : `${options.what}: `;
    const list = issues.map((i) => `${i.field} ${i.message}`).join('; ');
    throw new SonioxValidationError(`${prefix}${list}`, issues);
  }

  /** The list: kept, or fetched (one fetch in flight for all callers); undefined when unavailable. */
  #list(): Promise<readonly Model[] | undefined> {
    if (this.#models !== undefined) return Promise.resolve(this.#models);
    if (Date.now() < this.#unavailableUntil) return Promise.resolve(undefined);
    this.#fetching ??= this.api.list(LIST_CALL).then(
      ({ models }) => {
        this.#models = models;
        this.#fetching = undefined;
        return models;
      },
      () => {
        this.#unavailableUntil = Date.now() + LIST_RETRY_AFTER_MS;
        this.#fetching = undefined;
        return undefined;
      },
    );
    return this.#fetching;
  }
}

/** The catalogue of each client, for the code (the CLI) that checks with the client's own. */
const catalogues = new WeakMap<object, ModelCatalogue>();

/** Registers `client`'s catalogue (the client does, once). */
export function registerCatalogue(client: object, catalogue: ModelCatalogue): void {
  catalogues.set(client, catalogue);
}

/** The catalogue of a SonioxClient. */
export function catalogueOf(client: object): ModelCatalogue {
  const catalogue = catalogues.get(client);
  if (catalogue === undefined) throw new TypeError('catalogueOf: not a SonioxClient');
  return catalogue;
}

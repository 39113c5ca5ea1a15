/**
 * `client.translate()`: `transcribe()` with the translation shorthand of the official SDK
 * (lib/internal/translate-mode.ts) mapped onto the documented `translation` and
 * `language_hints`. Same sources, cleanup, signal and result. Every problem of the shorthand,
 * its codes checked against the client's model list too, is refused at once before an upload.
 */
import { isObject, rejectIssues } from './internal/issues';
import {
  modeCodes,
  translateFields,
  translateModeIssues,
  type TranslateMode,
} from './internal/translate-mode';
import {
  transcribe,
  type TranscribeAPI,
  type TranscribeOptions,
  type TranscribeResult,
  type TranscribeSource,
} from './transcribe';

export type { TranslateMode } from './internal/translate-mode';

/**
 * Options of `client.translate`: `to` (one-way, every spoken language into it; `from` hints the
 * source) or `between: [a, b]` (two-way), and every option of `client.transcribe` but
 * `translation`, which they set.
 */
export type TranslateOptions = Omit<TranscribeOptions, 'translation'> & TranslateMode;

/** Runs the flow (see the file comment). */
export async function translate(
  api: TranscribeAPI,
  source: TranscribeSource,
  options: TranslateOptions,
): Promise<TranscribeResult> {
  if (!isObject(options))
    rejectIssues('translate', [
      { field: 'options', message: "must be an object such as { to: 'de' }" },
    ]);
  const { to, from, between, ...rest } = options as TranslateOptions & Record<string, unknown>;
  const mode = { to, from, between };
  for (const key of ['to', 'from', 'between'] as const)
    if (mode[key] === undefined) delete mode[key];
  const target = rest as TranscribeOptions;
  const issues = translateModeIssues(mode, target);
  // The codes of the right shape against the model list: a wrong one fails before the upload,
  // in the same error as the rest.
  const shapeBad = new Set(issues.map((i) => i.field));
  const named = modeCodes(mode).filter(([field]) => !shapeBad.has(field));
  issues.push(
    ...((await api.catalogue?.languageIssues(target.model, named, {
      what: 'translate',
      signal: target.signal,
    })) ?? []),
  );
  rejectIssues('translate', issues);
  return transcribe(api, source, { ...target, ...translateFields(mode as TranslateMode, target) });
}

/**
 * The translation shorthand of `client.translate()` and `client.realtime({ translate })`, as the
 * official SDK has it: `{ to }` translates every spoken language into `to` (one-way), `{ to,
 * from }` also hints the source language, `{ between: [a, b] }` translates each of the two into
 * the other (two-way; both hinted). One function maps it onto the documented fields
 * (`translation` and `language_hints`) for both, and one collects every problem of it.
 */
import type { FieldIssue } from '../errors';
import type { TranslationConfig } from '../types';

/**
 * Which way to translate: `{ to }` (one-way, every spoken language into `to`), `{ to, from }`
 * (one-way, `from` hinted), or `{ between: [a, b] }` (two-way). Language codes such as `'de'`.
 */
export type TranslateMode =
  | { to: string; from?: string | undefined; between?: undefined }
  | { between: readonly [string, string]; to?: undefined; from?: undefined };

/** The fields the shorthand sets, and those it reads to check and merge. */
export interface TranslateTarget {
  translation?: TranslationConfig | null | undefined;
  language_hints?: string[] | null | undefined;
}

/**
 * Whether `code` is shaped as the API's language codes (`en`, `de`, `zh`; a region or script
 * suffix allowed; at most 10 characters, as a hint): a name (`German`) is refused without asking
 * the server.
 */
function isLanguageCode(code: string): boolean {
  const [head = '', ...rest] = code.split('-');
  return (
    code.length <= 10 &&
    /^[a-z]{2,3}$/.test(head) &&
    rest.every((p) => /^[A-Za-z0-9]{2,8}$/.test(p))
  );
}

/** Every language code the shorthand names, with the field that names it. */
export function modeCodes(mode: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const codes: Array<[string, unknown]> = [
    [`${prefix}to`, mode.to],
    [`${prefix}from`, mode.from],
  ];
  if (Array.isArray(mode.between))
    mode.between.forEach((code, i) => codes.push([`${prefix}between.${i}`, code]));
  return codes.filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/** The translation config and hints the shorthand stands for (the mode assumed free of issues). */
export function translateFields(
  mode: TranslateMode,
  target: TranslateTarget,
): { translation: TranslationConfig; language_hints?: string[] } {
  const translation: TranslationConfig =
    mode.between !== undefined
      ? { type: 'two_way', language_a: mode.between[0], language_b: mode.between[1] }
      : { type: 'one_way', target_language: mode.to };
  const named = mode.between !== undefined ? [...mode.between] : mode.from ? [mode.from] : [];
  // The shorthand's languages first, then the caller's own hints, each once.
  const hints = [...new Set([...named, ...(target.language_hints ?? [])])];
  return hints.length > 0 ? { translation, language_hints: hints } : { translation };
}

/**
 * Every problem of the shorthand (fields prefixed with `prefix`, e.g. `translate.`) and of the
 * fields beside it: `to` with `between`, `from` without a one-way `to`, a malformed pair, the
 * same language twice, a code of the wrong shape, or a `translation` of the caller's that says
 * otherwise (one equal to what the shorthand sets is no contradiction).
 */
export function translateModeIssues(
  mode: unknown,
  target: TranslateTarget,
  prefix = '',
): FieldIssue[] {
  if (mode === null || typeof mode !== 'object' || Array.isArray(mode))
    return [
      {
        field: prefix.replace(/\.$/, '') || 'options',
        message: "must be an object such as { to: 'de' } or { between: ['en', 'es'] }",
      },
    ];
  const m = mode as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field: prefix + field, message });
  const { to, from, between } = m;
  if (to === undefined && between === undefined)
    add('to', "or between is required: to: 'de' (one-way) or between: ['en', 'es']");
  if (to !== undefined && between !== undefined)
    add('between', 'cannot go with to: one-way (to) or two-way (between), not both');
  if (from !== undefined && between !== undefined)
    add('from', 'cannot go with between: both languages of a two-way translation are hinted');
  if (
    between !== undefined &&
    !(
      Array.isArray(between) &&
      between.length === 2 &&
      between.every((code) => typeof code === 'string') &&
      between[0] !== between[1]
    )
  )
    add('between', "must be two different language codes, such as ['en', 'es']");
  if (from !== undefined && from === to) add('from', 'must differ from to');
  for (const [field, code] of modeCodes(m))
    if (!isLanguageCode(code)) add(field, `must be a language code such as 'de', not ${code}`);
  for (const [field, code] of [
    ['to', to],
    ['from', from],
  ] as const)
    if (code !== undefined && typeof code !== 'string') add(field, 'must be a language code');
  if (target.translation != null) {
    const derived = issues.length === 0 && translateFields(m as TranslateMode, target).translation;
    if (JSON.stringify(derived) !== JSON.stringify(target.translation))
      issues.push({
        field: 'translation',
        message: `is set from ${prefix}to or ${prefix}between: leave it out`,
      });
  }
  return issues;
}

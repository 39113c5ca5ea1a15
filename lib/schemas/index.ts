/**
 * The ajv wrapper. A build ships every schema compiled ahead of time, one file per schema
 * (dist/schemas/validators/<name>.js, ajv standalone code), so no ajv compiler loads at all and a
 * call loads only the validator it needs; without them (specs under ts-node), one Ajv instance is
 * created on first use and each schema compiled once on first use. Nothing here runs at import
 * or client construction, so `new SonioxClient()` stays cheap.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { requestSchemas, responseSchemas, type SchemaName } from './definitions';

export * from './definitions';
export * from './context';

/** One problem found by a schema, located like the API's own `validation_errors`. */
export interface SchemaIssue {
  /** Dotted path of the offending field, e.g. `translation.target_language` (`` for the root). */
  field: string;
  message: string;
  keyword: string;
  /** The failed keyword's parameters (`limit` of a maximum, `missingProperty`...). */
  params?: Record<string, unknown>;
}

type AjvCtor = typeof import('ajv').default;
let ajv: InstanceType<AjvCtor> | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function schemaOf(name: SchemaName): object {
  // Every name is in one of the two tables (a response name wins, as it always has).
  const schemas: Record<SchemaName, object> = { ...requestSchemas, ...responseSchemas };
  return schemas[name];
}

/** The build's table of precompiled validators (scripts/build-validators.js), null where there is none (ts-node). */
let precompiledTable:
  { precompiled(name: string): ValidateFunction | undefined } | null | undefined;

/** The build's ahead-of-time validator for `name`, or undefined where there is none (ts-node). */
function precompiledValidator(name: SchemaName): ValidateFunction | undefined {
  if (precompiledTable === undefined) {
    try {
      // A literal path, so that a bundle takes the table (and every validator) in; the build
      // writes it beside this file's output, lib/ has none.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      precompiledTable = require('./validators/index.js') as typeof precompiledTable;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      precompiledTable = null;
    }
  }
  return precompiledTable?.precompiled(name);
}

/** The validator for a schema: the build's precompiled one, else compiled on first call and cached. */
export function getValidator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    fn = precompiledValidator(name);
    if (!fn) {
      if (!ajv) {
        // Required here rather than imported at the top: loading ajv costs a few ms.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Ajv = (require('ajv') as { default: AjvCtor }).default;
        ajv = new Ajv({ allErrors: true, strict: false });
      }
      fn = ajv.compile(schemaOf(name));
    }
    compiled.set(name, fn);
  }
  return fn;
}

function toIssue(error: ErrorObject): SchemaIssue {
  let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    field = field ? `${field}.${missing}` : missing;
  }
  return {
    field,
    message: error.message ?? 'is invalid',
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
  };
}

/**
 * Checks `data` against a named schema; returns the issues found (empty when valid). Issues
 * from `anyOf` branches are collapsed to one per field so messages stay readable.
 */
export function validate(name: SchemaName, data: unknown): SchemaIssue[] {
  const fn = getValidator(name);
  if (fn(data)) return [];
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of fn.errors ?? []) {
    if (error.keyword === 'if') continue;
    const issue = toIssue(error);
    if (seen.has(issue.field)) continue;
    seen.add(issue.field);
    issues.push(issue);
  }
  return issues;
}

/** Formats issues as one line each: `field: message`. */
export function describeIssues(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.field || '(root)'}: ${i.message}`).join('; ');
}

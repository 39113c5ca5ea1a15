// `npm run typecheck-lint`: the type check and the lint in one process over one TypeScript
// program, what `npm run typecheck` and `npm run lint`'s eslint do one after the other, for
// less CPU (run by hand: `npm test` runs the type check, CI's next step `npm run lint`). The
// lint's type-aware rules need the whole program type-checked; run apart, tsc and typescript-eslint
// each built and checked it (14 and 55 s of CPU cold, measured on 2 cores); here the lint asks
// the program tsc has just checked, whose checker already holds every type (48 s for both).
// Same settings as the two scripts (package.json; spec/scripts/typecheck-lint.spec.ts keeps
// them equal): tsc's incremental build info and eslint's content cache, both under
// node_modules/.cache. Prints tsc's diagnostics, then eslint's stylish report; exits 2 on a
// type error, 1 on a lint error (the type error first), 0 otherwise.
'use strict';
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
/** What `npm run typecheck` passes to tsc. */
const TSCONFIG = 'tsconfig.json';
const TS_BUILD_INFO = 'node_modules/.cache/tsc/typecheck.tsbuildinfo';
/** What `npm run lint` passes to eslint. */
const LINT_CACHE = 'node_modules/.cache/eslint/';
const LINT_DIRS = ['lib', 'spec', 'perf', 'scripts', 'fixtures', 'examples'];

/** tsc -p tsconfig.json --noEmit --incremental: the checked program and its diagnostics. */
function typecheck(ts) {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts, [d]) };
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, TSCONFIG),
    { noEmit: true, incremental: true, tsBuildInfoFile: path.join(ROOT, TS_BUILD_INFO) },
    host,
  );
  const builder = ts.createIncrementalProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    host: ts.createIncrementalCompilerHost(parsed.options),
  });
  // tsc's order: syntax first, and the semantic check only when the syntax is sound.
  let diagnostics = [
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
  ];
  if (diagnostics.length === 0)
    diagnostics = [...builder.getGlobalDiagnostics(), ...builder.getSemanticDiagnostics()];
  // With noEmit, this writes only the build info (the diagnostics of each file included), so
  // that the next run checks again only what changed, as `npm run typecheck` does.
  builder.emit();
  return { program: builder.getProgram(), diagnostics };
}

function fail(ts, diagnostics) {
  process.stdout.write(format(ts, diagnostics));
  process.exit(2);
}

function format(ts, diagnostics) {
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  };
  const text = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host)
    : ts.formatDiagnostics(diagnostics, host);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  return `${text}\nFound ${errors} error${errors === 1 ? '' : 's'}.\n`;
}

/**
 * typescript-eslint's parser, answering every TypeScript file from `program` instead of a
 * program of its own for `parserOptions.project`. Its name is in eslint's cache key, so the
 * results cached by `npm run lint` and by this script do not stand for one another.
 */
function sharedProgramParser(parser, program) {
  return {
    meta: { name: 'typescript-eslint/parser+shared-program', version: parser.version },
    parseForESLint: (code, options) =>
      parser.parseForESLint(code, { ...options, programs: [program] }),
  };
}

async function lint(program) {
  const { ESLint } = require('eslint');
  const parser = require('@typescript-eslint/parser');
  const eslint = new ESLint({
    cwd: ROOT,
    cache: true,
    cacheLocation: path.join(ROOT, LINT_CACHE),
    cacheStrategy: 'content',
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: sharedProgramParser(parser, program) } },
    ],
  });
  const results = await eslint.lintFiles(LINT_DIRS);
  const formatter = await eslint.loadFormatter('stylish');
  const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
  return { text: await formatter.format(results), errors };
}

async function main() {
  process.chdir(ROOT);
  const ts = require('typescript');
  const { program, diagnostics } = typecheck(ts);
  if (diagnostics.length > 0) process.stdout.write(format(ts, diagnostics));
  const linted = await lint(program);
  process.stdout.write(linted.text);
  if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) process.exitCode = 2;
  else if (linted.errors > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}

module.exports = { TSCONFIG, TS_BUILD_INFO, LINT_CACHE, LINT_DIRS };

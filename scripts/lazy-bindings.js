// Makes the module bindings of tsc's CommonJS output lazy, before esbuild bundles it: a
// `const errors_1 = require("./errors");` at the top of a module becomes a memoized function,
// and each use `errors_1.X` becomes `(errors_1()).X`, so that a module runs when its first export
// is read, not when a module that imports it runs. Why: requiring the package ran every module
// of the bundle (the realtime streams, batch, cassettes, transcript helpers, webhooks) and loaded
// `node:stream` and `node:fs/promises` for their classes; most programs use a few of them. The
// bundle still holds all the code (parsed once, cheaply); what is deferred is running it.
// Only our own modules (relative paths) and Node's built-ins are made lazy: packages are already
// loaded at their call sites, and a `require` without a binding (a side-effect import,
// `__exportStar`) stays where it is. The lines stay where they were, so source maps still point
// to the right line of lib/*.ts.
'use strict';

/**
 * A top-level binding of a required module as tsc writes it: `const x_1 = require("./x");`,
 * wrapped or not in tsc's `__importDefault(...)` / `__importStar(...)` helpers. `var` is tsc's
 * word for re-exports (`export { X } from './x'`).
 */
const BINDING =
  /^(const|var) (\w+_\d+) = ((?:__importDefault|__importStar)\()?require\("((?:\.{1,2}\/|node:)[^"]+)"\)\)?;$/gm;

/**
 * The source with each lazy-able binding made lazy (see the file's comment). A binding is left
 * as it was where its name appears otherwise than as `name.` or `name)` (a use this rewrite does
 * not know), so that an unknown shape stays eager rather than broken.
 */
function lazyBindings(source) {
  const bindings = [];
  for (const match of source.matchAll(BINDING)) bindings.push(match);
  let out = source;
  for (const [line, keyword, name, helper, specifier] of bindings) {
    // `name` is tsc's `\w+_\d+`, matched above: no character of a pattern in it.
    /* eslint-disable security/detect-non-literal-regexp */
    const uses = new RegExp(`\\b${name}\\b`, 'g');
    const known = new RegExp(`\\b${name}(?=[.)])`, 'g');
    /* eslint-enable security/detect-non-literal-regexp */
    // One occurrence is the declaration itself.
    const all = out.match(uses)?.length ?? 0;
    const plain = out.match(known)?.length ?? 0;
    if (all - 1 !== plain) continue;
    const required = helper ? `${helper}require("${specifier}"))` : `require("${specifier}")`;
    const memo = `${name}$m`;
    const lazy = `let ${memo}; ${keyword === 'var' ? 'var' : 'const'} ${name} = () => (${memo} ??= ${required});`;
    const [before, after] = splitAt(out, line);
    // In parentheses: `new errors_1.X()` must stay `new (errors_1()).X()`, not `new errors_1()`.
    out = before + lazy + after.replace(known, `(${name}())`);
  }
  return out;
}

/** `source` cut just before and after the first occurrence of `line`, which it holds. */
function splitAt(source, line) {
  const at = source.indexOf(line);
  return [source.slice(0, at), source.slice(at + line.length)];
}

module.exports = { lazyBindings };

// Bundles each entry point tsc wrote (dist/index.js, dist/mock/index.js, dist/cli/index.js) into
// one file in its place, with esbuild. Requiring the package read ~100 of our own files (each
// one resolved, read and compiled: most of the package's load time, 4-5x @soniox/node's single
// file); one file per entry loads in a fraction of that. Dependencies stay external (they load
// lazily, as before), tsc's declarations stay as they are, and the source maps are chained
// back to lib/*.ts. Then the per-file JavaScript no entry needs any more is removed, so the
// package ships each module once.
'use strict';
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under this repository's dist/, from the fixed list below */
const fs = require('node:fs');
const path = require('node:path');
const { lazyBindings } = require('./lazy-bindings');

const dist = path.join(__dirname, '..', 'dist');
/** The entry points the package exposes (exports "." and "./mock", and the bin). */
const ENTRIES = ['index.js', path.join('mock', 'index.js'), path.join('cli', 'index.js')];

/**
 * Keeps the precompiled validators (scripts/build-validators.js) out of the bundle, as files
 * each loaded on its first use: the table's `require` is rewritten relative to the bundle's
 * own directory. In the bundle they would be parsed on every load (a third of its size).
 */
function validatorsBesideTheBundle(outdir) {
  return {
    name: 'validators-beside-the-bundle',
    setup(build) {
      build.onResolve({ filter: /[\\/]validators[\\/]index\.js$/ }, (args) => {
        const target = path.join(args.resolveDir, args.path);
        let relative = path.relative(outdir, target).split(path.sep).join('/');
        if (!relative.startsWith('.')) relative = `./${relative}`;
        return { path: relative, external: true };
      });
    },
  };
}

/** Runs each of tsc's modules only when one of its exports is first read (lazy-bindings.js). */
function lazyModules() {
  return {
    name: 'lazy-modules',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => ({
        contents: lazyBindings(fs.readFileSync(args.path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}

/**
 * Bundles one entry from tsc's output, in memory: the bundles are written only when all of them
 * are made, so that no entry takes in another's bundle (the CLI requires the mock's entry).
 */
async function bundleEntry(esbuild, entry) {
  const file = path.join(dist, entry);
  const result = await esbuild.build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // axios, ws, ajv and the rest stay `require`d at their lazy call sites.
    packages: 'external',
    // Two modules with a function of the same name must not rename a class (error.name, logs).
    keepNames: true,
    // Minified afterwards (minified): here the map goes inline, for that step to chain.
    sourcemap: 'inline',
    sourcesContent: true,
    // The CLI keeps its shebang line from the source (esbuild carries a leading #! over).
    logLevel: 'warning',
    metafile: true,
    write: false,
    plugins: [validatorsBesideTheBundle(path.dirname(file)), lazyModules()],
  });
  return {
    inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(input)),
    outputs: result.outputFiles.map((output) => minified(esbuild, output.path, output.text)),
  };
}

/**
 * The bundle minified, and its source map (chained to lib/*.ts through the inline one). V8
 * parses the whole file on each require: minified, it is half the bytes, and the require costs
 * about 0.75x the CPU time (15.6 ms against 21.5, one interleaved run of 9). A second pass and
 * not the bundle's own `minify`: that one writes each module as an arrow function passed to
 * esbuild's wrapper, which V8 compiles eagerly on load (the require cost 22.2 ms in that run).
 */
function minified(esbuild, file, code) {
  const map = `${path.basename(file)}.map`;
  const result = esbuild.transformSync(code, {
    minify: true,
    keepNames: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'external',
    sourcesContent: true,
    sourcefile: path.basename(file),
  });
  return [
    { path: file, contents: `${result.code}//# sourceMappingURL=${map}\n` },
    { path: `${file}.map`, contents: result.map },
  ];
}

/** Every .js (and its .js.map) under dir. */
function scripts(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...scripts(p));
    else if (entry.name.endsWith('.js')) out.push(p);
  }
  return out;
}

async function main() {
  const esbuild = require('esbuild');
  const before = scripts(dist);
  const bundled = new Set();
  const outputs = [];
  for (const entry of ENTRIES) {
    const made = await bundleEntry(esbuild, entry);
    for (const input of made.inputs) bundled.add(input);
    outputs.push(...made.outputs.flat());
  }
  for (const output of outputs) fs.writeFileSync(output.path, output.contents);
  const keep = new Set(ENTRIES.map((entry) => path.join(dist, entry)));
  for (const file of before) {
    // Only files an entry took in are removed: a script nothing bundled stays where it is.
    if (keep.has(file) || !bundled.has(file)) continue;
    fs.rmSync(file);
    fs.rmSync(`${file}.map`, { force: true });
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(
      `bundle failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}

module.exports = { ENTRIES };

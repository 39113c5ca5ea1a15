// `npm run build`: the steps that make dist/, in order, in one place (npm scripts, prepare and
// perf/ all run this file): tsc (JavaScript, declarations, source maps), the precompiled
// validators (they read tsc's schema definitions), the bundle of each entry point (it takes the
// validators in), then the ESM wrappers (they list the bundled entries' export names).
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** The build's steps: a label and the node arguments of each. */
const STEPS = [
  [
    'tsc',
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  ],
  ['validators', [path.join(__dirname, 'build-validators.js')]],
  ['bundle', [path.join(__dirname, 'bundle.js')]],
  ['esm wrappers', [path.join(__dirname, 'esm-wrappers.js')]],
];

function main() {
  for (const [label, args] of STEPS) {
    try {
      execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch {
      process.stderr.write(`build failed at its ${label} step\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) process.exitCode = main();

module.exports = { STEPS };

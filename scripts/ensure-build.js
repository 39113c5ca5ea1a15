// Builds dist/ when it is missing or older than a source it is made from, and does nothing
// otherwise. `npm ci` in a clone builds through `prepare` (scripts/prepare.js, which uses
// staleReason), but an edit to lib/ makes dist/ stale again: the scripts that run the built
// package (demo, mock, the end-to-end specs) call this first. `prepack` always builds.
'use strict';
/* eslint-disable security/detect-non-literal-fs-filename -- every path is one of this repository's own build inputs or outputs, listed below, never user input */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
/** Files every build rewrites (tsc, then the ESM wrappers): their age is the build's age. */
const OUTPUTS = ['dist/index.js', 'dist/index.mjs', 'dist/mock/index.mjs'];
/** The last step's output (precompiled validators): it must exist too. */
const LAST = 'dist/schemas/validators';
/** What the build reads. */
const INPUTS = [
  'lib',
  'scripts/build.js',
  'scripts/build-validators.js',
  'scripts/bundle.js',
  'scripts/esm-wrappers.js',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];

function newest(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) max = Math.max(max, newest(path.join(file, entry)));
  return max;
}

function oldestOutput() {
  if (!fs.existsSync(path.join(root, LAST))) return -Infinity;
  let min = Infinity;
  for (const out of OUTPUTS) {
    const file = path.join(root, out);
    if (!fs.existsSync(file)) return -Infinity;
    min = Math.min(min, fs.statSync(file).mtimeMs);
  }
  return min;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
function staleReason() {
  const built = oldestOutput();
  if (built === -Infinity) return 'dist/ is missing or incomplete';
  for (const input of INPUTS) {
    const file = path.join(root, input);
    if (fs.existsSync(file) && newest(file) > built) return `${input} is newer than dist/`;
  }
  return null;
}

if (require.main === module) {
  const reason = staleReason();
  if (reason !== null) {
    process.stderr.write(`building dist/ (${reason})\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  }
}

module.exports = { staleReason };

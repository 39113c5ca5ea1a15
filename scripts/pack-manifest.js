// `prepack` / `postpack`: takes the `prepare` script out of package.json while npm packs, and
// puts it back afterwards. npm lists `prepare` as an install script of any package that is not
// from the registry (a tarball, a git URL) and prints `npm warn install-scripts` lines in every
// consumer's install for it; the tarball has dist/ built, so its `prepare` would have nothing
// to do. `strip` keeps the original bytes in package.json.prepack (git-ignored) and `restore`
// writes them back: a failed pack leaves that file, and the next `strip` or `restore` uses it.
// Both keep package.json's modification time: dist/ is stale when package.json is newer
// (scripts/ensure-build.js), and a pack must not make the next e2e spec rebuild it.
'use strict';
/* eslint-disable security/detect-non-literal-fs-filename -- the two paths are this repository's package.json and its backup */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const manifest = path.join(root, 'package.json');
const backup = path.join(root, 'package.json.prepack');

/** Gives `to` the access and modification times of `from`. */
function sameTimes(from, to) {
  const { atime, mtime } = fs.statSync(from);
  fs.utimesSync(to, atime, mtime);
}

function strip() {
  // A backup left by a failed pack is the original: never overwrite it with a stripped copy.
  if (!fs.existsSync(backup)) {
    fs.copyFileSync(manifest, backup);
    sameTimes(manifest, backup);
  }
  const pkg = JSON.parse(fs.readFileSync(backup, 'utf8'));
  delete pkg.scripts.prepare;
  fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  sameTimes(backup, manifest);
}

function restore() {
  if (!fs.existsSync(backup)) return;
  fs.copyFileSync(backup, manifest);
  sameTimes(backup, manifest);
  fs.rmSync(backup);
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'restore') restore();
else {
  process.stderr.write('usage: node scripts/pack-manifest.js strip|restore\n');
  process.exitCode = 2;
}

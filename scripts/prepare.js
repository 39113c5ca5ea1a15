// npm's `prepare`: it runs after `npm install` / `npm ci` in a clone, and it is the only script
// npm's git fetcher runs when a consumer installs from a git URL (`npm install
// git+https://...`), which would otherwise install a package with no dist/ and exit 0. So:
// build dist/ when it is missing or stale, or fail loudly, saying what to run, when the build
// tools (devDependencies) are not there. The packed tarball carries no `prepare` (prepack
// strips it: scripts/pack-manifest.js), so tarball installs run no install script at all.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { staleReason } = require('./ensure-build.js');

const root = path.join(__dirname, '..');

/** Why the build cannot run here, or null when its tools are installed. */
function missingTools() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return fs.existsSync(tsc) ? null : 'typescript (a devDependency) is not installed';
}

function main() {
  const reason = staleReason();
  if (reason === null) return 0;
  const missing = missingTools();
  if (missing !== null) {
    process.stderr.write(
      `soniox-pro-sdk: cannot build dist/ (${reason}): ${missing}.\n` +
        `Run, in ${root}: npm install --include=dev && npm run build\n`,
    );
    return 1;
  }
  process.stderr.write(`soniox-pro-sdk: building dist/ (${reason})\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  return 0;
}

if (require.main === module) process.exitCode = main();

module.exports = { main };

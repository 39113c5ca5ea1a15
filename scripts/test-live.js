// `npm run test:live [-- --record <dir>]`: the live suite (spec/live/live.test.ts) against the
// real Soniox API with SONIOX_API_KEY, or wherever SONIOX_API_BASE_URL / SONIOX_REALTIME_URL
// point. `--record <dir>` sets SONIOX_RECORD=<dir>: every client of the suite writes its
// cassettes there, for `startMockServer({ replay: dir })` / `soniox mock --replay dir`.
// Without a key the suite is skipped with its reason (exit 0). Never part of `npm test`.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const env = { ...process.env };
const at = args.indexOf('--record');
if (at >= 0) {
  const dir = args[at + 1];
  if (!dir || dir.startsWith('-')) {
    console.error(
      'test:live: --record needs a directory: npm run test:live -- --record cassettes/',
    );
    process.exit(2);
  }
  env.SONIOX_RECORD = path.resolve(dir);
  args.splice(at, 2);
}
const root = path.join(__dirname, '..');
const child = spawn(
  process.execPath,
  [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'spec/live/live.test.ts', ...args],
  { cwd: root, env, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));

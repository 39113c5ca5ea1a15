// `npm run mutate -- [target ...]`: runs Stryker with stryker.conf.mjs once per target (all of
// them when none is named), one after the other, and stops at the first that fails.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ALL = [
  'realtime',
  'pieces',
  'stream',
  'http',
  'rest',
  'upload',
  'transport',
  'quota',
  'job',
  'transcript',
  'batch',
  'batch-journal',
  'batch-flow',
  'mock',
  'mock-ws',
  'telephony',
  'rollover',
  'stream-parts',
  'record',
  'config',
  'internal',
];
const targets = process.argv.slice(2);

for (const target of targets.length > 0 ? targets : ALL) {
  if (!ALL.includes(target)) {
    console.error(`unknown mutation target '${target}': one of ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== mutation target: ${target}`);
  const stryker = path.join(ROOT, 'node_modules', '.bin', 'stryker');
  const result = spawnSync(stryker, ['run', 'stryker.conf.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, STRYKER_TARGET: target },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// `npm test`: the type check and the unit specs (under nyc, with the coverage gates), each an
// npm script of its own, the type check beside the specs. The lint and the format check are
// `npm run lint`, which .ci/run runs as its own step right after `npm test` (they still fail
// CI), as ws and openai-node do: cold, as in CI, they cost about 60 s of CPU (the type-aware
// lint 46 to 58 s with the type check, prettier 14), the unit specs under nyc about 60, so that
// with them `npm test` needed about 120 s of CPU, a minute or more of wall time on an idle
// 2-core machine whatever the order (CI measured 70 and 83 s); without them, about 80 s of CPU,
// the specs in two mocha workers (`test:unit`) so that neither core idles once the type check
// is done: 47 s on an idle machine (CONTRIBUTING.md has the figures). The specs stream their
// output; the type check's output is printed when both are done, with a summary line per step
// (its time and status). Exit status: the first failure's, or 0.
'use strict';
const { spawn } = require('node:child_process');

/** The steps, by npm script name: the checks, one after another, and the streamed specs. */
const CHECKS = ['typecheck'];
const STREAMED = 'test:unit';

/** Runs `npm run -s <script>`; resolves with its status, time and (unless streamed) output. */
function run(script, streamed) {
  const started = process.hrtime.bigint();
  // npm sets npm_execpath for its scripts; outside npm, the npm on the PATH.
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.execPath, [npm, 'run', '-s', script]]
    : ['npm', ['run', '-s', script]];
  const child = spawn(command, args, { stdio: streamed ? 'inherit' : 'pipe' });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (text) => (output += text));
  }
  return new Promise((resolve) => {
    const done = (code) =>
      resolve({
        script,
        code,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        output,
      });
    child.on('error', (e) => {
      output += String(e);
      done(1);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

/**
 * What `npm test` prints after the specs (each check's output, then a line per step) and its
 * exit status (the first failed step's, or 0), from the steps' results in CHECKS order, the
 * streamed step last.
 */
function report(results, totalMs) {
  const lines = [];
  for (const r of results) {
    if (r.script !== STREAMED && r.output.trim())
      lines.push(`\n== ${r.script}`, r.output.trimEnd());
  }
  lines.push('', 'npm test steps (the type check beside the unit specs):');
  for (const r of results) {
    const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`;
    lines.push(`  ${seconds(r.ms)}  ${r.script.padEnd(14)} ${status}`);
  }
  lines.push(`  ${seconds(totalMs)}  in all`, '');
  const failed = results.find((r) => r.code !== 0);
  return { text: lines.join('\n') + '\n', code: failed ? failed.code || 1 : 0 };
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1).padStart(5)} s`;
}

async function main() {
  const started = process.hrtime.bigint();
  const unit = run(STREAMED, true);
  const checks = [];
  for (const script of CHECKS) checks.push(await run(script, false));
  const results = [...checks, await unit];
  const { text, code } = report(results, Number(process.hrtime.bigint() - started) / 1e6);
  process.stdout.write(text);
  process.exitCode = code;
}

if (require.main === module) void main();

module.exports = { report, CHECKS, STREAMED };

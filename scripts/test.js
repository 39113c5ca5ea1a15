// `npm test`: the type check with the lint, the format check and the unit specs (under nyc,
// with the coverage gates), each an npm script of its own. The type check and the lint are one
// step over one TypeScript program (scripts/typecheck-lint.js: apart, each built and checked
// it, a third of the CPU of a cold run). The unit specs start first, and the checks run one
// after the other beside them, the longer first, so that two busy processes share the 2 cores
// instead of three or four (all at once, the checks took half the CPU from the specs in the
// first half of the run; a lower priority for the checks starved them instead when other work
// shared the machine). The specs stream their output; each check's output is printed when all
// are done, with a summary line per step (its time and status). Exit status: the first
// failure's, or 0.
'use strict';
const { spawn } = require('node:child_process');

/** The steps, by npm script name; the last one streams its output. */
const CHECKS = ['typecheck-lint', 'format:check'];
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
  lines.push('', 'npm test steps (the checks one after another, beside the unit specs):');
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

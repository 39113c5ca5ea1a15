'use strict';
/**
 * mocha reporter: mocha's dot reporter, then the 10 slowest specs and the 10 slowest spec
 * files, so that a suite that gets slow says where its time went (pytest's --durations=10).
 * A file's time is the wall time of its top-level suites, hooks included, when mocha runs
 * serially; in parallel mode it is the sum of its specs' durations (hooks run in a worker).
 * SLOWEST=N changes how many lines each list has; SLOWEST=0 prints none.
 */
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } =
  Mocha.Runner.constants;

class SlowestReporter extends Mocha.reporters.Dot {
  constructor(runner, options) {
    super(runner, options);
    const count = Number(process.env.SLOWEST ?? 10);
    const tests = [];
    const fileWall = new Map();
    const fileSum = new Map();
    const started = new Map();
    const started0 = Date.now();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent && suite.parent.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const at = started.get(suite);
      if (at === undefined) return;
      const file = relative(suite.file);
      fileWall.set(file, (fileWall.get(file) ?? 0) + Date.now() - at);
    });
    runner.on(EVENT_TEST_END, (test) => {
      if (typeof test.duration !== 'number') return;
      const file = relative(test.file);
      tests.push({ title: test.fullTitle(), file, ms: test.duration });
      fileSum.set(file, (fileSum.get(file) ?? 0) + test.duration);
    });
    // After the dot reporter's epilogue (registered first, so it runs first).
    runner.once(EVENT_RUN_END, () => {
      if (!(count > 0)) return;
      const out = [];
      out.push(`  slowest ${count} specs:`);
      for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, count)) {
        out.push(`  ${ms(t.ms)}  ${t.title} (${t.file})`);
      }
      const files = fileWall.size > 0 ? fileWall : fileSum;
      out.push(
        '',
        `  slowest ${count} files (${fileWall.size > 0 ? 'wall time' : 'sum of specs'}):`,
      );
      for (const [file, t] of [...files].sort((a, b) => b[1] - a[1]).slice(0, count)) {
        out.push(`  ${ms(t)}  ${file}`);
      }
      out.push('', `  mocha wall time: ${ms(Date.now() - started0)}`, '');
      process.stdout.write(out.join('\n') + '\n');
    });
  }
}

function relative(file) {
  return file ? path.relative(process.cwd(), file) : '(unknown file)';
}

function ms(n) {
  return `${(n / 1000).toFixed(2).padStart(7)} s`;
}

module.exports = SlowestReporter;

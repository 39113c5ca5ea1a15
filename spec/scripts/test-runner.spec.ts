/**
 * `npm test` runs the type check beside the unit specs (under nyc), then reports each step and
 * fails with the first failure. The lint and the format check are `npm run lint`, the step of
 * CI right after `npm test` (they still fail CI): beside the unit specs they made `npm test`
 * about 120 s of CPU cold, a minute of wall time on an idle 2-core machine at best
 * (CONTRIBUTING.md has the figures).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Result {
  script: string;
  code: number | null;
  ms: number;
  output: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { report, CHECKS, STREAMED } = require('../../scripts/test.js') as {
  report(results: Result[], totalMs: number): { text: string; code: number };
  CHECKS: string[];
  STREAMED: string;
};

const ok = (script: string, output = ''): Result => ({ script, code: 0, ms: 1500, output });

describe('scripts/test: the npm test runner', () => {
  it('runs the type check beside the unit specs', () => {
    expect(CHECKS).to.deep.equal(['typecheck']);
    expect(STREAMED).to.equal('test:unit');
  });

  it('leaves the lint and the format check to npm run lint, which CI runs right after npm test', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.lint).to.match(/^eslint .* && npm run -s format:check$/);
    const steps = read('.ci/run')
      .split('\n')
      .filter((line) => /^npm (test|run )/.test(line));
    expect(steps.slice(steps.indexOf('npm test'), steps.indexOf('npm test') + 2)).to.deep.equal([
      'npm test',
      'npm run lint',
    ]);
  });

  it('exits 0 and prints a line per step with its time when every step passed', () => {
    const { text, code } = report([...CHECKS.map((c) => ok(c)), ok(STREAMED)], 2500);
    expect(code).to.equal(0);
    expect(text).to.match(/^ +1\.5 s {2}typecheck +ok$/m);
    expect(text).to.match(/^ +1\.5 s {2}test:unit +ok$/m);
    expect(text).to.match(/^ +2\.5 s {2}in all$/m);
  });

  it("fails with the first failed step's status and prints that check's output", () => {
    const results = [
      { script: 'typecheck', code: 2, ms: 3000, output: 'lib/a.ts(1,7): error TS2322\n' },
      { script: STREAMED, code: 1, ms: 9000, output: '' },
    ];
    const { text, code } = report(results, 9000);
    expect(code).to.equal(2);
    expect(text).to.include('== typecheck\nlib/a.ts(1,7): error TS2322');
    expect(text).to.match(/typecheck +FAILED \(exit 2\)/);
    expect(text).to.match(/test:unit +FAILED \(exit 1\)/);
  });

  it('counts a step killed by a signal (no exit code) as failed', () => {
    const results = [
      ...CHECKS.map((c) => ok(c)),
      { script: STREAMED, code: null, ms: 1, output: '' },
    ];
    expect(report(results, 1).code).to.equal(1);
  });
});

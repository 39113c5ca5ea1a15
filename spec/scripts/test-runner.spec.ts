/**
 * `npm test` runs the checks one after another beside the unit specs, then reports each step
 * and fails with the first failure. The type check and the lint are one step over one
 * TypeScript program (scripts/typecheck-lint.js): apart, each built and checked it.
 */
import { expect } from 'chai';

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
  it('runs the type check with the lint (one step, the longer first), the format check and the unit specs', () => {
    expect(CHECKS).to.deep.equal(['typecheck-lint', 'format:check']);
    expect(STREAMED).to.equal('test:unit');
  });

  it('exits 0 and prints a line per step with its time when every step passed', () => {
    const { text, code } = report([...CHECKS.map((c) => ok(c)), ok(STREAMED)], 2500);
    expect(code).to.equal(0);
    expect(text).to.match(/^ +1\.5 s {2}typecheck-lint +ok$/m);
    expect(text).to.match(/^ +1\.5 s {2}test:unit +ok$/m);
    expect(text).to.match(/^ +2\.5 s {2}in all$/m);
  });

  it("fails with the first failed step's status and prints that check's output", () => {
    const results = [
      { script: 'typecheck-lint', code: 2, ms: 3000, output: 'lib/a.ts(1,7): error TS2322\n' },
      ok('format:check'),
      { script: STREAMED, code: 1, ms: 9000, output: '' },
    ];
    const { text, code } = report(results, 9000);
    expect(code).to.equal(2);
    expect(text).to.include('== typecheck-lint\nlib/a.ts(1,7): error TS2322');
    expect(text).to.match(/typecheck-lint +FAILED \(exit 2\)/);
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

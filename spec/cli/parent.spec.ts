/** The parent recorded at start, and the orphaned-at-start test of `soniox mock` (parent.ts). */
import { expect } from 'chai';
import { orphanedAtStart, PARENT_AT_START } from '../../lib/cli/parent';

/** A /proc/self/stat line: pid (comm) state ppid pgrp session ... */
const stat = (pid: number, comm: string, ppid: number, pgrp: number) => () =>
  `${pid} (${comm}) S ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0\n`;

describe('cli: the parent at start', () => {
  it('is the parent this process had when its first module loaded', () => {
    expect(PARENT_AT_START).to.equal(process.ppid);
  });

  it('orphaned at start: adopted by init while in a group it does not lead', () => {
    expect(orphanedAtStart(1, stat(4242, 'node', 1, 4000))).to.equal(true);
    // A comm with spaces and parentheses does not shift the fields.
    expect(orphanedAtStart(1, stat(4242, 'my (odd) node', 1, 4000))).to.equal(true);
  });

  it('not orphaned: a live parent, a group leader (a service), or no /proc', () => {
    expect(orphanedAtStart(77, stat(4242, 'node', 77, 4000))).to.equal(false);
    expect(orphanedAtStart(1, stat(4242, 'node', 1, 4242))).to.equal(false);
    expect(
      orphanedAtStart(1, () => {
        throw new Error('ENOENT');
      }),
    ).to.equal(false);
    expect(orphanedAtStart(1, () => 'garbage')).to.equal(false);
  });
});

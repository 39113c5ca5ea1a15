/** The security gate of .ci/run judges npm audit by its report, not by its exit status alone. */
import { expect } from 'chai';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verdict } = require('../../scripts/audit-gate.js') as {
  verdict(status: number | null, stdout: string): { fail: boolean; line: string };
};

function report(critical: number, total = critical): string {
  return JSON.stringify({
    vulnerabilities:
      critical > 0
        ? { axios: { name: 'axios', severity: 'critical' }, ws: { name: 'ws', severity: 'low' } }
        : {},
    metadata: {
      vulnerabilities: { info: 0, low: total - critical, moderate: 0, high: 0, critical, total },
    },
  });
}

describe('scripts/audit-gate: the security gate', () => {
  it('fails on a critical advisory in the production dependencies and names the package', () => {
    const v = verdict(1, report(1, 2));
    expect(v.fail).to.equal(true);
    expect(v.line).to.match(/1 critical advisories.*axios/);
    expect(v.line).to.not.match(/\bws\b/);
  });

  it('passes when the advisories found are all below critical', () => {
    expect(verdict(0, report(0, 3))).to.deep.include({ fail: false });
    expect(verdict(0, report(0, 3)).line).to.match(/no critical advisory .*3 below critical/);
  });

  it('reports an advisory service that cannot be reached, without failing', () => {
    const unreachable = JSON.stringify({
      message:
        'request to http://127.0.0.1:9/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED',
      error: { summary: '', detail: '' },
    });
    const v = verdict(1, unreachable);
    expect(v.fail).to.equal(false);
    expect(v.line).to.match(/unreachable .*ECONNREFUSED.*not checked/);
    expect(verdict(1, 'npm error audit endpoint returned an error')).to.deep.include({
      fail: false,
    });
  });
});

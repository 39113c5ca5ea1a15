// The security gate of .ci/run: fails on a critical advisory in the production dependencies
// (`npm audit --omit=dev --audit-level=critical`). npm audit exits 1 both when it finds one and
// when the advisory service cannot be reached (offline, a mirror without the audit endpoint),
// so its JSON decides: an advisory report with critical findings fails (exit 1); an answer that
// is no report (an `error` and no `metadata`) is printed as a warning and passes (exit 0), since
// an unreachable service says nothing about the dependencies.
'use strict';
const { spawnSync } = require('node:child_process');

/** The gate's verdict on npm audit's exit status and JSON output. */
function verdict(status, stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return {
      fail: false,
      line: `security gate: npm audit gave no JSON (status ${status}): advisories not checked`,
    };
  }
  const counts = report && report.metadata && report.metadata.vulnerabilities;
  if (!counts) {
    const why = (report && report.message) || 'no advisory report';
    return {
      fail: false,
      line: `security gate: advisory service unreachable (${why}): advisories not checked`,
    };
  }
  const critical = Number(counts.critical || 0);
  if (critical > 0) {
    const names = Object.values(report.vulnerabilities || {})
      .filter((v) => v.severity === 'critical')
      .map((v) => v.name);
    return {
      fail: true,
      line: `security gate: ${critical} critical advisories in production dependencies: ${names.join(', ')}`,
    };
  }
  const total = Number(counts.total || 0);
  return {
    fail: false,
    line: `security gate: no critical advisory in production dependencies (${total} below critical)`,
  };
}

if (require.main === module) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['audit', '--omit=dev', '--audit-level=critical', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { fail, line } = verdict(run.status, run.stdout);
  process.stderr.write(`${line}\n`);
  if (fail) process.stdout.write(run.stdout);
  process.exitCode = fail ? 1 : 0;
}

module.exports = { verdict };

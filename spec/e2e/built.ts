/**
 * The built package for the specs that run it: builds dist/ in a `before` hook when it is
 * missing or older than its sources (scripts/ensure-build.js, as `npm run test:e2e` does first),
 * so such a spec runs alone on a fresh clone too, rather than being skipped there.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The repository's root. */
export const ROOT = path.join(__dirname, '..', '..');

/** Registers a `before` hook in the enclosing describe that makes sure dist/ is built and fresh. */
export function needsBuild(): void {
  before(function () {
    // A cold build (tsc, the ESM wrappers, the validators) takes tens of seconds on 2 cores.
    this.timeout(180_000);
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-build.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });
}

/**
 * The package's own version, as a constant rather than read from package.json at run time: a
 * bundler (esbuild, webpack) or a copy of the compiled files without their package.json must
 * not turn every request into an ENOENT. spec/http/user-agent.spec.ts holds it equal to
 * package.json's `version` (bump both together; `npm version` runs scripts/sync-version.js).
 */

/** The package's version, e.g. `0.1.0`. */
export const PACKAGE_VERSION = '0.1.0';

/** The package's version (see `PACKAGE_VERSION`). */
export function packageVersion(): string {
  return PACKAGE_VERSION;
}

/** What every request says it is: `soniox-pro-sdk/<version> node/<version>`. */
export function userAgent(): string {
  return `soniox-pro-sdk/${PACKAGE_VERSION} node/${process.versions.node}`;
}

/**
 * The package's own name and version, read once from its package.json (two levels up from
 * lib/internal and from dist/internal), when first asked: requiring the package reads nothing.
 */
import fs from 'node:fs';
import path from 'node:path';

let version: string | undefined;

/** The package's version, e.g. `0.1.0`. */
export function packageVersion(): string {
  if (version === undefined) {
    const file = path.join(__dirname, '..', '..', 'package.json');
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the package's own package.json, next to __dirname
    version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return version;
}

/** What every request says it is: `soniox-pro-sdk/<version> node/<version>`. */
export function userAgent(): string {
  return `soniox-pro-sdk/${packageVersion()} node/${process.versions.node}`;
}

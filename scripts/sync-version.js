// `npm version` lifecycle: writes package.json's new version into lib/internal/package-info.ts
// (the SDK reads no package.json at run time: see that file) and stages it with the bump.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const file = path.join(root, 'lib', 'internal', 'package-info.ts');
const text = fs.readFileSync(file, 'utf8');
const next = text.replace(/PACKAGE_VERSION = '[^']*'/, `PACKAGE_VERSION = '${version}'`);
if (next === text && !text.includes(`PACKAGE_VERSION = '${version}'`)) {
  console.error(`sync-version: no PACKAGE_VERSION constant in ${file}`);
  process.exit(1);
}
fs.writeFileSync(file, next);

// Writes dist/index.mjs and dist/mock/index.mjs (with .d.mts types): ESM entry points that
// re-export the CommonJS build by name, so `import { SonioxClient } from 'soniox-pro-sdk'`
// works, and is typed as ESM, without a dual build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
for (const entry of ['index.js', path.join('mock', 'index.js')]) {
  const file = path.join(dist, entry);
  // eslint-disable-next-line security/detect-non-literal-require -- dist/ entry points tsc just built, from a fixed list
  const names = Object.keys(require(file)).filter((n) => n !== 'default' && n !== '__esModule');
  const body =
    `import cjs from './${path.basename(entry)}';\n` +
    `export const { ${names.join(', ')} } = cjs;\n` +
    'export default cjs;\n';
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- beside a fixed dist/ entry point, under __dirname
  fs.writeFileSync(file.replace(/\.js$/, '.mjs'), body);
  // ESM types of their own, so `import` under node16/nodenext is not typed as CommonJS
  // ("masquerading as CJS"): the same declarations, re-exported, plus the default export.
  const types =
    `export * from './${path.basename(entry)}';\n` +
    `import * as cjs from './${path.basename(entry)}';\n` +
    'export default cjs;\n';
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- beside a fixed dist/ entry point, under __dirname
  fs.writeFileSync(file.replace(/\.js$/, '.d.mts'), types);
}

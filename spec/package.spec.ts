import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const built = fs.existsSync(path.join(ROOT, 'dist', 'index.js')) && fs.existsSync(path.join(ROOT, 'dist', 'index.mjs'));
// A real dynamic import (ts-node would turn `import()` into `require`).
const importESM = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

describe('the built package (dist/, made by npm ci through prepare)', () => {
  if (!built) {
    // Skipped with a reason: dist/ exists only after `npm run build` (npm ci runs it).
    it.skip('needs dist/: run npm run build');
    return;
  }

  it('loads with require and with import, by its own name, both entry points', async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const cjs = require('soniox-pro-sdk') as Record<string, unknown>;
    const cjsMock = require('soniox-pro-sdk/mock') as Record<string, unknown>;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const esm = await importESM('soniox-pro-sdk');
    const esmMock = await importESM('soniox-pro-sdk/mock');
    for (const mod of [cjs, esm]) {
      expect(mod.SonioxClient, 'SonioxClient').to.be.a('function');
      expect(mod.SonioxWebSocketError, 'SonioxWebSocketError').to.be.a('function');
    }
    expect(esm.SonioxClient).to.equal(cjs.SonioxClient);
    expect(cjsMock.startMockServer).to.be.a('function');
    expect(esmMock.startMockServer).to.equal(cjsMock.startMockServer);
  });

  it('ships type declarations for both entry points', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts'))).to.equal(true);
    expect(fs.existsSync(path.join(ROOT, 'dist', 'mock', 'index.d.ts'))).to.equal(true);
  });
});

import { expect } from 'chai';
import { ROOT, needsBuild } from './built';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startMockServer } from '../../lib/mock';

// A real dynamic import (ts-node would turn `import()` into `require`).
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body: the only way to keep import() from being compiled to require
const importESM = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<Record<string, unknown>>;

describe('the built package (dist/)', () => {
  needsBuild();

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

  it('runs none of its modules at require time: no stream or fs/promises of Node; each part runs, right, on first use', async () => {
    // What the bundle's modules need of Node (node:stream for the realtime streams' classes,
    // node:fs/promises for saveAudio) is loaded when a module that needs it first runs.
    const script = `
      const before = new Set(process.moduleLoadList);
      const added = () => process.moduleLoadList.filter((m) => !before.has(m) && /^NativeModule (stream|fs\\/promises)$/.test(m)).map((m) => m.slice(13));
      const sdk = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
      const atRequire = added();
      const { Duplex, Transform } = require('node:stream');
      const checks = {
        atRequire,
        realtime: sdk.RealtimeStream.prototype instanceof Duplex,
        utterances: sdk.utteranceTransform() instanceof Transform,
        error: sdk.SonioxAuthenticationError.prototype instanceof sdk.SonioxError,
        channelSplit: typeof sdk.ChannelSplitStream,
        vtt: sdk.toVtt([]).startsWith('WEBVTT'),
      };
      console.log(JSON.stringify(checks));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal({
      atRequire: [],
      realtime: true,
      utterances: true,
      error: true,
      channelSplit: 'function',
      vtt: true,
    });
  });

  it('loads no axios, ws or ajv, nor the TLS, zlib, http, net, crypto or os of Node, at require time, and validates its first response with no ajv compiler and only the validator it needs', async () => {
    const server = await startMockServer();
    try {
      // A fresh process: this one has long loaded everything.
      const script = `
        const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
        const before = new Set(process.moduleLoadList);
        const { SonioxClient } = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
        // Node's own start-up loads some built-ins (crypto, for the Web Crypto global): only what the require added counts.
        const builtin = (name) => process.moduleLoadList.includes('NativeModule ' + name) && !before.has('NativeModule ' + name);
        const atRequire = ['axios', 'ws', 'ajv', 'agentkeepalive'].filter(loaded).concat(['tls', 'https', 'zlib', 'http', 'net', 'crypto', 'os'].filter(builtin));
        const ownFiles = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(path.join(ROOT, 'dist') + path.sep)})).length;
        const client = new SonioxClient({ apiKey: process.env.KEY, baseURL: process.env.URL, env: {} });
        client.models.list().then((r) => {
          client.close();
          const compiler = Object.keys(require.cache).some((k) => k.includes('/ajv/dist/compile/'));
          // index.js is the table of the validators, each loaded on its first use.
          const validators = Object.keys(require.cache).filter((k) => k.includes('/dist/schemas/validators/') && !k.endsWith('/index.js')).map((k) => k.split('/').pop());
          console.log(JSON.stringify({ atRequire, ownFiles, axios: loaded('axios'), compiler, validators, models: r.models.length }));
        });`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
        env: { ...process.env, KEY: server.apiKey, URL: server.url },
      });
      expect(JSON.parse(stdout)).to.deep.include({
        atRequire: [],
        // One bundled file: each of a hundred modules was resolved, read and compiled apart.
        ownFiles: 1,
        axios: true,
        compiler: false,
        validators: ['modelList.js'],
      });
      expect(JSON.parse(stdout).models).to.be.greaterThan(0);
    } finally {
      await server.close();
    }
  });
});

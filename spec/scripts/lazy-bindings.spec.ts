import { expect } from 'chai';
import vm from 'node:vm';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS build script
const { lazyBindings } = require('../../scripts/lazy-bindings') as {
  lazyBindings: (source: string) => string;
};

/**
 * Runs `source` as a CommonJS module whose `require` answers from `modules` and records each
 * call: what a bundle's module would see.
 */
function run(source: string, modules: Record<string, () => unknown>) {
  const required: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const requireFn = (id: string) => {
    required.push(id);
    const make = modules[id];
    if (!make) throw new Error(`no module ${id}`);
    return make();
  };
  const helpers =
    'var __importDefault = (m) => (m && m.__esModule ? m : { default: m });\n' +
    'var __importStar = (m) => m;\n';
  vm.runInThisContext(`(function (exports, require, module) {${helpers}${source}\n})`)(
    module.exports,
    requireFn,
    module,
  );
  return { exports: module.exports, required };
}

describe('scripts/lazy-bindings (the bundle runs a module when its export is first read)', () => {
  const tscOutput = [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    'exports.make = make;',
    'const errors_1 = require("./errors");',
    'const node_fs_1 = __importDefault(require("node:fs"));',
    'var stream_1 = require("./realtime/stream");',
    'Object.defineProperty(exports, "RealtimeStream", { enumerable: true, get: function () { return stream_1.RealtimeStream; } });',
    'function make() { return new errors_1.SonioxError((0, node_fs_1.default.name)()); }',
  ].join('\n');

  it('requires nothing when the module runs, and each module once, on the first read of one of its exports', () => {
    let streamRuns = 0;
    const { exports, required } = run(lazyBindings(tscOutput), {
      './errors': () => ({ SonioxError: class SonioxError extends Error {} }),
      'node:fs': () => ({ name: () => 'fs' }),
      './realtime/stream': () => ({ RealtimeStream: `stream #${++streamRuns}` }),
    });
    expect(required).to.deep.equal([]);
    expect(exports.RealtimeStream).to.equal('stream #1');
    expect(exports.RealtimeStream).to.equal('stream #1');
    expect(required).to.deep.equal(['./realtime/stream']);
    const error = (exports.make as () => Error)();
    expect(error.message).to.equal('fs');
    (exports.make as () => Error)();
    expect(required).to.deep.equal(['./realtime/stream', './errors', 'node:fs']);
  });

  it('leaves packages, side-effect requires and re-exports of everything where they were', () => {
    const source = [
      'const axios_1 = require("axios");',
      'require("./parent");',
      '__exportStar(require("./tokens"), exports);',
    ].join('\n');
    expect(lazyBindings(source)).to.equal(source);
  });

  it('leaves a binding eager where its name is used in a way the rewrite does not know', () => {
    const source = ['const x_1 = require("./x");', 'const all = [x_1, x_1.a];'].join('\n');
    expect(lazyBindings(source)).to.equal(source);
  });

  it('keeps every line where it was (the source maps are per line)', () => {
    const lazy = lazyBindings(tscOutput);
    expect(lazy.split('\n')).to.have.length(tscOutput.split('\n').length);
    expect(lazy).to.include('new (errors_1()).SonioxError(');
  });
});

/**
 * Coverage as the design names it: the unit specs of `npm test` run under nyc, with `.nycrc`
 * its one configuration (gates: lines 95 %, branches 90 %, functions 95 %), and no second
 * coverage tool beside it (c8 read the same `.nycrc` and ran in its place for a while: nothing
 * may still call it, Stryker included). The end-to-end run is not measured (CONTRIBUTING.md
 * says why), so no script reports over it.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Manifest {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  nyc?: unknown;
  c8?: unknown;
}

describe('coverage (nyc, .nycrc)', () => {
  const pkg = JSON.parse(read('package.json')) as Manifest;
  const nycrc = JSON.parse(read('.nycrc')) as Record<string, unknown>;

  it('runs the unit specs of npm test under nyc, and writes the HTML report with nyc', () => {
    expect(pkg.scripts['test:unit']).to.match(/^nyc mocha /);
    expect(pkg.scripts.coverage).to.match(/^nyc .*--reporter=html.* mocha /);
    expect(pkg.devDependencies).to.have.property('nyc');
  });

  it('gates lines at 95 %, branches at 90 % and functions at 95 % over lib/ in .nycrc', () => {
    expect(nycrc).to.include({ 'check-coverage': true });
    expect(nycrc.lines).to.be.at.least(95);
    expect(nycrc.branches).to.be.at.least(90);
    expect(nycrc.functions).to.be.at.least(95);
    expect(nycrc.include).to.deep.equal(['lib/**/*.ts']);
  });

  it("keeps .nycrc the one configuration, with nyc's cache on", () => {
    // An `extends` would override the keys beside it (@istanbuljs/load-nyc-config assigns the
    // extended file last): @istanbuljs/nyc-config-typescript would turn the cache off.
    expect(nycrc).not.to.have.property('extends');
    expect(nycrc.cache).to.equal(true);
    expect(pkg).not.to.have.property('nyc');
    expect(pkg).not.to.have.property('c8');
    const others = fs.readdirSync(ROOT).filter((f) => /^(\.c8rc|\.nycrc\.|nyc\.config)/.test(f));
    expect(others).to.deep.equal([]);
  });

  it('has no c8 left: not installed, not in a script, not in CI, not in Stryker', () => {
    expect(pkg.devDependencies).not.to.have.property('c8');
    const scripts = Object.entries(pkg.scripts).filter(([, line]) => /\bc8\b/.test(line));
    expect(scripts).to.deep.equal([]);
    for (const file of ['.ci/run', 'stryker.conf.mjs', 'scripts/mutate.js', 'scripts/test.js']) {
      expect(read(file), file).not.to.match(/\bc8\b/);
    }
  });

  it('reports no coverage over the end-to-end run, which is not measured', () => {
    expect(pkg.scripts['test:e2e']).not.to.match(/\b(nyc|c8)\b/);
    expect(pkg.scripts).not.to.have.property('coverage:all');
    expect(read('.ci/run')).not.to.match(/coverage:all/);
  });
});

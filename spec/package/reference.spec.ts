/**
 * The API reference: `npm run docs` is TypeDoc over the two public entry points, strict enough
 * that an undocumented export or a broken link fails it, into a folder git ignores, and CI runs
 * it. The run itself (about 12 s of CPU) is CI's step, not a unit spec.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface TypeDocConfig {
  entryPoints: string[];
  out: string;
  excludeInternal: boolean;
  treatWarningsAsErrors: boolean;
  validation: Record<string, boolean>;
  requiredToBeDocumented: string[];
}

describe('the API reference (TypeDoc)', () => {
  const config = JSON.parse(read('typedoc.json')) as TypeDocConfig;
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('is made by `npm run docs` from lib/index.ts and lib/mock/index.ts', () => {
    expect(pkg.scripts.docs).to.equal('typedoc');
    expect(pkg.devDependencies).to.have.property('typedoc');
    expect(config.entryPoints).to.deep.equal(['lib/index.ts', 'lib/mock/index.ts']);
  });

  it('fails on an undocumented export, a broken link or an unexported public type', () => {
    expect(config.treatWarningsAsErrors).to.equal(true);
    expect(config.excludeInternal).to.equal(true);
    expect(config.validation).to.include({
      notDocumented: true,
      invalidLink: true,
      notExported: true,
    });
    for (const kind of ['Class', 'Interface', 'TypeAlias', 'Function', 'Variable', 'Method']) {
      expect(config.requiredToBeDocumented, kind).to.include(kind);
    }
  });

  it('writes into a git-ignored folder, and CI runs it', () => {
    const ignored = read('.gitignore')
      .split('\n')
      .map((line) => line.trim().replace(/\/$/, ''));
    expect(ignored).to.include(config.out.replace(/\/$/, ''));
    expect(read('.ci/run')).to.match(/^npm run docs$/m);
  });
});

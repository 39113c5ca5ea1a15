/**
 * What keeps `npm test` under a minute on an idle 2-core machine (CONTRIBUTING.md has the
 * figures): ts-node compiles the specs with swc rather than TypeScript's transpiler, and the
 * lint, the format check and the type check keep caches under node_modules/.cache, so that
 * a second run re-checks only what changed. CI installs afresh, so its runs start cold, which
 * is why prettier reads TypeScript with its babel-ts parser: it formats every file of the
 * repository as the typescript parser does (checked on all of them) for about a fifth less CPU.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('npm test speed settings', () => {
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('has ts-node transpile with swc (tsconfig.json), with @swc/core installed', () => {
    const tsconfig = JSON.parse(read('tsconfig.json')) as { 'ts-node'?: { swc?: boolean } };
    expect(tsconfig['ts-node']).to.deep.equal({ swc: true });
    expect(pkg.devDependencies).to.have.property('@swc/core');
  });

  it('has prettier parse TypeScript with babel-ts (.prettierrc.json)', () => {
    const config = JSON.parse(read('.prettierrc.json')) as {
      overrides?: Array<{ files: string | string[]; options: { parser?: string } }>;
    };
    expect(config.overrides).to.deep.include({ files: '*.ts', options: { parser: 'babel-ts' } });
  });

  it('caches the lint, the format check and the type check under node_modules/.cache', () => {
    expect(pkg.scripts.lint).to.match(
      /^eslint --cache --cache-location node_modules\/\.cache\/eslint\//,
    );
    expect(pkg.scripts.lint).to.include('--cache-strategy content');
    expect(pkg.scripts['format:check']).to.include('--cache');
    expect(pkg.scripts.typecheck).to.include('--tsBuildInfoFile node_modules/.cache/');
  });
});

/**
 * The type check and the lint in one process over one TypeScript program
 * (scripts/typecheck-lint.js, `npm run typecheck-lint`, for less CPU than the two apart), with
 * the settings of `npm run typecheck` and of `npm run lint`'s eslint:
 * the same tsconfig, build info, lint cache and directories, so that the step checks what the
 * two scripts check and shares their caches' places. A finding of either fails the step: that
 * is run by hand (CONTRIBUTING.md), a whole program being too slow for a unit spec.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require('../../scripts/typecheck-lint.js') as {
  TSCONFIG: string;
  TS_BUILD_INFO: string;
  LINT_CACHE: string;
  LINT_DIRS: string[];
};

describe('scripts/typecheck-lint: the type check and the lint in one program', () => {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it('is an npm script of its own', () => {
    expect(scripts['typecheck-lint']).to.equal('node scripts/typecheck-lint.js');
  });

  it('checks the types as npm run typecheck does', () => {
    expect(scripts.typecheck).to.equal(
      `tsc -p ${settings.TSCONFIG} --noEmit --incremental --tsBuildInfoFile ${settings.TS_BUILD_INFO}`,
    );
  });

  it('lints the directories npm run lint lints, with its cache', () => {
    expect(scripts.lint?.split(' && ')[0]).to.equal(
      `eslint --cache --cache-location ${settings.LINT_CACHE} --cache-strategy content ${settings.LINT_DIRS.join(' ')}`,
    );
  });
});

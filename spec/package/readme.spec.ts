/**
 * The README stays what a newcomer reads top to bottom (issue 27, item 7): short, a quick start
 * for each kind of user, and links to the guides in docs/ where everything else lives. The pack
 * spec (spec/e2e/pack.spec.ts) checks that the shipped links resolve inside the tarball; this
 * one runs in `npm test`, so a README that grows back or a guide link that breaks fails fast.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

const GUIDES = [
  'docs/client.md',
  'docs/realtime.md',
  'docs/batch.md',
  'docs/testing.md',
  'docs/cli.md',
  'docs/errors.md',
];

describe('the README and its guides', () => {
  const readme = read('README.md');

  it('is under about 400 lines', () => {
    expect(readme.split('\n').length).to.be.at.most(400);
  });

  it('has a quick start for files, realtime, many files, testing with the mock and the CLI', () => {
    const headings = readme.match(/^## .+$/gm) ?? [];
    expect(headings).to.include.members([
      '## The two commands',
      '## Install',
      '## Quick start',
      '## Quick start: realtime',
      '## Quick start: many files',
      '## Quick start: testing with the mock',
      '## Quick start: the CLI',
    ]);
  });

  it('links every guide, and perf/README.md for the figures', () => {
    for (const target of [...GUIDES, 'perf/README.md'])
      expect(readme, target).to.include(`](${target}`);
  });

  it('closes every code fence it opens (README and docs/)', () => {
    for (const doc of ['README.md', ...GUIDES]) {
      const fences = read(doc).match(/^```/gm) ?? [];
      expect(fences.length % 2, doc).to.equal(0);
    }
  });

  it('has every relative link of the README and docs/ resolve to a file', () => {
    const documents = [
      'README.md',
      ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`),
    ];
    const broken: string[] = [];
    for (const doc of documents.filter((f) => f.endsWith('.md'))) {
      for (const [, target = ''] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^([a-z]+:|#)/.test(target)) continue;
        const file = path.join(ROOT, path.dirname(doc), target.split('#')[0] ?? '');
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) broken.push(`${doc}: ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The mock is its own room: it may import only what client and mock share: the API's types and
 * schemas, and the audio arithmetic (format lists, byte rates, the WAV header).
 */
describe('mock: import boundary', () => {
  const dir = path.join(__dirname, '..', '..', 'lib', 'mock');
  const allowed = (spec: string) =>
    spec.startsWith('./') ||
    spec === '../types' ||
    spec === '../schemas' ||
    spec === '../audio' ||
    spec === '../cassette' ||
    spec.startsWith('node:') ||
    spec === 'ws' ||
    spec === 'ajv';

  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports nothing of the client but lib/types, lib/schemas, lib/audio and lib/cassette`, () => {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const specs = [...source.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]!);
      expect(
        specs.filter((s) => !allowed(s)),
        file,
      ).to.deep.equal([]);
    });
  }
});

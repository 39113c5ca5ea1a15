import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The SDK tells errors apart by what they carry (a status, a code, an `error_type`), never by the
 * words of their message: a library's wording changes with its version, and an error the SDK
 * reads back by its text classifies wrongly the day it does. Two places are allowed to read
 * words, each for a reason of its own: the mock, which writes the API's messages, and the quota
 * table (lib/quota.ts), whose rows are the documented quota messages themselves.
 */
const LIB = path.join(__dirname, '..', 'lib');
const ALLOWED = new Set(['quota.ts']);
/** A regex test or exec, a `match`, `includes` or `startsWith` on some error's `.message`. */
const READS_MESSAGE =
  /\.(?:test|exec)\(\s*\w+(?:\?)?\.message\b|\b\w+(?:\?)?\.message(?:\?)?\.(?:match|includes|startsWith|endsWith|search)\(/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'mock' ? [] : sources(at);
    return entry.name.endsWith('.ts') ? [at] : [];
  });
}

describe('error kinds', () => {
  it('no file of lib/ but the quota table classifies an error by its message text', () => {
    const found: string[] = [];
    for (const file of sources(LIB)) {
      const name = path.relative(LIB, file).split(path.sep).join('/');
      if (ALLOWED.has(name)) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // Building a message for display is not reading one back.
          if (READS_MESSAGE.test(line) && !/requestId/.test(line)) found.push(`${name}:${i + 1}`);
        });
    }
    expect(found).to.deep.equal([]);
  });

  it('finds a message read back, so that the spec above can fail', () => {
    const lines = [
      'const status = /^Unexpected server response: (\\d{3})\\b/.exec(error.message)?.[1];',
      "if (err.message.includes('timed out')) retry();",
      'const timedOut = /handshake has timed out/i.test(error.message);',
    ];
    expect(lines.filter((line) => READS_MESSAGE.test(line))).to.have.length(3);
  });
});

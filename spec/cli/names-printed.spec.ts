/**
 * File names are untrusted text: wherever the CLI prints one (batch lines and summary,
 * `transcribe`'s progress and errors, `files ls`, `transcriptions ls`), escape sequences and
 * newlines in it are printed escaped, on one line.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { decodeName, shownName } from '../../lib/cli/render/name';
import { fixture } from '../audio';
import { cliFixture, run } from './helpers';

const hello = fixture('hello-world.wav');
/** Red text, then a new line that would pass for one of the CLI's own. */
const EVIL = 'evil\x1b[31m\n[9 of 9] done fake';
const SHOWN = 'evil\\x1b[31m\\n[9 of 9] done fake';

describe('cli: file names printed escaped', function () {
  describe('shownName', function () {
    it('escapes control characters, line separators, bidi overrides and lone surrogates, JSON-like', () => {
      expect(shownName(EVIL)).to.equal(SHOWN);
      expect(shownName('a\tb\rc\x00d\x7fe\x9bf')).to.equal('a\\tb\\rc\\x00d\\x7fe\\x9bf');
      expect(shownName('x\u202etxt.exe\u2028y')).to.equal('x\\u202etxt.exe\\u2028y');
      expect(shownName('lone \ud800 and \udc00')).to.equal('lone \\ud800 and \\udc00');
    });

    it('leaves the rest as it is: accents, emoji, backslashes, spaces', () => {
      for (const name of ['café.wav', 'a 😀 b.wav', 'C:\\calls\\a.wav', 'a\\xff.wav'])
        expect(shownName(name)).to.equal(name);
    });
  });

  describe('decodeName', function () {
    it('decodes UTF-8 and renders each other byte as \\xNN', () => {
      expect(decodeName(Buffer.from([0x61, 0xff, 0x2e, 0x77, 0x61, 0x76]))).to.deep.equal({
        text: 'a\\xff.wav',
        exact: false,
      });
      expect(decodeName(Buffer.from('café 😀.wav'))).to.deep.equal({
        text: 'café 😀.wav',
        exact: true,
      });
      // Overlong, surrogate, past U+10FFFF, cut short: not UTF-8, each byte escaped.
      const cases: Array<[number[], string]> = [
        [[0xc0, 0x80], '\\xc0\\x80'],
        [[0xe0, 0x80, 0x80], '\\xe0\\x80\\x80'],
        [[0xed, 0xa0, 0x80], '\\xed\\xa0\\x80'],
        [[0xf0, 0x80, 0x80, 0x80], '\\xf0\\x80\\x80\\x80'],
        [[0xf4, 0x90, 0x80, 0x80], '\\xf4\\x90\\x80\\x80'],
        [[0xf5, 0x80], '\\xf5\\x80'],
        [[0x61, 0xe2, 0x82], 'a\\xe2\\x82'],
        [[0xe2, 0x82, 0x41], '\\xe2\\x82A'],
      ];
      for (const [bytes, text] of cases)
        expect(decodeName(Buffer.from(bytes)), text).to.deep.equal({ text, exact: false });
      expect(decodeName(Buffer.from([0xe2, 0x82, 0xac, 0xf4, 0x8f, 0xbf, 0xbf]))).to.deep.equal({
        text: '\u20ac\u{10ffff}',
        exact: true,
      });
    });
  });

  describe('in commands', function () {
    const t = cliFixture();

    /** No escape character (ESC, or the one-byte CSI) reaches the terminal. */
    function expectPlain(text: string): void {
      expect(text).not.to.include('\x1b');
      expect(text).not.to.include('\x9b');
    }

    it('a batch: one escaped line per input, an escaped summary row', async () => {
      const calls = path.join(t.tmp, 'calls');
      fs.mkdirSync(calls);
      fs.copyFileSync(hello.path, path.join(calls, `${EVIL}.wav`));
      fs.writeFileSync(path.join(calls, 'broken\x1b[2J.wav'), 'RIFF junk');
      const out = path.join(t.tmp, 'out');
      const {
        code,
        out: stdout,
        err,
      } = await run(['transcribe', calls, '--out-dir', out, '--poll-ms', '10'], { env: t.env });
      expect(code).to.equal(1);
      expectPlain(err);
      expectPlain(stdout);
      const lines = err.trim().split('\n');
      // The note, one line per input, the error.
      expect(lines, err).to.have.length(4);
      // In completion order: the broken one may end first.
      const done = lines.find((line) => / done /.test(line)) ?? '';
      expect(done.replace(/^\[\d\/2\] done /, '')).to.equal(
        `${calls}/${SHOWN}.wav -> ${out}/${SHOWN}.txt`,
      );
      expect(lines.find((line) => line.includes(' failed '))).to.match(
        /^\[\d\/2\] failed .*broken\\x1b\[2J\.wav: /,
      );
      expect(stdout).to.include(`${SHOWN}.wav`);
      expect(stdout.trim().split('\n')).to.have.length(5);
      // The output itself keeps the name as it is.
      expect(fs.existsSync(path.join(out, `${EVIL}.txt`))).to.equal(true);
    });

    it('transcribe: its progress lines and its errors', async () => {
      const file = path.join(t.tmp, `${EVIL}.wav`);
      fs.copyFileSync(hello.path, file);
      const verbose = await run(['transcribe', file, '--verbose', '--poll-ms', '10'], {
        env: t.env,
      });
      expect(verbose.code, verbose.err).to.equal(0);
      expectPlain(verbose.err);
      expect(verbose.err).to.include(`uploading ${t.tmp}/${SHOWN}.wav`);
      // The upload's form data sends the newline as %0A: the escape character is what is left.
      expect(verbose.err).to.include('uploaded evil\\x1b[31m%0A[9 of 9]');

      const missing = await run(['transcribe', `${file}.gone`], { env: t.env });
      expect(missing.code).to.equal(2);
      expect(missing.err.trim().split('\n')).to.have.length(1);
      expect(missing.err).to.include(`no such file: ${t.tmp}/${SHOWN}.wav.gone`);

      const out = await run(['transcribe', file, '--out', path.join(t.tmp, 'no', `${EVIL}.txt`)], {
        env: t.env,
      });
      expect(out.code).to.equal(2);
      expectPlain(out.err);
      expect(out.err.trim().split('\n')).to.have.length(1);
    });

    it("a flag's file argument, in the parser's own error line; its suggestions still on their line", async () => {
      const file = path.join(t.tmp, `${EVIL}.json`);
      fs.writeFileSync(file, '{ not json');
      const bad = await run(['realtime', hello.path, '--context', file], { env: t.env });
      expect(bad.code).to.equal(2);
      expectPlain(bad.err);
      expect(bad.err.trim().split('\n'), bad.err).to.have.length(1);
      expect(bad.err).to.include(`argument '${t.tmp}/${SHOWN}.json' is invalid`);
      // Commander's own second line, a suggestion, stays a line of its own.
      const typo = await run(['transcribe', hello.path, '--kep'], { env: t.env });
      expect(typo.err).to.match(/^error: unknown option '--kep'\n\(Did you mean --keep\?\)\n$/);
    });

    it('files ls and transcriptions ls: the stored names', async () => {
      const file = await t.client.files.upload(hello.path, { filename: `${EVIL}.wav` });
      await t.client.transcriptions.create({ file_id: file.id, model: 'stt-async-v5' });
      for (const what of ['files', 'transcriptions']) {
        const { code, out } = await run([what, 'ls'], { env: t.env });
        expect(code).to.equal(0);
        expectPlain(out);
        expect(out).to.include('evil\\x1b[31m');
        expect(out.trim().split('\n'), out).to.have.length(2);
      }
    });
  });
});

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { main, version } from '../../lib/cli';
import { Context, describe as describeError, exitCodeOf, fileError } from '../../lib/cli/context';
import { memoryIO, processIO, redacting } from '../../lib/cli/io';
import {
  SonioxAbortError,
  SonioxAPIError,
  SonioxResponseError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../../lib/errors';
import { cliFixture, KEY, ROOT, run } from './helpers';

const COMMANDS = [
  ['transcribe'],
  ['realtime'],
  ['files'],
  ['files', 'ls'],
  ['files', 'get'],
  ['files', 'upload'],
  ['files', 'rm'],
  ['transcriptions'],
  ['transcriptions', 'ls'],
  ['transcriptions', 'get'],
  ['transcriptions', 'transcript'],
  ['transcriptions', 'rm'],
  ['models'],
  ['keys'],
  ['keys', 'create'],
  ['mock'],
  ['demo'],
];

describe('cli: the program', function () {
  const t = cliFixture();

  it("--help lists every command and the exit codes on stdout (exit 0); --version prints package.json's", async () => {
    const help = await run(['--help']);
    expect(help).to.include({ code: 0, err: '' });
    for (const name of [
      'transcribe',
      'realtime',
      'files',
      'transcriptions',
      'models',
      'keys',
      'mock',
      'demo',
    ])
      // eslint-disable-next-line security/detect-non-literal-regexp -- command names from the constant list above
      expect(help.out).to.match(new RegExp(`^  ${name} `, 'm'));
    expect(help.out).to.include(
      'Exit codes: 0 ok, 1 API or network error, 2 usage error (nothing sent), 130 interrupted.',
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version()).to.equal(pkg.version);
    expect(await run(['--version'])).to.include({ code: 0, out: `${pkg.version}\n` });
    expect(await run(['-V'])).to.include({ code: 0, out: `${pkg.version}\n` });
    expect((await run(['help', 'files'])).out).to.match(
      /^Usage: soniox files \[options\] \[command\]/,
    );
  });

  it('--help on every command prints its usage and has no side effect', async () => {
    const env = t.env;
    for (const command of COMMANDS) {
      const { code, out, err } = await run([...command, '--help'], { env });
      expect(code, command.join(' ')).to.equal(0);
      expect(err).to.equal('');
      // eslint-disable-next-line security/detect-non-literal-regexp -- command names from the constant COMMANDS list
      expect(out).to.match(new RegExp(`^Usage: soniox ${command.join(' ')} `));
      expect(out).to.match(/^Global Options:\n.*\n {2}-v, --verbose /m);
    }
    expect(t.server.state.hits).to.deep.equal({});
    expect(t.server.state.files.size + t.server.state.transcriptions.size).to.equal(0);
  });

  it('usage errors exit 2 with one line on stderr: no command, unknown command, bad flag, missing argument, too many', async () => {
    const env = t.env;
    const none = await run([], { env });
    expect(none.code).to.equal(2);
    expect(none.err).to.match(/^Usage: soniox/);
    const unknown = await run(['transcribee'], { env });
    expect(unknown).to.include({ code: 2, out: '' });
    expect(unknown.err).to.match(
      /^error: unknown command 'transcribee'\n\(Did you mean transcribe\?\)\n$/,
    );
    const flag = await run(['models', '--colour'], { env });
    expect(flag).to.include({ code: 2, err: "error: unknown option '--colour'\n" });
    const arg = await run(['transcribe'], { env });
    expect(arg).to.include({ code: 2, err: "error: missing required argument 'source'\n" });
    const extra = await run(['models', 'extra'], { env });
    expect(extra.code).to.equal(2);
    expect(t.server.state.hits).to.deep.equal({});
  });

  it('maps errors to exit codes and one secret-free line', () => {
    expect(
      exitCodeOf(
        new SonioxValidationError('transcriptions.create: invalid parameters: model too long'),
      ),
    ).to.equal(2);
    expect(
      exitCodeOf(
        new SonioxResponseError('GET /v1/models: the response does not match the API schema'),
      ),
    ).to.equal(1);
    // By class, not by wording: the caller's input whatever its message, the API's answer whatever its.
    expect(exitCodeOf(new SonioxValidationError('response_format: must be a page'))).to.equal(2);
    expect(exitCodeOf(new SonioxResponseError('GET /v1/x: bad'))).to.equal(1);
    expect(exitCodeOf(new SonioxAbortError('aborted'))).to.equal(1);
    expect(
      describeError(new SonioxWebSocketError('realtime session failed', { requestId: 'r-1' })),
    ).to.equal('realtime session failed (request id r-1)');
    expect(describeError('plain')).to.equal('plain');
    // A full quota says how to free it: the hint travels beside the API's message.
    const full = new SonioxAPIError('POST /v1/files failed with 400: full (request id r-2)', {
      status: 400,
      requestId: 'r-2',
      quota: 'files',
    });
    expect(describeError(full)).to.equal(`${full.message} (${full.hint})`);
    expect(full.hint).to.include('soniox files rm --all');
    expect(
      fileError(Object.assign(new Error('x'), { code: 'EACCES' }), '/a', 'read').message,
    ).to.equal('cannot read /a: permission denied');
    expect(fileError(new Error('odd'), '/a', 'write').message).to.equal('cannot write /a: odd');
    const io = memoryIO();
    const out = redacting(io.stdout, [KEY]);
    out.write(`key=${KEY}`);
    expect(io.stdout.text).to.equal('key=[REDACTED]');
    let calls = 0;
    const before = process.listenerCount('SIGTERM');
    const stop = processIO().onInterrupt(() => calls++);
    process.emit('SIGTERM');
    stop();
    expect(calls).to.equal(1);
    expect(process.listenerCount('SIGTERM')).to.equal(before);
  });

  it('writes results with --out, naming a path it cannot write', () => {
    const ctx = new Context(memoryIO());
    expect(() => ctx.result('x', '/proc/no/such/dir/file')).to.throw(
      'cannot write /proc/no/such/dir/file: its directory does not exist',
    );
    ctx.close();
  });

  it('- refuses a terminal on stdin (it would wait for typed audio): exit 2', async () => {
    for (const command of [
      ['transcribe', '-'],
      ['realtime', '-'],
      ['files', 'upload', '-'],
    ]) {
      const io = memoryIO({ env: t.env });
      Object.assign(io.stdin, { isTTY: true });
      expect(await main(command, io), command.join(' ')).to.equal(2);
      expect(io.stderr.text).to.equal(
        'error: stdin is a terminal: pipe audio into it (cat call.wav | soniox ... -) or pass a file\n',
      );
    }
    expect(t.server.state.hits).to.deep.equal({});
  });

  it('a malformed SONIOX_API_BASE_URL is a usage error naming it', async () => {
    const io = memoryIO({ env: { ...t.env, SONIOX_API_BASE_URL: 'not a url' } });
    expect(await main(['models'], io)).to.equal(2);
    expect(io.stderr.text).to.equal('error: baseURL is not a valid URL\n');
  });
});

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getEventListeners } from 'node:events';
import { program } from '../../lib/cli';
import { Context } from '../../lib/cli/context';
import { memoryIO } from '../../lib/cli/io';
import { fixture } from '../audio';
import { cliFixture, run } from './helpers';
import { until } from '../helpers';

const audio = fixture('hello-world.wav');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('cli: soniox files', function () {
  const t = cliFixture();

  it('upload prints the id (stdout only), ls lists it, get shows it, rm deletes it', async () => {
    const up = await run(['files', 'upload', audio.path, '--reference', 'ref-1'], { env: t.env });
    expect(up).to.include({ code: 0, err: '' });
    const id = up.out.trim();
    expect(id).to.match(UUID);
    expect(t.server.state.files.get(id)).to.include({
      filename: 'hello-world.wav',
      client_reference_id: 'ref-1',
    });

    const ls = await run(['files', 'ls'], { env: t.env });
    expect(ls.code).to.equal(0);
    expect(ls.out).to.match(
      // eslint-disable-next-line security/detect-non-literal-regexp -- the file id comes from the mock and was checked against UUID above
      new RegExp(`^ID +SIZE +CREATED +NAME\\n${id}  82\\.3 KB  \\S+  hello-world\\.wav\\n$`),
    );
    const lsJson = await run(['files', 'ls', '--json', '--limit', '5'], { env: t.env });
    expect((JSON.parse(lsJson.out) as Array<{ id: string }>).map((f) => f.id)).to.deep.equal([id]);

    const get = await run(['files', 'get', id], { env: t.env });
    expect(get.out).to.match(
      // eslint-disable-next-line security/detect-non-literal-regexp -- the file id comes from the mock and was checked against UUID above
      new RegExp(`^id +${id}\\nfilename +hello-world\\.wav\\nsize +${audio.wav.length}\\n`),
    );
    const getJson = await run(['files', 'get', id, '--json'], { env: t.env });
    expect(JSON.parse(getJson.out)).to.include({ id, size: audio.wav.length });

    const rm = await run(['files', 'rm', id], { env: t.env });
    expect(rm).to.include({ code: 0, out: `deleted file ${id}\n` });
    expect(t.server.state.files.size).to.equal(0);
    expect((await run(['files', 'ls'], { env: t.env })).out).to.equal('(no files)\n');
  });

  it('ls pages through everything, --limit caps it; upload from stdin with --name and --json', async () => {
    for (let i = 0; i < 3; i++)
      await run(['files', 'upload', '-', '--name', `n${i}.wav`], { env: t.env, stdin: audio.wav });
    const stdin = await run(['files', 'upload', '-', '--json'], { env: t.env, stdin: audio.wav });
    expect(JSON.parse(stdin.out)).to.include({ filename: 'stdin', size: audio.wav.length });
    expect((await run(['files', 'ls'], { env: t.env })).out.trim().split('\n')).to.have.length(5);
    expect(
      (await run(['files', 'ls', '-n', '2'], { env: t.env })).out.trim().split('\n'),
    ).to.have.length(3);
    expect((await run(['files', 'ls', '-n', '0'], { env: t.env })).out).to.equal('(no files)\n');
  });

  it('on a terminal, upload shows the bar on stderr', async () => {
    const { code, out, err } = await run(['files', 'upload', audio.path], {
      env: t.env,
      isTTY: true,
    });
    expect(code).to.equal(0);
    expect(out.trim()).to.match(UUID);
    expect(err).to.match(/upload \[=+\] 100%/);
  });

  it("errors: an unknown id exits 1 with the API's 404 (rm goes on with the others), a missing file exits 2", async () => {
    const up = await run(['files', 'upload', audio.path], { env: t.env });
    const id = up.out.trim();
    const missing = '00000000-0000-4000-8000-000000000000';
    const get = await run(['files', 'get', missing], { env: t.env });
    expect(get.code).to.equal(1);
    expect(get.err).to.match(
      /^error: GET \/v1\/files\/0{8}-0{4}-4000-8000-0{12} failed with 404 file_not_found: .* \(request id [0-9a-f-]+\)\n$/,
    );
    const rm = await run(['files', 'rm', missing, id], { env: t.env });
    expect(rm.code).to.equal(1);
    expect(rm.out).to.equal(`deleted file ${id}\n`);
    expect(rm.err).to.match(/^could not delete file 0{8}-.*404 file_not_found/);
    const nofile = await run(['files', 'upload', '/nonexistent/a.wav'], { env: t.env });
    expect(nofile).to.include({ code: 2, err: 'error: no such file: /nonexistent/a.wav\n' });
    const noarg = await run(['files', 'get'], { env: t.env });
    expect(noarg.code).to.equal(2);
    expect(noarg.err).to.match(/error: missing required argument 'id'/);
  });

  it('Ctrl-C while the file is still being sent aborts the upload: exit 130, nothing stored', async () => {
    // 8 MB to a server that does not read yet: the bytes cannot all be out when Ctrl-C comes.
    const big = path.join(os.tmpdir(), `soniox-cli-big-${process.pid}.wav`);
    fs.writeFileSync(big, Buffer.alloc(8 * 1024 * 1024, 1));
    try {
      t.server.setFaults({ http: [{ route: 'POST /v1/files', delayMs: 5_000 }] });
      const io = memoryIO({ env: t.env });
      const running = run(['files', 'upload', big], { io });
      await until(() => t.server.state.inFlight > 0, 10_000);
      io.interrupt();
      const { code, err, out } = await running;
      expect(code).to.equal(130);
      expect(out).to.equal('');
      expect(err).to.equal('interrupted: the upload was aborted\n');
      expect(t.server.state.files.size).to.equal(0);
    } finally {
      fs.rmSync(big, { force: true });
    }
  });

  it('Ctrl-C once the whole file is sent: the answer is awaited, then the stored file deleted (exit 130)', async () => {
    // A slow answer: the file is stored, its id still on the way.
    t.server.setFaults({ http: [{ route: 'POST /v1/files', slowBodyMs: 20 }] });
    const io = memoryIO({ env: t.env });
    const running = run(['files', 'upload', audio.path], { io });
    await until(() => t.server.state.files.size === 1, 10_000);
    io.interrupt();
    const { code, out, err } = await running;
    expect(code).to.equal(130);
    expect(out).to.equal('');
    expect(err).to.match(/^interrupted: deleting the file just stored \([0-9a-f-]{36}\)\n$/);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('Ctrl-C during rm stops it: exit 130, the ids not reached are left alone', async () => {
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push((await run(['files', 'upload', audio.path], { env: t.env })).out.trim());
    t.server.setFaults({ http: [{ route: 'DELETE /v1/files/:id', delayMs: 5_000 }] });
    const io = memoryIO({ env: t.env });
    const running = run(['files', 'rm', ...ids], { io });
    await until(() => t.server.state.inFlight > 0, 10_000);
    io.interrupt();
    expect(await running).to.include({ code: 130, out: '', err: 'interrupted\n' });
    expect(t.server.state.files.size).to.equal(2);
  });

  it('an upload leaves no listener on the Ctrl-C signals once it is over', async () => {
    const ctx = new Context(memoryIO({ env: t.env }));
    t.defer(() => ctx.close());
    const listeners = () => [
      getEventListeners(ctx.signal, 'abort').length,
      getEventListeners(ctx.cleanupSignal, 'abort').length,
    ];
    const before = listeners();
    for (let i = 0; i < 3; i++)
      await program(ctx).parseAsync(['files', 'upload', audio.path], { from: 'user' });
    expect(t.server.state.files.size).to.equal(3);
    expect(listeners()).to.deep.equal(before);
  });
});

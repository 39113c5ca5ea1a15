/** `soniox files rm --all` and `soniox transcriptions rm --all [--status] [--older-than]`. */
import { expect } from 'chai';
import { memoryIO } from '../../lib/cli/io';
import { until } from '../helpers';
import { cliFixture, run } from './helpers';

const HOUR = 3_600_000;

describe('cli: rm --all', () => {
  const t = cliFixture({ timing: { queuedMs: 3_600_000, processingMs: 1 } });

  const upload = (i: number) =>
    t.client.files.upload(Buffer.alloc(64, i), { filename: `${i}.wav` });
  const setAge = (item: { created_at: string }, hours: number) => {
    item.created_at = new Date(Date.now() - hours * HOUR).toISOString();
  };

  it('files rm --all deletes every file, one line each, and a summary on stderr', async () => {
    const ids = [(await upload(1)).id, (await upload(2)).id, (await upload(3)).id];
    const { code, out, err } = await run(['files', 'rm', '--all', '--yes'], { env: t.env });
    expect(code).to.equal(0);
    expect(out.trim().split('\n').sort()).to.deep.equal(
      ids.map((id) => `deleted file ${id}`).sort(),
    );
    expect(err).to.equal('deleted 3 of 3 files\n');
    expect(t.server.state.files.size).to.equal(0);
  });

  it('files rm --all --older-than 2d --dry-run lists what would go and deletes nothing', async () => {
    const old = await upload(1);
    await upload(2);
    setAge(t.server.state.files.get(old.id)!, 72);
    const { code, out, err } = await run(
      ['files', 'rm', '--all', '--older-than', '2d', '--dry-run'],
      {
        env: t.env,
      },
    );
    expect(code).to.equal(0);
    expect(out).to.equal(`would delete file ${old.id}\n`);
    expect(err).to.equal('would delete 1 file (dry run: nothing deleted)\n');
    expect(t.server.state.files.size).to.equal(2);
  });

  it('transcriptions rm --all --status error --older-than 1h deletes only those', async () => {
    const a = await t.client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    const b = await t.client.transcriptions.create({ audio_url: 'https://example.com/b.mp3' });
    const c = await t.client.transcriptions.create({ audio_url: 'https://example.com/c.mp3' });
    const jobs = t.server.state.transcriptions;
    for (const [id, status, hours] of [
      [a.id, 'error', 5],
      [b.id, 'error', 0],
      [c.id, 'completed', 5],
    ] as const) {
      jobs.get(id)!.transcription.status = status;
      setAge(jobs.get(id)!.transcription, hours);
    }
    const { code, out, err } = await run(
      ['transcriptions', 'rm', '--all', '--status', 'error', '--older-than', '1h', '--yes'],
      { env: t.env },
    );
    expect(code).to.equal(0);
    expect(out).to.equal(`deleted transcription ${a.id}\n`);
    expect(err).to.equal('deleted 1 of 1 transcription\n');
    expect([...jobs.keys()].sort()).to.deep.equal([b.id, c.id].sort());
  });

  it('names what it could not delete and exits 1', async () => {
    const job = await t.client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    t.server.state.transcriptions.get(job.id)!.transcription.status = 'processing';
    const { code, err } = await run(['transcriptions', 'rm', '--all', '--yes'], { env: t.env });
    expect(code).to.equal(1);
    expect(err).to.include(`could not delete transcription ${job.id}: `);
    expect(err).to.include('failed with 409');
    expect(err).to.match(/deleted 0 of 1 transcription \(1 failed\)\n/);
  });

  it('without --yes off a terminal, refuses before listing or deleting anything (exit 2)', async () => {
    await upload(1);
    await t.client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    const files = await run(['files', 'rm', '--all'], { env: t.env });
    expect(files).to.include({
      code: 2,
      out: '',
      err: 'error: files rm --all deletes every file that passes its filters: add --yes to confirm, or --dry-run to list them\n',
    });
    const jobs = await run(['transcriptions', 'rm', '--all', '--older-than', '1h'], {
      env: t.env,
    });
    expect(jobs).to.include({
      code: 2,
      out: '',
      err: 'error: transcriptions rm --all deletes every transcription (and its file) that passes its filters: add --yes to confirm, or --dry-run to list them\n',
    });
    expect(t.server.state.hits['GET /v1/files'] ?? 0).to.equal(0);
    expect(t.server.state.hits['GET /v1/transcriptions'] ?? 0).to.equal(0);
    expect(t.server.state.hits['DELETE /v1/files/:id'] ?? 0).to.equal(0);
    expect(t.server.state.hits['DELETE /v1/transcriptions/:id'] ?? 0).to.equal(0);
    expect(t.server.state.files.size).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  /** A terminal on stdin and stderr (the prompt's), `answer` typed once the prompt shows. */
  async function onTerminal(argv: string[], answer: string | undefined) {
    const io = memoryIO({ isTTY: true, env: t.env });
    Object.assign(io.stdin, { isTTY: true });
    const running = run(argv, { io });
    if (answer !== undefined) {
      await until(() => io.stderr.text.includes('[y/N] '));
      io.stdin.write(answer);
    }
    return running;
  }

  it('on a terminal, lists what would go and deletes exactly that on "y"', async () => {
    const ids = [(await upload(1)).id, (await upload(2)).id];
    const { code, out, err } = await onTerminal(['files', 'rm', '--all'], 'y\n');
    expect(code).to.equal(0);
    const lines = out.trim().split('\n');
    expect(lines.slice(0, 2).sort()).to.deep.equal(
      ids.map((id) => `would delete file ${id}`).sort(),
    );
    expect(lines.slice(2).sort()).to.deep.equal(ids.map((id) => `deleted file ${id}`).sort());
    expect(err).to.equal('delete these 2 files? [y/N] deleted 2 of 2 files\n');
    expect(t.server.state.files.size).to.equal(0);
  });

  it('on a terminal, anything but y (or the end of stdin) deletes nothing, exit 0', async () => {
    const job = await t.client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    for (const answer of ['\n', 'no\n', 'yes please\n']) {
      const { code, out, err } = await onTerminal(['transcriptions', 'rm', '--all'], answer);
      expect({ answer, code, out, err }).to.deep.equal({
        answer,
        code: 0,
        out: `would delete transcription ${job.id}\n`,
        err: 'delete this transcription (and its file)? [y/N] nothing deleted\n',
      });
    }
    expect(t.server.state.hits['DELETE /v1/transcriptions/:id'] ?? 0).to.equal(0);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('on a terminal, --yes deletes without asking; nothing to delete asks nothing', async () => {
    const file = await upload(1);
    const yes = await onTerminal(['files', 'rm', '--all', '--yes'], undefined);
    expect(yes).to.include({
      code: 0,
      out: `deleted file ${file.id}\n`,
      err: 'deleted 1 of 1 file\n',
    });
    const none = await onTerminal(['files', 'rm', '--all'], undefined);
    expect(none).to.include({ code: 0, out: '', err: 'no file to delete\n' });
  });

  it('refuses ids with --all, neither, a bad --older-than and a bad --status (exit 2, nothing sent)', async () => {
    const both = await run(['files', 'rm', '--all', 'x'], { env: t.env });
    expect(both.code).to.equal(2);
    expect(both.err).to.match(/either ids or --all/);
    const neither = await run(['transcriptions', 'rm'], { env: t.env });
    expect(neither.code).to.equal(2);
    expect(neither.err).to.match(/either ids or --all/);
    const age = await run(['files', 'rm', '--all', '--older-than', 'soon'], { env: t.env });
    expect(age.code).to.equal(2);
    expect(age.err).to.match(/--older-than.*30m, 12h, 7d/);
    const status = await run(['transcriptions', 'rm', '--all', '--status', 'done'], { env: t.env });
    expect(status.code).to.equal(2);
    expect(status.err).to.match(/--status.*queued, processing, completed, error, failed/);
    expect(t.server.state.hits['GET /v1/files'] ?? 0).to.equal(0);
    expect(t.server.state.hits['GET /v1/transcriptions'] ?? 0).to.equal(0);
  });
});

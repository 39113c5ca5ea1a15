/** `soniox files rm --all` and `soniox transcriptions rm --all [--status] [--older-than]`. */
import { expect } from 'chai';
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
    const { code, out, err } = await run(['files', 'rm', '--all'], { env: t.env });
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
      ['transcriptions', 'rm', '--all', '--status', 'error', '--older-than', '1h'],
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
    const { code, err } = await run(['transcriptions', 'rm', '--all'], { env: t.env });
    expect(code).to.equal(1);
    expect(err).to.include(`could not delete transcription ${job.id}: `);
    expect(err).to.include('failed with 409');
    expect(err).to.match(/deleted 0 of 1 transcription \(1 failed\)\n/);
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

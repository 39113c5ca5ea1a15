import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryIO, type MemoryIO } from '../../lib/cli/io';
import { SECRET_KEY, fixture, rejection, until } from '../helpers';
import { run } from './helpers';

describe('cli: soniox mock --replay', () => {
  const t = fixture();
  let io: MemoryIO | undefined;
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-cli-replay-'));
  });
  afterEach(() => {
    io?.interrupt();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the cassettes, prints each miss on stderr and says it is replaying', async () => {
    const recorded = await t.clientWith({ record: dir }).files.list();
    io = memoryIO();
    const running = run(
      ['mock', '--port', '0', '--key', SECRET_KEY, '--replay', dir, '--replay-pace', 'instant'],
      { io },
    );
    await until(() => io!.stdout.text.includes('Ctrl-C'), 10_000);
    expect(io.stdout.text).to.include(`Replaying: ${dir} (realtime frames at once;`);
    const url = /REST: +(\S+)/.exec(io.stdout.text)![1]!;
    const client = t.clientWith({ baseURL: url });
    expect(await client.files.list()).to.deep.equal(recorded);
    const error = await rejection(client.files.get('file-nope'));
    expect(error.message).to.include('no recording of GET /v1/files/file-nope');
    await until(() => io!.stderr.text.includes('no recording of GET /v1/files/file-nope'));
    io.interrupt();
    expect((await running).code).to.equal(0);
  });

  it('refuses a directory with no cassette in a form it reads, and a bad pace (exit 2)', async () => {
    fs.writeFileSync(path.join(dir, 'x.json'), '[]');
    const bad = await run(['mock', '--port', '0', '--replay', dir]);
    expect(bad.code).not.to.equal(0);
    expect(bad.err).to.include('x.json is not a cassette');
    const pace = await run(['mock', '--port', '0', '--replay', dir, '--replay-pace', 'slow']);
    expect(pace.code).to.equal(2);
    expect(pace.err).to.match(/--replay-pace.*recorded or instant/);
  });
});

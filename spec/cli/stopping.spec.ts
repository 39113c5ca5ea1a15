/**
 * How a command stops when the world around it changes: stdout's reader goes away
 * (`soniox files ls | head -1`), the parent process goes away, `--keep` on pipes. In-process,
 * through the injected io; spec/e2e/cli-process.spec.ts does the same over real processes.
 */
import { expect } from 'chai';
import { memoryIO, type MemoryIO } from '../../lib/cli/io';
import { fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { envFor, run } from './helpers';

const audio = audioFixture('hello-world.wav');

/** An io whose stdout reader goes away right after the first write (`| head -1`). */
function headOne(env: Record<string, string>): MemoryIO {
  const io = memoryIO({ env });
  const write = io.stdout.write.bind(io.stdout);
  io.stdout.write = (chunk, callback) => {
    const written = write(chunk, callback);
    io.closeStdout();
    return written;
  };
  return io;
}

describe('cli: stopping on a closed stdout, a lost parent, and --keep on pipes', function () {
  const t = fixture({ mock: { realtimePacing: false } });
  let env: Record<string, string>;
  beforeEach(() => (env = envFor(t.server)));

  it('files ls stops quietly with exit 0 when stdout is closed after the first line', async () => {
    for (let i = 0; i < 3; i++) await run(['files', 'upload', audio.path], { env });
    const io = headOne(env);
    const { code, out, err } = await run(['files', 'ls', '--limit', '1'], { io });
    expect({ code, err }).to.deep.equal({ code: 0, err: '' });
    expect(out).to.match(/^ID +SIZE/);
  });

  it('realtime ends its session quietly with exit 0 once stdout is closed, like Ctrl-C', async () => {
    const io = headOne(env);
    const started = Date.now();
    const { code, err } = await run(['realtime', audio.path, '-O', 'json'], { io });
    expect({ code, err }).to.deep.equal({ code: 0, err: '' });
    // Paced at audio time, the whole file takes 2.6 s: the session stopped at the first token.
    expect(Date.now() - started).to.be.below(2500);
  });

  it('a closed stdout during transcribe deletes the file and the transcription, exit 0', async () => {
    const io = memoryIO({ env });
    io.closeStdout();
    const { code } = await run(['transcribe', audio.path, '--poll-ms', '10'], { io });
    expect(code).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('--keep names the kept file and transcription on stderr when stdout and stderr are pipes', async () => {
    const { code, out, err } = await run(['transcribe', audio.path, '--keep', '--poll-ms', '10'], {
      env,
    });
    expect(code).to.equal(0);
    expect(out).to.match(/hello world/i);
    const [file] = [...t.server.state.files.keys()];
    const [transcription] = [...t.server.state.transcriptions.keys()];
    expect(err).to.equal(`kept file ${file} and transcription ${transcription} (--keep)\n`);
  });

  it('mock stops with exit 0 when the process that started it goes away', async () => {
    const io = memoryIO();
    const running = run(['mock', '--port', '0'], { io });
    await until(() => io.stdout.text.includes('listening'));
    const url = /REST: +(\S+)/.exec(io.stdout.text)?.[1];
    io.orphan();
    expect((await running).code).to.equal(0);
    const refused = await fetch(`${url}/v1/models`).then(
      () => false,
      () => true,
    );
    expect(refused, 'the port is free again').to.equal(true);
  });
});

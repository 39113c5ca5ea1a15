/**
 * `soniox realtime --mic`, with fake recorders (shell scripts) on a temporary PATH: the first of
 * arecord, sox, rec, ffmpeg is run for 16 kHz s16le mono, Ctrl-C stops it and the session is
 * finalized (the last words printed, exit 0), and a PATH without any names them all.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { memoryIO } from '../../lib/cli/io';
import { findRecorder } from '../../lib/cli/mic';
import { fixture } from '../audio';
import { until } from '../helpers';
import { cliFixture, run } from './helpers';

const audio = fixture('hello-world.wav');

describe('cli: soniox realtime --mic', function () {
  const t = cliFixture();
  let bin: string;
  beforeEach(() => {
    bin = path.join(t.tmp, 'bin');
    fs.mkdirSync(bin);
  });

  /** Puts a fake recorder `name` on the spec's PATH, running `body` (sh). */
  function recorder(name: string, body: string): void {
    const file = path.join(bin, name);
    fs.writeFileSync(file, `#!/bin/sh\necho "$@" > "$0.args"\n${body}\n`);
    fs.chmodSync(file, 0o755);
  }
  const argsOf = (name: string) => fs.readFileSync(path.join(bin, `${name}.args`), 'utf8').trim();

  it('streams the recorder as 16 kHz PCM; Ctrl-C finalizes and prints the last words', async () => {
    const pcm = path.join(t.tmp, 'mic.pcm');
    fs.writeFileSync(pcm, audio.pcm);
    // A live microphone: the audio, then nothing until it is stopped.
    recorder('arecord', `/bin/cat "${pcm}"\nexec /bin/sleep 30`);
    recorder('ffmpeg', 'exit 1');
    const io = memoryIO({ env: { ...t.env, PATH: bin } });
    const running = run(['realtime', '--mic'], { io });
    await until(() => t.server.received.sessions[0]?.audioBytes === audio.pcm.length, 15_000);
    io.interrupt();
    const { code, out, err } = await running;
    expect(err).to.equal('');
    expect(code).to.equal(0);
    expect(out).to.equal(`${audio.text}\n`);
    expect(argsOf('arecord')).to.equal('-q -t raw -f S16_LE -r 16000 -c 1 -');
    const [session] = t.server.received.sessions;
    expect(session?.start).to.include({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
    });
    expect(session?.endOfAudio).to.equal(true);
  });

  it('names every recorder it looks for when none is on the PATH (exit 2, nothing sent)', async () => {
    fs.writeFileSync(path.join(bin, 'sox'), 'not executable');
    const { code, err } = await run(['realtime', '--mic'], { env: { ...t.env, PATH: bin } });
    expect(code).to.equal(2);
    expect(err).to.include('arecord, sox, rec, ffmpeg');
    expect(t.server.received.sessions).to.have.length(0);
  });

  it("fails with the recorder's own words when it cannot record (exit 1)", async () => {
    recorder('sox', 'echo "sox FAIL: no default audio device" >&2\nexit 2');
    const { code, err } = await run(['realtime', '--mic'], { env: { ...t.env, PATH: bin } });
    expect(code).to.equal(1);
    expect(err).to.include('sox stopped (exit 2): sox FAIL: no default audio device');
  });

  it('fails with the reason a recorder could not be started (exit 1)', async () => {
    const file = path.join(bin, 'arecord');
    fs.writeFileSync(file, '#!/no/such/interpreter\n');
    fs.chmodSync(file, 0o755);
    const { code, err } = await run(['realtime', '--mic'], { env: { ...t.env, PATH: bin } });
    expect(code).to.equal(1);
    expect(err).to.include('arecord could not start');
  });

  it('takes a file or --mic, not both, not neither', async () => {
    const both = await run(['realtime', audio.path, '--mic'], { env: t.env });
    expect(both.code).to.equal(2);
    expect(both.err).to.include('--mic');
    const neither = await run(['realtime'], { env: t.env });
    expect(neither.code).to.equal(2);
    expect(neither.err).to.include('--mic');
  });

  describe('findRecorder', () => {
    it('takes arecord, then sox, then rec, then ffmpeg, across the PATH', () => {
      const other = path.join(t.tmp, 'other');
      fs.mkdirSync(other);
      recorder('ffmpeg', '');
      const both = `${other}${path.delimiter}${bin}`;
      expect(findRecorder(both, 'linux')?.name).to.equal('ffmpeg');
      recorder('rec', '');
      expect(findRecorder(both, 'linux')?.name).to.equal('rec');
      fs.copyFileSync(path.join(bin, 'rec'), path.join(other, 'sox'));
      fs.chmodSync(path.join(other, 'sox'), 0o755);
      expect(findRecorder(both, 'linux')).to.deep.include({
        name: 'sox',
        command: path.join(other, 'sox'),
      });
      expect(findRecorder(`${bin}${path.delimiter}${other}`, 'linux')?.args).to.deep.equal([
        '-q',
        '-d',
        '-t',
        'raw',
        '-b',
        '16',
        '-e',
        'signed-integer',
        '-L',
        '-r',
        '16000',
        '-c',
        '1',
        '-',
      ]);
      expect(findRecorder(undefined)).to.equal(undefined);
      expect(findRecorder('')).to.equal(undefined);
      // A directory of that name is no recorder.
      fs.mkdirSync(path.join(t.tmp, 'dirs', 'arecord'), { recursive: true });
      expect(findRecorder(path.join(t.tmp, 'dirs'))).to.equal(undefined);
    });

    it("asks ffmpeg for the platform's default input, as 16 kHz s16le mono", () => {
      recorder('ffmpeg', '');
      const out = ['-ac', '1', '-ar', '16000', '-f', 's16le', '-'];
      const head = ['-hide_banner', '-loglevel', 'error'];
      expect(findRecorder(bin, 'linux')?.args).to.deep.equal([
        ...head,
        ...['-f', 'alsa', '-i', 'default'],
        ...out,
      ]);
      expect(findRecorder(bin, 'darwin')?.args).to.deep.equal([
        ...head,
        ...['-f', 'avfoundation', '-i', ':0'],
        ...out,
      ]);
      recorder('ffmpeg.exe', '');
      expect(findRecorder(bin, 'win32')).to.deep.include({
        command: path.join(bin, 'ffmpeg.exe'),
        args: [...head, ...['-f', 'dshow', '-i', 'audio=default'], ...out],
      });
      recorder('rec', '');
      expect(findRecorder(bin, 'linux')?.args.slice(0, 2)).to.deep.equal(['-q', '-t']);
    });
  });
});

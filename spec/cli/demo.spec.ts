import { expect } from 'chai';
import fs from 'node:fs';
import sinon from 'sinon';
import path from 'node:path';
import { demo } from '../../lib/cli/commands/demo';
import { Context } from '../../lib/cli/context';
import { memoryIO } from '../../lib/cli/io';
import { cliFixture, noiseWav, run } from './helpers';
import { drive, settle } from '../helpers';

/**
 * The embedded mock's lifecycle and the injected Retry-After, shortened: the demo's own (450 ms
 * a job, 1 s) show its statuses to a person, and took most of this file's 8 s. The default
 * Retry-After is checked on the interrupted run, which stops during that wait.
 */
const FAST = { retryAfter: 0, timing: { queuedMs: 5, processingMs: 10 } };

describe('cli: soniox demo', function () {
  const t = cliFixture();

  it('offline, piped: plain lines for every step, the retried 503, and the figures table', async () => {
    const io = memoryIO();
    const ctx = new Context(io);
    t.defer(() => ctx.close());
    await demo(ctx, { pacing: false, ...FAST });
    const out = io.stdout.text;
    expect(io.stderr.text).to.equal('');
    expect(out).not.to.include('\x1b');
    expect(out).to.match(
      /^soniox demo: offline, against the embedded mock server at http:\/\/127\.0\.0\.1:\d+$/m,
    );
    expect(out).to.match(/^audio: fixtures\/audio\/hello-world\.wav \(82\.3 KB, 2\.63 s\)$/m);
    expect(out).to.match(/^upload: 0\.1 \/ 0\.1 MB \(100 %\)$/m);
    expect(out).to.match(
      /^retry 1: POST \/v1\/transcriptions got ".*503 service_unavailable.*"; retrying in 0\.00 s$/m,
    );
    expect(out).to.match(/^created transcription [0-9a-f-]{36}: queued$/m);
    expect(out).to.match(/^models: stt-rt-v5, stt-async-v5/m);
    expect(out).to.match(/^status: completed at/m);
    expect(out).to.match(/^START +END +WORD\n0\.33 s +0\.71 s +hello\n/m);
    expect(out).to.match(/^text: hello world this is a test$/m);
    expect(out).to.match(
      /4\. realtime, the same audio as fast as it goes\nhello world this is a test\n/,
    );
    expect(out).to.match(/^upload throughput +\d+\.\d MB\/s/m);
    expect(out).to.match(/^realtime: first token +\d+ ms$/m);
    expect(out).to.match(
      /^speaker 1: hi how are you doing\n {2}es: hola como te va\nspeaker 2: i am fine thank you\n {2}es: estoy bien gracias\n/m,
    );
    expect(out).to.match(/^retries +1 \(the injected 503, honouring Retry-After\)$/m);
    // The fixtures folder as a batch: a line per file, then each file's transcript.
    expect(out).to.match(/^6\. many files: the fixtures folder as a batch, 4 at a time$/m);
    expect(out.match(/^\[\d\/6\] done fixtures\/audio\/[a-z-]+\.wav -> /gm)).to.have.length(6);
    expect(out).to.match(/^FILE +TRANSCRIPT\nbilingual\.wav +good afternoon everyone/m);
    expect(out).to.match(/^weather\.wav +the weather is sunny today$/m);
    expect(out).to.match(/^batch +6 files in \d+\.\d\d s, \d+ files\/min$/m);
  });

  it('on a terminal: the bar, live words, colours; paced at real time', async () => {
    const wav = path.join(t.tmp, 'noise.wav');
    fs.writeFileSync(wav, noiseWav(400));
    const io = memoryIO({ isTTY: true });
    const ctx = new Context(io);
    t.defer(() => ctx.close());
    const started = Date.now();
    await demo(ctx, { pacing: true, ...FAST, audio: wav });
    expect(Date.now() - started).to.be.at.least(300);
    expect(io.stdout.text).to.match(/upload \[=+\] 100%/);
    expect(io.stdout.text).to.include('\x1b[1m1. upload');
    expect(io.stdout.text).to.include('\r\x1b[2K');
    expect(io.stdout.text).to.match(/4\. realtime, the same audio at real time/);
    expect(io.stdout.text).to.match(/retrying in 0\.00 s/);
    expect(io.stdout.text).to.match(/\[=+\] 6\/6 files/);
  });

  it('Ctrl-C stops it (exit 130) and cleans up; --live without a key is a usage error', async () => {
    // On a fake clock: the cleanup lets the create being retried finish first, which waits out
    // the Retry-After (1 s).
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.defer(() => clock.restore());
    const io = memoryIO();
    const running = run(['demo', '--no-pacing'], { io });
    await drive(clock, 10_000, () => io.stdout.text.includes('retry 1'));
    expect(io.stdout.text).to.match(/injected fault: .* Retry-After: 1 once\n/);
    expect(io.stdout.text).to.match(/^retry 1: .*; retrying in 1\.00 s$/m);
    io.interrupt();
    const { code, out } = await settle(clock, running);
    clock.restore();
    expect(code).to.equal(130);
    expect(out).to.match(/interrupted\n$/);
    expect(out).not.to.match(/left behind/);

    const env = t.env;
    const ok = await run(['demo', '--live', '--no-pacing'], { env });
    expect(ok.code).to.equal(0);
    expect(ok.out).to.match(/^soniox demo --live: against http:\/\/127\.0\.0\.1:\d+$/m);
    expect(ok.out).to.match(/^retries +0$/m);
    expect(t.server.state.files.size + t.server.state.transcriptions.size).to.equal(0);
    t.server.setFaults({ http: [{ route: 'POST /v1/files', status: 400 }] });
    const failed = await run(['demo', '--live', '--no-pacing'], { env });
    expect(failed.code).to.equal(1);
    expect(failed.err).to.match(/^error: POST \/v1\/files failed with 400/);

    const live = await run(['demo', '--live']);
    expect(live).to.include({
      code: 2,
      err: 'error: no API key: set SONIOX_API_KEY (`soniox mock` prints one for a local mock server)\n',
    });
    const missing = await run(['demo', '--audio', '/nonexistent.wav']);
    expect(missing).to.include({ code: 2, err: 'error: no such file: /nonexistent.wav\n' });
  });
});

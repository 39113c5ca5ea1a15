/**
 * Exactly once across kills: a journaled batch in a child process is killed at seeded points
 * (after an upload, after a create, mid-wait; SIGKILL or Ctrl-C) against a mock server in this
 * process, then run again until it finishes. Every input ends transcribed, and the mock saw
 * exactly one transcription created per input. The same holds for two CLI runs started on one
 * --out-dir at once (the second is refused), and for a run on a full disk (`ulimit -f`), run
 * again once there is room.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { seededRandom } from '../../lib/mock/state';
import type { StoredTranscription } from '../../lib/mock/state';
import type { MockServer } from '../../lib/mock';
import { SECRET_KEY, fixture, until } from '../helpers';
import { buffers } from '../batch/helpers';
import { ROOT, envFor, noiseWav } from '../cli/helpers';

const SCRIPT = path.join(__dirname, 'batch-child.script.ts');
const INPUTS = 8;

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startChild(baseURL: string, dir: string, journal: string): Child {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', SCRIPT, baseURL, SECRET_KEY, dir, journal],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { process: child, output: () => output, exited };
}

describe('client.transcribeMany killed and run again', () => {
  // Jobs pending long enough (0.6 s) that a slow child still polls while they are.
  const t = fixture({ mock: { timing: { queuedMs: 300, processingMs: 300 } } });
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-kill-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // One seed: each child pays ts-node's start-up (seconds on a busy machine). The three stops
  // cover the three points in a seeded order, each at a seeded depth and with a seeded signal.
  for (const seed of [7]) {
    it(`creates each input exactly once over three stops and a final run (seed ${seed})`, async function () {
      this.timeout(300_000);
      const random = seededRandom(seed);
      const points = ['after upload', 'after create', 'mid-wait'];
      const offset = Math.floor(random() * points.length);
      const inputs = path.join(dir, 'in');
      fs.mkdirSync(inputs);
      buffers(INPUTS, 16_000, seed).forEach((content, i) =>
        fs.writeFileSync(path.join(inputs, `call-${i}.raw`), content),
      );
      const journal = path.join(dir, 'batch.jsonl');
      // Every transcription the mock ever creates, by client reference (cleanup deletes them).
      const created: string[] = [];
      const jobs = t.server.state.transcriptions;
      const set = jobs.set.bind(jobs);
      jobs.set = (id: string, job: StoredTranscription) => {
        if (!jobs.has(id)) created.push(job.transcription.client_reference_id ?? '(none)');
        return set(id, job);
      };
      const hits = (route: string) => t.server.state.hits[route] ?? 0;
      const pending = () => t.server.state.pendingTranscriptions() > 0;
      const stops: string[] = [];

      for (let stop = 0; stop < 3; stop++) {
        const child = startChild(t.server.url, inputs, journal);
        const point = points[(stop + offset) % points.length]!;
        const k = 1 + Math.floor(random() * 2);
        const signal = random() < 0.7 ? 'SIGKILL' : 'SIGINT';
        const [uploads, creates, polls] = [
          hits('POST /v1/files'),
          created.length,
          hits('GET /v1/transcriptions/:id'),
        ];
        let exitedEarly = false;
        void child.exited.then(() => (exitedEarly = true));
        await until(
          () =>
            exitedEarly ||
            (point === 'after upload' && hits('POST /v1/files') >= uploads + k) ||
            (point === 'after create' && created.length >= creates + k) ||
            (point === 'mid-wait' && pending() && hits('GET /v1/transcriptions/:id') >= polls + k),
          // A child's start-up (ts-node) takes seconds on a busy machine.
          90_000,
        );
        const finishedFirst = exitedEarly;
        child.process.kill(signal);
        await child.exited;
        stops.push(`${point} +${k} ${signal}${finishedFirst ? ' (had finished)' : ''}`);
      }

      const last = startChild(t.server.url, inputs, journal);
      const code = await last.exited;
      expect(code, last.output()).to.equal(0);
      const lines = last.output().trim().split('\n');
      expect(lines, last.output()).to.have.length(INPUTS);
      for (const line of lines) expect(line, stops.join('; ')).to.match(/^(done|skipped) call-/);

      // Exactly once: one job per input, never two for the same reference.
      expect(created.length, stops.join('; ')).to.equal(INPUTS);
      expect(stops.join('; ')).not.to.include('had finished');
      expect(new Set(created).size).to.equal(INPUTS);
      // And nothing left behind: the jobs, and the files of cut-off uploads, are deleted.
      await until(() => jobs.size === 0 && t.server.state.files.size === 0, 5_000).catch(
        (error: Error) => {
          const left = [...jobs.values()].map(
            (j) => `job ${j.transcription.status} ${j.transcription.client_reference_id ?? ''}`,
          );
          for (const f of t.server.state.files.values()) left.push(`file ${f.filename}`);
          throw new Error(`${error.message}; left: ${left.join(', ')}; stops: ${stops.join('; ')}`);
        },
      );
    });
  }

  describe('the CLI', () => {
    const children = new Set<ChildProcess>();
    afterEach(() => {
      for (const child of children) child.kill('SIGKILL');
      children.clear();
    });

    /** `soniox transcribe IN --out-dir OUT ...` in a child (through `sh -c` with `shell`). */
    function startCli(server: MockServer, args: string[], shell?: string): Child {
      const { SONIOX_API_KEY: _k, SONIOX_API_BASE_URL: _b, ...rest } = process.env;
      const node = [process.execPath, '-r', 'ts-node/register/transpile-only', 'lib/cli/index.ts'];
      const child = spawn(
        shell === undefined ? process.execPath : 'sh',
        shell === undefined
          ? [...node.slice(1), 'transcribe', ...args]
          : ['-c', `${shell}; exec "$@"`, 'sh', ...node, 'transcribe', ...args],
        {
          cwd: ROOT,
          env: {
            ...rest,
            NO_COLOR: '1',
            ...envFor(server),
            SONIOX_API_KEY: SECRET_KEY,
            // ts-node's compile cache, under `ulimit -f`, loads an .mjs of get-intrinsic as CJS.
            DISABLE_V8_COMPILE_CACHE: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.add(child);
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { process: child, output: () => output, exited };
    }

    /** Every transcription the mock ever creates (cleanup deletes them). */
    function countCreates(server: MockServer): () => number {
      let created = 0;
      const jobs = server.state.transcriptions;
      const set = jobs.set.bind(jobs);
      jobs.set = (id: string, job: StoredTranscription) => {
        if (!jobs.has(id)) created++;
        return set(id, job);
      };
      return () => created;
    }

    function inputsIn(folder: string, count: number): void {
      fs.mkdirSync(folder);
      for (let i = 0; i < count; i++)
        fs.writeFileSync(path.join(folder, `call-${i}.wav`), noiseWav(200 + 20 * i));
    }

    const outputs = (out: string) =>
      fs.readdirSync(out).filter((f) => !f.startsWith('.soniox-batch'));

    it('two runs started on one --out-dir at once: the second is refused naming the first, each input created once', async function () {
      this.timeout(300_000);
      // Jobs that take seconds: the first run still holds the journal when the second starts.
      const server = await t.serverWith({ timing: { queuedMs: 3_000, processingMs: 500 } });
      const created = countCreates(server);
      const [inputs, out] = [path.join(dir, 'in'), path.join(dir, 'out')];
      inputsIn(inputs, INPUTS);
      const args = [inputs, '--out-dir', out, '--concurrency', '2', '--poll-ms', '50'];
      const first = startCli(server, args);
      const lock = path.join(out, '.soniox-batch-text.jsonl.lock');
      // The first run is under way (uploading): the second starts now.
      await until(() => (server.state.hits['POST /v1/files'] ?? 0) > 0, 90_000);
      const second = startCli(server, args);
      expect(await second.exited, second.output()).to.equal(2);
      expect(second.output()).to.include(`error: another run (pid ${first.process.pid}, started `);
      expect(second.output()).to.include(`is transcribing into ${out}: one run at a time`);
      expect(await first.exited, first.output()).to.equal(0);
      expect(created()).to.equal(INPUTS);
      expect(outputs(out).sort()).to.deep.equal(
        Array.from({ length: INPUTS }, (_, i) => `call-${i}.txt`).sort(),
      );
      expect(fs.existsSync(lock)).to.equal(false);
    });

    it('a full disk (ulimit -f): one error line and the summary, no stack trace; run again with room, each input created once', async function () {
      this.timeout(300_000);
      const created = countCreates(t.server);
      const [inputs, out] = [path.join(dir, 'in'), path.join(dir, 'out')];
      inputsIn(inputs, INPUTS);
      const args = [inputs, '--out-dir', out, '--concurrency', '2', '--poll-ms', '10'];
      // Files of at most 4 blocks (2 KiB in sh's 512-byte blocks): the journal outgrows it
      // an input or two into the batch (a line a step, about 750 bytes an input).
      const full = startCli(t.server, args, 'ulimit -f 4');
      expect(await full.exited, full.output()).to.equal(1);
      const text = full.output();
      expect(text).not.to.match(/\n\s+at /);
      expect(text.match(/^error: .*$/gm)).to.deep.equal([
        `error: cannot write the journal ${path.join(out, '.soniox-batch-text.jsonl')} (EFBIG): the batch stopped; what was done is listed above and kept; make room and run the same command again to finish`,
      ]);
      expect(text).to.match(/^\d of 8 inputs: /m);
      expect(fs.readdirSync(out).filter((f) => f.includes('partial'))).to.deep.equal([]);
      expect(created()).to.be.below(INPUTS);

      const again = startCli(t.server, args);
      expect(await again.exited, again.output()).to.equal(0);
      expect(created()).to.equal(INPUTS);
      expect(outputs(out)).to.have.length(INPUTS);
      await until(
        () => t.server.state.transcriptions.size === 0 && t.server.state.files.size === 0,
        5_000,
      );
    });
  });
});

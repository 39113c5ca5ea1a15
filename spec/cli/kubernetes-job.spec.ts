/**
 * docs/batch.md "Across machines": the example Kubernetes Indexed Job runs, for every pod index,
 * the command its manifest holds, expanded by a shell as the pod's `sh -c` would, against the
 * mock. Together the pods transcribe every input once, each into its own shard's journal, and the
 * exit code the manifest treats as final is the CLI's usage error.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { EXIT_USAGE } from '../../lib/cli/context';
import { cliFixture, noiseWav, run } from './helpers';

const MANIFEST = path.join(
  __dirname,
  '..',
  '..',
  'examples',
  'kubernetes',
  'transcribe-archive.yaml',
);

/** The manifest's fields this spec reads (a YAML subset: its own plain lines). */
function readManifest() {
  const text = fs.readFileSync(MANIFEST, 'utf8');
  const field = (name: 'completions' | 'parallelism') =>
    // eslint-disable-next-line security/detect-non-literal-regexp -- one of two literal names
    Number(new RegExp(`^\\s+${name}: (\\d+)$`, 'm').exec(text)?.[1]);
  // The container's one argument to `sh -c`: a folded block (`>-`), its lines joined by spaces.
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s+- >-$/.test(line));
  const indent = /^\s*/.exec(lines[start + 1] ?? '')![0].length;
  const script: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || /^\s*/.exec(line)![0].length < indent) break;
    script.push(line.trim());
  }
  const failIndex = /- action: FailIndex[\s\S]*?values: \[(\d+)\]/.exec(text)?.[1];
  return {
    completions: field('completions'),
    parallelism: field('parallelism'),
    script: script.join(' '),
    failIndexExitCode: Number(failIndex),
  };
}

/** The words the pod's shell runs for `index`, expanded by a real shell. */
function wordsFor(script: string, index: number): string[] {
  const printed = execFileSync(
    'sh',
    ['-c', `set -- ${script.replace(/^exec /, '')}; printf '%s\\0' "$@"`],
    {
      env: { PATH: process.env.PATH ?? '', JOB_COMPLETION_INDEX: String(index) },
    },
  );
  return printed.toString('utf8').split('\0').slice(0, -1);
}

describe('examples/kubernetes: a batch across the pods of an Indexed Job', function () {
  const t = cliFixture();

  it('has one shard per completion index, the shard count equal to completions and parallelism', () => {
    const manifest = readManifest();
    expect(manifest.completions).to.be.at.least(2);
    expect(manifest.parallelism).to.equal(manifest.completions);
    const shards = Array.from({ length: manifest.completions }, (_, i) => {
      const words = wordsFor(manifest.script, i);
      return words[words.indexOf('--shard') + 1];
    });
    expect(shards).to.deep.equal(
      Array.from({ length: manifest.completions }, (_, i) => `${i + 1}/${manifest.completions}`),
    );
  });

  it('gives up an index only on the CLI usage error, which a replaced pod would meet again', () => {
    expect(readManifest().failIndexExitCode).to.equal(EXIT_USAGE);
  });

  it('transcribes every input once when every index runs its command', async () => {
    const { completions, script } = readManifest();
    const data = path.join(t.tmp, 'data');
    const calls = path.join(data, 'calls');
    fs.mkdirSync(calls, { recursive: true });
    for (let i = 0; i < 8; i++)
      fs.writeFileSync(path.join(calls, `call-${i}.wav`), noiseWav(100 + i * 10));
    let transcribed = 0;
    for (let index = 0; index < completions; index++) {
      const words = wordsFor(script, index).map((word) => word.replace(/^\/data(?=\/)/, data));
      expect(words.slice(0, 2)).to.deep.equal(['soniox', 'transcribe']);
      const { code, out, err } = await run([...words.slice(1), '--poll-ms', '10'], { env: t.env });
      expect(code, err).to.equal(0);
      expect(err).to.include(`(shard ${index + 1}/${completions} of 8)`);
      transcribed += Number(/^(\d+) of \d+ inputs/m.exec(out)?.[1]);
    }
    expect(transcribed).to.equal(8);
    expect(t.server.state.hits['POST /v1/transcriptions']).to.equal(8);
    const written = fs
      .readdirSync(path.join(data, 'transcripts'))
      .filter((name) => !name.startsWith('.'))
      .sort();
    expect(written).to.deep.equal(Array.from({ length: 8 }, (_, i) => `call-${i}.srt`));
  });
});

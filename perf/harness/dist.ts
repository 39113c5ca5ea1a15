/** The built package (dist/) for fresh-process figures: rebuilt when a lib/ source is newer. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runNode } from './child';

function newest(dir: string): number {
  let t = 0;
  const stack = [dir];
  for (let guard = 0; stack.length && guard < 10_000; guard++) {
    const d = stack.pop() as string;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.json'))
        t = Math.max(t, fs.statSync(p).mtimeMs);
    }
  }
  return t;
}

/** Makes sure dist/ is built from the current lib/ (the steps of `npm run build`: tsc, the ESM wrappers, the precompiled validators). */
export async function ensureDist(log: (m: string) => void): Promise<string> {
  const entry = path.join(ROOT, 'dist', 'index.js');
  const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
  if (built >= newest(path.join(ROOT, 'lib'))) return entry;
  log('dist/ is older than lib/: building it (npm run build)');
  const tsc = await runNode(
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { timeoutMs: 120_000 },
  );
  if (tsc.code !== 0)
    throw new Error(`build failed: ${tsc.stdout.slice(-400)} ${tsc.stderr.slice(-400)}`);
  const esm = await runNode([path.join(ROOT, 'scripts', 'esm-wrappers.js')], { timeoutMs: 60_000 });
  if (esm.code !== 0) throw new Error(`esm wrappers failed: ${esm.stderr.slice(-400)}`);
  const validators = await runNode([path.join(ROOT, 'scripts', 'build-validators.js')], {
    timeoutMs: 60_000,
  });
  if (validators.code !== 0)
    throw new Error(`precompiled validators failed: ${validators.stderr.slice(-400)}`);
  return entry;
}

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

/** Makes sure dist/ is built from the current lib/ (`npm run build`'s one script: tsc, the validators, the bundles, the ESM wrappers). */
export async function ensureDist(log: (m: string) => void): Promise<string> {
  const entry = path.join(ROOT, 'dist', 'index.js');
  const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
  if (built >= newest(path.join(ROOT, 'lib'))) return entry;
  log('dist/ is older than lib/: building it (npm run build)');
  const build = await runNode([path.join(ROOT, 'scripts', 'build.js')], { timeoutMs: 180_000 });
  if (build.code !== 0)
    throw new Error(`build failed: ${build.stdout.slice(-400)} ${build.stderr.slice(-400)}`);
  return entry;
}

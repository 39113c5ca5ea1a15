import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { withoutCoverage } from './without-coverage';

describe('spec children without coverage', () => {
  it('runs the command as it is outside nyc', () => {
    expect(withoutCoverage('npm', ['ci'], {})).to.deep.equal(['npm', ['ci']]);
  });

  it("drops nyc's NODE_OPTIONS under nyc, running the command through env", () => {
    expect(withoutCoverage('npm', ['ci'], { NYC_CONFIG: '{}' })).to.deep.equal([
      'env',
      ['-u', 'NODE_OPTIONS', 'npm', 'ci'],
    ]);
  });

  it("starts a child that loads no nyc, keeping the child's pid as the spawned one", () => {
    const [command, args] = withoutCoverage(process.execPath, [
      '-p',
      'JSON.stringify([process.pid, process.env.NODE_OPTIONS ?? "", Object.keys(require.cache)])',
    ]);
    const child = spawnSync(command, args, { encoding: 'utf8' });
    const [pid, options, loaded] = JSON.parse(child.stdout) as [number, string, string[]];
    expect(pid).to.equal(child.pid);
    expect(options).not.to.include('node-preload');
    expect(loaded.filter((file) => /[\\/]nyc[\\/]/.test(file))).to.deep.equal([]);
  });
});

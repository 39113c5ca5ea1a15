/**
 * The live suite's flows, proven on loopback: run against the mock through the SDK's own base
 * URL overrides (as a user points the suite elsewhere), recorded with SONIOX_RECORD, then
 * replayed from those cassettes by a mock in replay mode with no miss. The suite itself
 * (live.test.ts) is skipped with its reason without a key, and stays out of `npm test`.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startMockServer, type MockServer } from '../../lib/mock';
import { SECRET_KEY, fixture } from '../helpers';
import { withoutCoverage } from '../without-coverage';
import {
  realtimeFlow,
  skipReason,
  temporaryKeyFlow,
  transcribeFlow,
  translationFlow,
  webhookFlow,
  webhookSettings,
  type LiveEnv,
} from './flows';

const ROOT = path.join(__dirname, '..', '..');

const envOf = (server: MockServer, extra: LiveEnv = {}): LiveEnv => ({
  SONIOX_API_KEY: SECRET_KEY,
  SONIOX_API_BASE_URL: server.url,
  SONIOX_REALTIME_URL: server.realtimeURL,
  ...extra,
});

describe('live suite: its flows on loopback', () => {
  const t = fixture({ mock: { realtimePacing: false } });
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-live-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs every flow against the mock by the base-URL overrides, the webhook one included', async () => {
    const env = envOf(t.server);
    await transcribeFlow(env);
    await translationFlow(env);
    await realtimeFlow(env, false);
    await temporaryKeyFlow(env, false);
    const status = await webhookFlow(env, { url: 'http://127.0.0.1:{port}/hook', port: 0 });
    expect(status).to.equal('completed');
  });

  it('records the flows with SONIOX_RECORD and replays them from the cassettes with no miss', async () => {
    const live = envOf(t.server, { SONIOX_RECORD: dir });
    const recorded = [
      await transcribeFlow(live),
      await translationFlow(live),
      await realtimeFlow(live, false),
      await temporaryKeyFlow(live, false),
    ];
    const text = fs
      .readdirSync(dir)
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(text).not.to.include(SECRET_KEY);

    const server = await startMockServer({ apiKey: SECRET_KEY, replay: { dir, pace: 'instant' } });
    t.defer(() => server.close());
    const env = envOf(server);
    const replayed = [
      await transcribeFlow(env),
      await translationFlow(env),
      await realtimeFlow(env, false),
      await temporaryKeyFlow(env, false),
    ];
    expect(server.replay?.misses).to.deep.equal([]);
    expect(replayed).to.deep.equal(recorded);
  });

  it('says why the suite is skipped without a key, and what the webhook flow needs', () => {
    expect(skipReason({})).to.match(/^SONIOX_API_KEY is not set/);
    expect(skipReason({ SONIOX_API_KEY: 'k' })).to.equal(undefined);
    expect(webhookSettings({})).to.match(/set SONIOX_LIVE_WEBHOOK_URL/);
    expect(
      webhookSettings({
        SONIOX_LIVE_WEBHOOK_URL: 'https://x.test/h',
        SONIOX_LIVE_WEBHOOK_PORT: '8123',
      }),
    ).to.deep.equal({ url: 'https://x.test/h', port: 8123 });
  });

  it('npm run test:live without a key skips the suite with its reason, exit 0', async function () {
    // A child mocha compiling the SDK under ts-node: seconds alone, more on a busy machine.
    // Without a key it runs none of the SDK (the suite is skipped), so it runs without nyc.
    this.timeout(120_000);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SONIOX_API_KEY;
    const { stdout: out } = await promisify(execFile)(
      ...withoutCoverage(process.execPath, [path.join(ROOT, 'scripts', 'test-live.js')]),
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    expect(out).to.include('live suite skipped: SONIOX_API_KEY is not set');
    expect(out).to.match(/0 passing/);
    expect(out).to.match(/5 pending/);
  });

  it('is never part of npm test: its file is no spec, its script its own', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts['test:live']).to.equal('node scripts/test-live.js');
    expect(fs.existsSync(path.join(ROOT, 'spec', 'live', 'live.test.ts'))).to.equal(true);
    expect('spec/live/live.test.ts').not.to.match(/\.spec\.ts$/);
    expect(scripts['test:unit']).not.to.include('live');
    expect(fs.readFileSync(path.join(ROOT, 'scripts', 'test.js'), 'utf8')).not.to.include('live');
  });
});

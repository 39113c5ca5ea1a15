import { expect } from 'chai';
import sinon from 'sinon';
import { memoryIO } from '../../lib/cli/io';
import { cliFixture, run } from './helpers';
import { settle, until } from '../helpers';

describe('cli: soniox models', function () {
  const t = cliFixture();

  it('prints a table, or JSON with --json', async () => {
    const env = t.env;
    const table = await run(['models'], { env });
    expect(table).to.include({ code: 0, err: '' });
    expect(table.out).to.match(/^ID +MODE +LANGUAGES +ALIAS OF +NAME\n/);
    expect(table.out).to.match(/^stt-rt-v5 +real_time +\d+ +Speech-to-Text Real-time v5$/m);
    expect(table.out).to.match(
      /^stt-async-v4 +async +\d+ +stt-async-v5 +Speech-to-Text Async v4$/m,
    );
    const json = JSON.parse((await run(['models', '--json'], { env })).out) as Array<{
      id: string;
    }>;
    expect(json.map((m) => m.id)).to.include('stt-async-v5');
  });

  it('a 503 is retried (shown with --verbose); a lasting one exits 1; a wrong key exits 1 without printing it', async () => {
    const env = t.env;
    t.server.setFaults({
      http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1, times: 1 }],
    });
    const retried = await run(['models', '--verbose'], { env });
    expect(retried.code).to.equal(0);
    expect(retried.err).to.match(
      /^retry 1 of GET \/v1\/models in \d+ ms: GET \/v1\/models failed with 503 service_unavailable: .*\(request id [0-9a-f-]{36}\)$/m,
    );

    t.server.setFaults({ http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1 }] });
    const failed = await run(['models'], { env });
    expect(failed.code).to.equal(1);
    expect(failed.err).to.match(/^error: GET \/v1\/models failed with 503/);

    t.server.setFaults({});
    const wrongKey = 'sk-wrong-key-0123456789';
    const denied = await run(['models'], { env: { ...env, SONIOX_API_KEY: wrongKey } });
    expect(denied.code).to.equal(1);
    expect(denied.err).to.match(/401 unauthenticated/);
    expect(denied.err).not.to.include(wrongKey);
  });

  it('Ctrl-C while a call is in flight: exit 130, "interrupted" on stderr', async () => {
    t.server.setFaults({ http: [{ route: 'GET /v1/models', delayMs: 5_000 }] });
    const io = memoryIO({ env: t.env });
    const running = run(['models'], { io });
    await until(() => t.server.state.inFlight > 0, 10_000);
    io.interrupt();
    expect(await running).to.include({ code: 130, out: '', err: 'interrupted\n' });
  });

  it('a network failure exits 1 with a clear line', async () => {
    const env = t.env;
    await t.server.close();
    // The client's backoff between the refused attempts runs on a fake clock.
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.defer(() => clock.restore());
    const { code, err } = await settle(clock, run(['models'], { env: { ...env } }));
    expect(code).to.equal(1);
    expect(err).to.match(/^error: GET \/v1\/models failed: .*ECONNREFUSED/);
  });
});

/**
 * `soniox usage` and `soniox limits`: the account's usage records (or their summary per model)
 * and its realtime concurrency, as a table or JSON, against the mock.
 */
import { expect } from 'chai';
import { cliFixture, run } from './helpers';

describe('cli: soniox usage and soniox limits', function () {
  const t = cliFixture({
    timing: { queuedMs: 1, processingMs: 1 },
    rateLimit: { realtimeConcurrentSessions: 7 },
  });

  async function transcribed(reference: string) {
    await t.client.transcribe('fixtures/audio/hello-world.wav', {
      client_reference_id: reference,
      pollIntervalMs: 10,
    });
  }

  it('lists the requests of the last 24 hours, one row each, and their total', async () => {
    await transcribed('order-1');
    await transcribed('order-2');
    const { code, out, err } = await run(['usage'], { env: t.env });
    expect(code, err).to.equal(0);
    expect(out).to.match(/^END +SCOPE +MODEL +AUDIO +COST USD +REFERENCE\n/);
    expect(out).to.match(/^\S+Z +stt_async +stt-async-v5 +\d+\.\d s +0\.\d{6} +order-1$/m);
    expect(out).to.match(/^\S+Z +stt_async +stt-async-v5 +\d+\.\d s +0\.\d{6} +order-2$/m);
    expect(out).to.match(/^2 requests, \d+\.\d s of audio, 0\.\d{6} USD$/m);
  });

  it('sums per model with --summary, and prints JSON with --json', async () => {
    await transcribed('a');
    const summary = await run(['usage', '--summary'], { env: t.env });
    expect(summary.code, summary.err).to.equal(0);
    expect(summary.out).to.match(/^MODEL +REQUESTS +AUDIO +COST USD\n/);
    expect(summary.out).to.match(/^stt-async-v5 +1 +\d+\.\d s +0\.\d{6}$/m);
    expect(summary.out).to.match(/^total +1 +\d+\.\d s +0\.\d{6}$/m);
    const json = JSON.parse((await run(['usage', '--json'], { env: t.env })).out) as Array<{
      client_reference_id: string;
    }>;
    expect(json.map((u) => u.client_reference_id)).to.deep.equal(['a']);
  });

  it('takes --from and --to as times or as a duration ago, and refuses a window it cannot read', async () => {
    await transcribed('now');
    const old = await run(
      ['usage', '--from', '2020-01-01T00:00:00Z', '--to', '2020-01-02T00:00:00Z'],
      {
        env: t.env,
      },
    );
    expect(old.code, old.err).to.equal(0);
    expect(old.out).to.match(/^0 requests, 0\.0 s of audio, 0\.000000 USD$/m);
    const week = await run(['usage', '--from', '7d'], { env: t.env });
    expect(week.out).to.match(/ now$/m);
    const bad = await run(['usage', '--from', 'last tuesday'], { env: t.env });
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/--from.*ISO 8601 time.*or a duration such as 24h or 7d/);
    expect(t.server.state.hits['GET /v1/usage-logs'] ?? 0).to.equal(2);
  });

  it('shows the realtime sessions open now against the configured limits', async () => {
    const { code, out, err } = await run(['limits'], { env: t.env });
    expect(code, err).to.equal(0);
    expect(out).to.match(/^SCOPE +REALTIME SESSIONS +LIMIT\n/);
    expect(out).to.match(/^project +0 +7$/m);
    expect(out).to.match(/^organization +0 +7$/m);
    const json = JSON.parse((await run(['limits', '--json'], { env: t.env })).out) as {
      project: { limits: { transcribe_concurrent: number } };
    };
    expect(json.project.limits.transcribe_concurrent).to.equal(7);
  });
});

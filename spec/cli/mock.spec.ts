import { expect } from 'chai';
import { once } from 'node:events';
import WebSocket from 'ws';
import { parseWsFaultFlag } from '../../lib/cli';
import { memoryIO, type MemoryIO } from '../../lib/cli/io';
import { fixture } from '../audio';
import { run } from './helpers';
import { until } from '../helpers';

describe('cli: soniox mock', function () {
  let io: MemoryIO | undefined;
  // A failed spec must not leave its server listening: Ctrl-C it.
  afterEach(() => io?.interrupt());
  it('serves until Ctrl-C with the given key, timing and faults, prints how to use it, exits 0', async () => {
    io = memoryIO({ isTTY: true });
    const running = run(
      [
        'mock',
        '--port',
        '0',
        '--key',
        'k-123',
        '--queued-ms',
        '0',
        '--processing-ms',
        '0',
        '--no-pacing',
        '--seed',
        '7',
        '--fault',
        'GET /v1/models=503,times=1',
        '--fault',
        'GET /v1/files=500,times=1',
        '--ws-fault',
        'errorCode=503,times=1',
      ],
      { io },
    );
    await until(() => io!.stdout.text.includes('Ctrl-C'), 10_000);
    const out = io.stdout.text;
    expect(out).to.match(
      /WebSocket: ws:\/\/127\.0\.0\.1:\d+\/transcribe-websocket \(results as fast as audio arrives\)/,
    );
    expect(out).to.match(/export SONIOX_API_KEY=k-123/);
    const url = /REST: +(\S+)/.exec(out)![1];
    const headers = { Authorization: 'Bearer k-123' };
    expect((await fetch(`${url}/v1/models`, { headers })).status).to.equal(503);
    expect((await fetch(`${url}/v1/models`, { headers })).status).to.equal(200);
    expect((await fetch(`${url}/v1/files`, { headers })).status).to.equal(500);

    // The CLI against the CLI's mock: the environment it printed is all it takes.
    const env = Object.fromEntries(
      [...out.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
    );
    const audio = fixture('hello-world.wav');
    const t = await run(['transcribe', audio.path, '--poll-ms', '10'], { env });
    expect(t.out).to.equal(`${audio.text}\n`);
    const rt = await run(['realtime', audio.path], { env });
    expect(rt.code).to.equal(1);
    expect(rt.err).to.match(/503/);

    io.interrupt();
    expect((await running).code).to.equal(0);
    expect(io.stderr.text).to.equal('mock server stopped\n');
    let refused = false;
    await fetch(`${url}/v1/models`, { headers }).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('bad --fault or --ws-fault values, or a non-loopback host, are usage errors (exit 2)', async () => {
    const fault = await run(['mock', '--port', '0', '--fault', 'GET /v1/models']);
    expect(fault.code).to.equal(2);
    expect(fault.err).to.match(
      /option '--fault <spec>' argument 'GET \/v1\/models' is invalid. fault "GET \/v1\/models" must look like/,
    );
    const ws = await run(['mock', '--port', '0', '--ws-fault', 'colour=red']);
    expect(ws.code).to.equal(2);
    expect(ws.err).to.match(/unknown --ws-fault field "colour"/);
    const port = await run(['mock', '--port', '99999']);
    expect(port.code).to.equal(2);
    const host = await run(['mock', '--port', '0', '--host', '0.0.0.0']);
    expect(host.code).to.equal(2);
    expect(host.err).to.match(
      /argument '0\.0\.0\.0' is invalid. the mock server binds loopback only/,
    );
  });

  it('defaults: no faults, paced results, quiet on a pipe when stopped', async () => {
    io = memoryIO();
    const running = run(['mock', '--port', '0'], { io });
    await until(() => io!.stdout.text.includes('Ctrl-C'), 10_000);
    expect(io.stdout.text).to.match(/\(results paced at audio time\)/);
    expect(io.stdout.text).to.match(/export SONIOX_API_KEY=mock-api-key/);
    io.interrupt();
    expect(await running).to.include({ code: 0, err: '' });
  });

  it('--rich-errors: realtime error frames with error_type and request_id (default: the two documented fields)', async () => {
    /** The first frame the mock at `url` answers a start message naming no real model with. */
    const errorFrame = async (url: string) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws') + '/transcribe-websocket');
      await once(ws, 'open');
      ws.send(JSON.stringify({ api_key: 'mock-api-key', model: 'nope', audio_format: 'auto' }));
      const [data] = (await once(ws, 'message')) as [Buffer];
      ws.close();
      return JSON.parse(data.toString()) as Record<string, unknown>;
    };
    for (const [flags, keys] of [
      [[], ['error_code', 'error_message']],
      [
        ['--rich-errors'],
        ['error_code', 'error_message', 'error_type', 'more_info', 'request_id', 'tokens'],
      ],
    ] as const) {
      io = memoryIO();
      const running = run(['mock', '--port', '0', ...flags], { io });
      await until(() => io!.stdout.text.includes('Ctrl-C'), 10_000);
      const url = /REST: +(\S+)/.exec(io.stdout.text)![1]!;
      expect(Object.keys(await errorFrame(url)).sort()).to.deep.equal([...keys].sort());
      io.interrupt();
      expect(await running).to.include({ code: 0 });
    }
  });

  it('parses --ws-fault flags', () => {
    expect(parseWsFaultFlag('errorCode=503,afterAudioMs=1000,times=1')).to.deep.equal({
      errorCode: 503,
      afterAudioMs: 1000,
      times: 1,
    });
    expect(parseWsFaultFlag('abruptClose, garbageFrame=false')).to.deep.equal({
      abruptClose: true,
      garbageFrame: false,
    });
    expect(() => parseWsFaultFlag('times=x')).to.throw('--ws-fault times must be a number');
  });
});

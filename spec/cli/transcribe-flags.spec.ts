/**
 * `soniox transcribe` takes every recognition flag `soniox realtime` takes, from one shared
 * definition, plus `--webhook-url` and `--webhook-header`. Each flag is checked where it lands:
 * in the create request the mock received (a recording relay on loopback in front of it), and
 * for the webhook, in the delivery the mock made.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fixture } from '../audio';
import { until } from '../helpers';
import { cliFixture, run } from './helpers';

const audio = fixture('hello-world.wav');
const POLL = ['--poll-ms', '10'];

/** Flags of a command's --help: `--name` of each option line. */
function helpFlags(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] as string);
}

/** Flags of `soniox realtime` that are about the live stream, not the recognition request. */
const REALTIME_ONLY = [
  '--mic',
  '--format',
  '--rate',
  '--channels',
  '--endpoints',
  '--endpoint-delay',
  '--endpoint-sensitivity',
  '--endpoint-latency',
  '--srt',
  '--vtt',
  '--reconnect',
  '--no-pacing',
  '--final',
  '--output-format',
  '--help',
];

describe('cli: soniox transcribe, the recognition flags', function () {
  const t = cliFixture();

  /**
   * A relay on loopback in front of the mock that records each request's method, path and JSON
   * body, and takes the mock's webhook deliveries on POST /hook.
   */
  async function relay() {
    const creates: Array<Record<string, unknown>> = [];
    const hooks: http.IncomingHttpHeaders[] = [];
    const target = new URL(t.server.url);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url === '/hook') {
          hooks.push(req.headers);
          res.end();
          return;
        }
        if (req.method === 'POST' && req.url === '/v1/transcriptions')
          creates.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        const forward = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
            agent: false,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.defer(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, creates, hooks, env: { ...t.env, SONIOX_API_BASE_URL: url } };
  }

  it('sends each recognition flag in the create request, as soniox realtime sends it', async () => {
    const r = await relay();
    const contextPath = path.join(t.tmp, 'context.json');
    fs.writeFileSync(contextPath, JSON.stringify({ general: [{ key: 'domain', value: 'calls' }] }));
    const termsPath = path.join(t.tmp, 'terms.txt');
    fs.writeFileSync(termsPath, 'Soniox\n\nSDK\n');
    const { code, err } = await run(
      [
        'transcribe',
        audio.path,
        '--model',
        'stt-async-v5',
        '-l',
        'en,es',
        '--strict-hints',
        '--language-id',
        '--diarize',
        '--context',
        contextPath,
        '--terms',
        termsPath,
        '--two-way',
        'en,es',
        '--reference',
        'call-42',
        ...POLL,
      ],
      { env: r.env },
    );
    expect(err).to.equal('');
    expect(code).to.equal(0);
    expect(r.creates).to.have.length(1);
    expect(r.creates[0]).to.deep.include({
      model: 'stt-async-v5',
      language_hints: ['en', 'es'],
      language_hints_strict: true,
      enable_language_identification: true,
      enable_speaker_diarization: true,
      context: { general: [{ key: 'domain', value: 'calls' }], terms: ['Soniox', 'SDK'] },
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      client_reference_id: 'call-42',
    });
  });

  it('sends --webhook-url and --webhook-header, and the mock delivers the webhook with that header', async () => {
    const r = await relay();
    const { code, out, err } = await run(
      [
        'transcribe',
        audio.path,
        '--webhook-url',
        `${r.url}/hook`,
        '--webhook-header',
        'X-Hook-Token: s3cret: with colon',
        '--keep',
        '--verbose',
        ...POLL,
      ],
      { env: r.env },
    );
    expect(code).to.equal(0);
    // The header's value is a secret: nothing the CLI prints shows it.
    expect(out + err).to.not.include('s3cret');
    expect(r.creates[0]).to.deep.include({
      webhook_url: `${r.url}/hook`,
      webhook_auth_header_name: 'X-Hook-Token',
      webhook_auth_header_value: 's3cret: with colon',
    });
    await until(() => r.hooks.length === 1);
    expect(r.hooks[0]?.['x-hook-token']).to.equal('s3cret: with colon');
  });

  it('refuses a malformed --webhook-header or --webhook-url with exit 2, before uploading', async () => {
    for (const bad of [
      ['--webhook-header', 'no-colon'],
      ['--webhook-header', ': value'],
      ['--webhook-header', 'X-Name:'],
      ['--webhook-url', 'not a url'],
    ]) {
      const { code, err } = await run(['transcribe', audio.path, ...bad, ...POLL], {
        env: t.env,
      });
      expect(code, bad.join(' ')).to.equal(2);
      expect(err).to.include(`option '${bad[0]} <`).and.to.include('is invalid');
    }
    expect(t.server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('takes the same flags in the many-file form (--out-dir)', async () => {
    const r = await relay();
    const out = path.join(t.tmp, 'out');
    const { code } = await run(
      [
        'transcribe',
        audio.path,
        '--out-dir',
        out,
        '--language-id',
        '--two-way',
        'en,fr',
        '--webhook-url',
        `${r.url}/hook`,
        ...POLL,
      ],
      { env: r.env },
    );
    expect(code).to.equal(0);
    expect(r.creates[0]).to.deep.include({
      enable_language_identification: true,
      translation: { type: 'two_way', language_a: 'en', language_b: 'fr' },
      webhook_url: `${r.url}/hook`,
    });
  });

  it("has every recognition flag of realtime's --help in its own --help (one definition)", async () => {
    const realtime = helpFlags((await run(['realtime', '--help'])).out);
    const transcribe = helpFlags((await run(['transcribe', '--help'])).out);
    const recognition = realtime.filter((flag) => !REALTIME_ONLY.includes(flag));
    expect(recognition).to.include.members(['--language-id', '--strict-hints', '--two-way']);
    expect(transcribe).to.include.members(recognition);
    expect(transcribe).to.include.members(['--webhook-url', '--webhook-header']);
  });
});

/**
 * Every request says who sends it: `User-Agent: soniox-pro-sdk/<version> node/<version>`, on
 * REST calls and on the realtime upgrade request, so a gateway's or Soniox's logs can tell an
 * outdated SDK or Node from the rest.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { SonioxClient } from '../../lib';
import { until } from '../helpers';

const PACKAGE = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
) as { version: string };
const LIB = path.join(__dirname, '..', '..', 'lib');
const EXPECTED = `soniox-pro-sdk/${PACKAGE.version} node/${process.versions.node}`;

describe('User-Agent', () => {
  let server: http.Server | undefined;
  let wss: WebSocketServer | undefined;
  let client: SonioxClient | undefined;
  afterEach(async () => {
    client?.close();
    wss?.close();
    for (const ws of wss?.clients ?? []) ws.terminate();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = wss = client = undefined;
  });

  it('names the SDK and Node with their versions on a REST call', async () => {
    const agents: Array<string | undefined> = [];
    server = http.createServer((req, res) => {
      agents.push(req.headers['user-agent']);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ files: [], next_page_cursor: null }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new SonioxClient({ apiKey: 'k', baseURL: `http://127.0.0.1:${port}` });
    await client.files.list();
    expect(agents).to.deep.equal([EXPECTED]);
  });

  it('names them on the realtime upgrade request too', async () => {
    const agents: Array<string | undefined> = [];
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (_ws, req) => agents.push(req.headers['user-agent']));
    await new Promise((resolve) => wss!.once('listening', resolve));
    const { port } = wss.address() as AddressInfo;
    client = new SonioxClient({ apiKey: 'k', realtimeURL: `ws://127.0.0.1:${port}` });
    const stream = client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16_000,
      num_channels: 1,
    });
    stream.on('error', () => {});
    void stream.connect().catch(() => {});
    await until(() => agents.length === 1);
    stream.destroy();
    expect(agents).to.deep.equal([EXPECTED]);
  });

  it('reads no package.json at run time: a bundle or a copied dist/ sends requests as well', () => {
    // The perf workers run lib/ compiled into a temporary directory; every upload failed there
    // with ENOENT while the version was read from ../../package.json.
    const readers: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.ts')) {
          const code = fs
            .readFileSync(file, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\/\/.*$/gm, '');
          if (code.includes('package.json')) readers.push(path.relative(LIB, file));
        }
      }
    };
    walk(LIB);
    expect(readers).to.deep.equal([]);
  });
});

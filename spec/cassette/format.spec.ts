import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CASSETTE_FORMAT,
  cassetteProblem,
  exchangeKey,
  loadCassettes,
  redactSecrets,
  sessionKey,
} from '../../lib/cassette';

const base = { format: CASSETTE_FORMAT, exchanges: [], sessions: [] };
const exchange = { request: { method: 'GET', path: '/v1/files' }, response: { status: 200 } };
const session = {
  start: { model: 'stt-rt-v5' },
  frames: [{ atMs: 0, afterAudioBytes: 0, json: {} }],
};

describe('cassette: format, keys, redaction, loading', () => {
  it('says what is wrong with a file that is not a cassette, by path', () => {
    expect(cassetteProblem([])).to.equal('not a JSON object');
    expect(cassetteProblem({ ...base, format: 'x' })).to.match(/^format is "x"/);
    expect(cassetteProblem({ ...base, exchanges: {} })).to.equal('exchanges is not an array');
    expect(cassetteProblem({ ...base, sessions: 1 })).to.equal('sessions is not an array');
    expect(cassetteProblem({ ...base, exchanges: [{}] })).to.equal(
      'exchanges[0] needs a request and a response',
    );
    expect(
      cassetteProblem({ ...base, exchanges: [{ request: { method: 'GET' }, response: {} }] }),
    ).to.equal('exchanges[0].request needs a method and a path');
    expect(
      cassetteProblem({ ...base, exchanges: [{ ...exchange, response: { body: 1 } }] }),
    ).to.equal('exchanges[0].response needs a status or an error');
    expect(cassetteProblem({ ...base, sessions: [{}] })).to.equal(
      'sessions[0] needs a start message',
    );
    expect(cassetteProblem({ ...base, sessions: [{ start: {}, frames: 1 }] })).to.equal(
      'sessions[0].frames is not an array',
    );
    expect(cassetteProblem({ ...base, sessions: [{ start: {}, frames: [{ atMs: 1 }] }] })).to.equal(
      'sessions[0].frames[0] needs atMs and afterAudioBytes',
    );
    expect(
      cassetteProblem({
        ...base,
        sessions: [{ start: {}, frames: [{ atMs: 1, afterAudioBytes: 0 }] }],
      }),
    ).to.equal('sessions[0].frames[0] needs json or text');
    expect(
      cassetteProblem({
        ...base,
        exchanges: [exchange, { ...exchange, response: { error: 'socket hang up' } }],
        sessions: [session],
      }),
    ).to.equal(undefined);
  });

  it('keys requests by method, path and sorted query, sessions by config less api_key', () => {
    expect(exchangeKey('get', '/v1/files', { limit: '5', cursor: 'c' })).to.equal(
      'GET /v1/files?cursor=c&limit=5',
    );
    expect(exchangeKey('DELETE', '/v1/files/a')).to.equal('DELETE /v1/files/a');
    expect(
      sessionKey({ model: 'm', api_key: 'k', context: { b: [1, { d: 2, c: 1 }], a: null } }),
    ).to.equal('{"context":{"a":null,"b":[1,{"c":1,"d":2}]},"model":"m"}');
    expect(sessionKey({ b: 1, a: undefined })).to.equal(sessionKey({ b: 1 }));
  });

  it('redacts secret fields by name and the known secrets anywhere, leaving the input alone', () => {
    const input = {
      api_key: 'temp:abc',
      Authorization: 'Bearer sk-1',
      nested: [{ webhook_auth_header_value: 'hush', note: 'key sk-1 in text', n: 1, ok: true }],
      gone: undefined,
      fn: () => 1,
      none: null,
    };
    expect(redactSecrets(input, ['sk-1', ''])).to.deep.equal({
      api_key: '[redacted]',
      Authorization: '[redacted]',
      nested: [
        { webhook_auth_header_value: '[redacted]', note: 'key [redacted] in text', n: 1, ok: true },
      ],
      fn: null,
      none: null,
    });
    expect(input.api_key).to.equal('temp:abc');
  });

  describe('loading a directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-cassette-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads every *.json oldest first, and nothing else', () => {
      fs.writeFileSync(
        path.join(dir, 'b.json'),
        JSON.stringify({ ...base, exchanges: [exchange] }),
      );
      fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(base));
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not read');
      expect(loadCassettes(dir).map((c) => path.basename(c.file))).to.deep.equal([
        'a.json',
        'b.json',
      ]);
    });

    it('names a directory it cannot read and a file that is not JSON', () => {
      expect(() => loadCassettes(path.join(dir, 'nope'))).to.throw(
        /^cannot read the cassette directory .*nope: ENOENT/,
      );
      fs.writeFileSync(path.join(dir, 'bad.json'), '{');
      expect(() => loadCassettes(dir)).to.throw(/bad\.json is not a cassette: .*JSON/);
    });
  });
});

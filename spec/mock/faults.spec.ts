import { expect } from 'chai';
import { FaultBook, parseFaultFlag } from '../../lib/mock/faults';
import { seededRandom } from '../../lib/mock/state';

describe('mock/faults', () => {
  it('parses CLI fault flags', () => {
    expect(parseFaultFlag('POST /v1/files=503,retryAfter=2,times=1')).to.deep.equal({
      route: 'POST /v1/files',
      status: 503,
      retryAfter: 2,
      times: 1,
    });
    expect(parseFaultFlag('*=reset=mid-response,probability=0.3')).to.deep.equal({
      route: '*',
      reset: 'mid-response',
      probability: 0.3,
    });
    expect(
      parseFaultFlag(
        'GET /v1/models=429,retryAfter=Wed, 21 Oct 2026 07:28:00 GMT'.replace(', 21', '%21'),
      ),
    ).to.include({ status: 429 });
    expect(
      parseFaultFlag('GET /v1/models=body=truncated,delayMs=5,slowBodyMs=2,retryAfterMs=9'),
    ).to.deep.equal({
      route: 'GET /v1/models',
      body: 'truncated',
      delayMs: 5,
      slowBodyMs: 2,
      retryAfterMs: 9,
    });
    expect(parseFaultFlag('GET /v1/models=encoding=br')).to.deep.equal({
      route: 'GET /v1/models',
      encoding: 'br',
    });
  });

  it('rejects malformed flags with a message naming the problem', () => {
    expect(() => parseFaultFlag('nothing')).to.throw(/must look like/);
    expect(() => parseFaultFlag('*=times=x')).to.throw(/needs a number/);
    expect(() => parseFaultFlag('*=reset=sideways')).to.throw(/unknown fault field/);
    expect(() => parseFaultFlag('*=colour=red')).to.throw(/unknown fault field/);
    expect(() => parseFaultFlag('*=encoding=zstd')).to.throw(/unknown fault field/);
  });

  it('matches faults in order, by route or *, and counts their times', () => {
    const book = new FaultBook(
      {
        http: [
          { route: 'GET /a', status: 500, times: 1 },
          { route: '*', status: 503, times: 2 },
        ],
      },
      Math.random,
    );
    expect(book.forRequest('GET /a')?.status).to.equal(500);
    expect(book.forRequest('GET /a')?.status).to.equal(503);
    expect(book.forRequest('GET /b')?.status).to.equal(503);
    expect(book.forRequest('GET /a')).to.equal(undefined);
  });

  it('hands session faults out in order and replaces everything on set()', () => {
    const book = new FaultBook(
      { ws: [{ errorCode: 503, times: 1 }, { abruptClose: true }] },
      Math.random,
    );
    expect(book.forSession()).to.deep.equal({ errorCode: 503, times: 1 });
    expect(book.forSession()).to.deep.equal({ abruptClose: true });
    expect(book.forSession()).to.deep.equal({ abruptClose: true });
    book.set({});
    expect(book.forSession()).to.equal(undefined);
    expect(book.forRequest('GET /a')).to.equal(undefined);
  });

  it('draws probabilities from a seeded generator, reproducibly', () => {
    const draw = () => {
      const book = new FaultBook(
        { http: [{ route: '*', status: 503, probability: 0.5 }] },
        seededRandom(3),
      );
      return Array.from({ length: 32 }, () => (book.forRequest('x') ? 1 : 0)).join('');
    };
    expect(draw()).to.equal(draw());
    expect(draw()).to.match(/1/).and.match(/0/);
  });
});

/**
 * What a user of `soniox-mock --fault` or `faults:` sees: each documented field and value of a
 * flag accepted, a malformed one refused with its reason, and a fault's `times` and
 * `probability` honoured exactly (docs/mock.md).
 */
describe('mock/faults: the flags and the book, as a user configures them', () => {
  it('refuses a flag with no route before its "="', () => {
    expect(() => parseFaultFlag('=503')).to.throw(/must look like/);
  });

  it('reads a flag written with spaces around its route and parts, and with empty parts', () => {
    expect(parseFaultFlag(' GET /v1/models = 503 ,, times=2 ,')).to.deep.equal({
      route: 'GET /v1/models',
      status: 503,
      times: 2,
    });
  });

  it('refuses a status that is not a whole number, and a number field without a value', () => {
    expect(() => parseFaultFlag('*=5xx')).to.throw(/unknown fault field "5xx"/);
    expect(() => parseFaultFlag('*=x5')).to.throw(/unknown fault field "x5"/);
    expect(() => parseFaultFlag('*=times=')).to.throw(/times needs a number, got ""/);
    expect(() => parseFaultFlag('*=times')).to.throw(/times needs a number/);
    expect(() => parseFaultFlag('*=delayMs=soon')).to.throw(/delayMs needs a number, got "soon"/);
  });

  it('reads retryAfter as seconds when numeric, else as the HTTP date text it is', () => {
    expect(parseFaultFlag('*=retryAfter=1.5')).to.deep.equal({ route: '*', retryAfter: 1.5 });
    expect(parseFaultFlag('*=retryAfter=7')).to.deep.equal({ route: '*', retryAfter: 7 });
    expect(parseFaultFlag('*=retryAfter=2s')).to.deep.equal({ route: '*', retryAfter: '2s' });
    expect(parseFaultFlag('*=retryAfter=in 2')).to.deep.equal({ route: '*', retryAfter: 'in 2' });
    expect(parseFaultFlag('*=retryAfter=1.')).to.deep.equal({ route: '*', retryAfter: '1.' });
  });

  it('accepts every documented reset point, body and encoding, and nothing else', () => {
    for (const reset of ['before', 'mid-request', 'after-handler', 'mid-response'])
      expect(parseFaultFlag(`*=reset=${reset}`)).to.deep.equal({ route: '*', reset });
    for (const body of ['truncated', 'invalid-json', 'html-page'])
      expect(parseFaultFlag(`*=body=${body}`)).to.deep.equal({ route: '*', body });
    for (const encoding of ['gzip', 'deflate', 'br'])
      expect(parseFaultFlag(`*=encoding=${encoding}`)).to.deep.equal({ route: '*', encoding });
    expect(() => parseFaultFlag('*=body=')).to.throw(/unknown fault field "body="/);
    // A value of one field under another field's name is no fault.
    expect(() => parseFaultFlag('*=body=before')).to.throw(/unknown fault field "body=before"/);
    expect(() => parseFaultFlag('*=reset=gzip')).to.throw(/unknown fault field "reset=gzip"/);
    expect(() => parseFaultFlag('*=encoding=truncated')).to.throw(/unknown fault field/);
    expect(() => parseFaultFlag('*=reset')).to.throw(/unknown fault field "reset"/);
    expect(() => parseFaultFlag('*=status=x')).to.throw(/status needs a number/);
  });

  it('never applies a fault of times 0, on a request or a session', () => {
    const book = new FaultBook(
      { http: [{ route: '*', status: 500, times: 0 }], ws: [{ errorCode: 503, times: 0 }] },
      Math.random,
    );
    expect(book.forRequest('GET /v1/models')).to.equal(undefined);
    expect(book.forSession()).to.equal(undefined);
  });

  it('applies a fault without times to every request and session', () => {
    const book = new FaultBook(
      { http: [{ route: 'GET /v1/models', status: 500 }], ws: [{ errorCode: 503 }] },
      Math.random,
    );
    for (let i = 0; i < 5; i++) {
      expect(book.forRequest('GET /v1/models')?.status).to.equal(500);
      expect(book.forSession()?.errorCode).to.equal(503);
    }
    expect(book.forRequest('GET /v1/files')).to.equal(undefined);
  });

  it('applies a probability fault when the draw is under it only, without spending its times otherwise', () => {
    const draws = [0.5, 0.9, 0.49, 0.1];
    const book = new FaultBook(
      { http: [{ route: '*', status: 503, probability: 0.5, times: 1 }] },
      () => draws.shift() ?? 0,
    );
    expect(book.forRequest('GET /a'), 'a draw equal to the probability').to.equal(undefined);
    expect(book.forRequest('GET /a'), 'a draw over it').to.equal(undefined);
    expect(book.forRequest('GET /a')?.status, 'a draw under it').to.equal(503);
    expect(book.forRequest('GET /a'), 'its one time spent').to.equal(undefined);
  });

  it('draws nothing for a fault without a probability, keeping a seeded run reproducible', () => {
    let drawn = 0;
    const book = new FaultBook({ http: [{ route: '*', status: 503 }] }, () => {
      drawn += 1;
      return 0;
    });
    book.forRequest('GET /a');
    expect(drawn).to.equal(0);
  });
});

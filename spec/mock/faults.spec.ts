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

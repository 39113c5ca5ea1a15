import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import type { AxiosInstance } from 'axios';
import type { RequestEvent, ResponseEvent } from '../../lib/config';
import { SonioxHookError } from '../../lib/errors';
import { CallContext } from '../../lib/http/call-context';
import type { TransportRequest } from '../../lib/http/call-options';
import { callHook, installHooks, type Hooks } from '../../lib/http/hooks';
import { httpLibraries } from '../../lib/http/pool';
import type { AdaptiveLimiter } from '../../lib/internal/adaptive-rate';
import { rejection } from '../helpers';

/** A loopback server whose answer each path names. */
function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === '/ok') {
    res.setHeader('X-Request-Id', 'req-7');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.setHeader('Content-Type', 'application/json');
    res.end('{}');
  } else if (req.url === '/throttled') {
    res.writeHead(429, { 'Retry-After': '1' }).end();
  } else if (req.url === '/quota') {
    res.writeHead(429).end();
  } else {
    res.writeHead(503).end();
  }
}

/** A stand-in limiter that hands out token time 42 and records what it hears. */
function limiter() {
  return {
    acquire: sinon.stub().resolves(42),
    onThrottle: sinon.spy(),
    onSuccess: sinon.spy(),
  };
}

describe('http/hooks: what each attempt tells the caller and the limiter', () => {
  let server: http.Server;
  let baseURL: string;
  before(async () => {
    server = http.createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => sinon.restore());

  const instance = (hooks: Partial<Hooks>): AxiosInstance => {
    const axios = httpLibraries().axios.create({ baseURL, proxy: false });
    installHooks(axios, {
      limiter: undefined,
      onRequest: undefined,
      onResponse: undefined,
      ...hooks,
    });
    return axios;
  };
  const callOf = (path: string, req: Partial<TransportRequest> = {}) =>
    new CallContext({ method: 'GET', path, ...req }, new AbortController().signal);
  const send = (axios: AxiosInstance, call: CallContext) =>
    axios.request({ url: call.req.path, method: call.req.method, sonioxCall: call });

  describe('callHook', () => {
    it('hands the hook its argument, and wraps what it throws in a SonioxHookError naming it', () => {
      const hook = sinon.spy();
      callHook('onRequest', hook, 5);
      expect(hook.calledOnceWithExactly(5)).to.equal(true);
      callHook('onRequest', undefined, 5);
      const thrown = new Error('my bug');
      try {
        callHook(
          'onRetry',
          () => {
            throw thrown;
          },
          1,
        );
        expect.fail('did not throw');
      } catch (error) {
        expect(error).to.be.instanceOf(SonioxHookError);
        expect(error).to.include({ hook: 'onRetry', cause: thrown });
      }
    });
  });

  it('tells onRequest of each attempt, counting them, and logs it at debug', async () => {
    const onRequest = sinon.spy((event: RequestEvent) => event);
    const log = sinon.spy();
    const axios = instance({ onRequest, log });
    const call = callOf('/ok');
    await send(axios, call);
    await send(axios, call);
    expect(onRequest.args.map(([event]) => event)).to.deep.equal([
      { method: 'GET', url: '/ok', attempt: 1 },
      { method: 'GET', url: '/ok', attempt: 2 },
    ]);
    expect(call.attempt).to.equal(2);
    expect(log.firstCall.args).to.deep.equal(['debug', 'GET /ok attempt 1']);
  });

  it("tells onResponse and the call's own hook of an answer: status, time, headers, request id", async () => {
    const onResponse = sinon.spy((event: ResponseEvent) => event);
    const own = sinon.spy((event: ResponseEvent) => event);
    const log = sinon.spy();
    const call = callOf('/ok', { onResponse: own });
    await send(instance({ onResponse, log }), call);
    const event = onResponse.firstCall.args[0];
    expect(own.firstCall.args[0]).to.equal(event);
    expect(event).to.deep.include({
      method: 'GET',
      url: '/ok',
      attempt: 1,
      status: 200,
      requestId: 'req-7',
    });
    expect(event.durationMs).to.be.a('number').and.at.least(0).and.below(60_000);
    expect(call.startedAt).to.be.above(0);
    // The attempt's own time: from its start to the answer, not more.
    expect(event.durationMs).to.be.at.most(performance.now() - call.startedAt);
    expect(event.headers).to.include({
      'x-request-id': 'req-7',
      'set-cookie': 'a=1, b=2',
      'content-type': 'application/json',
    });
    expect(log.secondCall.args[0]).to.equal('debug');
    expect(log.secondCall.args[1]).to.match(
      /^GET \/ok answered 200 in \d+ ms \(request id req-7\)$/,
    );
  });

  it('tells onResponse of an error answer too, without a request id the server did not send', async () => {
    const onResponse = sinon.spy((event: ResponseEvent) => event);
    const log = sinon.spy();
    await rejection(send(instance({ onResponse, log }), callOf('/down')));
    const event = onResponse.firstCall.args[0];
    expect(event).to.include({ status: 503, url: '/down' });
    expect(event).not.to.have.property('requestId');
    expect(log.secondCall.args[1]).to.match(/^GET \/down answered 503 in \d+ ms$/);
  });

  it('fails the call with a SonioxHookError when onResponse throws', async () => {
    const onResponse = () => {
      throw new Error('hook bug');
    };
    const error = await rejection(send(instance({ onResponse }), callOf('/ok')));
    expect(error).to.be.instanceOf(SonioxHookError);
    expect(error).to.include({ hook: 'onResponse' });
  });

  it("names the hook that threw: onRequest, or the call's own onResponse", async () => {
    const onRequest = () => {
      throw new Error('request hook bug');
    };
    const first = await rejection(send(instance({ onRequest }), callOf('/ok')));
    expect(first).to.be.instanceOf(SonioxHookError);
    expect(first).to.include({ hook: 'onRequest' });
    const own = () => {
      throw new Error('call hook bug');
    };
    const second = await rejection(send(instance({}), callOf('/ok', { onResponse: own })));
    expect(second).to.be.instanceOf(SonioxHookError);
    expect(second).to.include({ hook: 'onResponse' });
  });

  it('hands a 429 with a Retry-After on as it came when no limiter paces the client', async () => {
    const error = await rejection(send(instance({}), callOf('/throttled')));
    expect(error).to.have.nested.property('response.status', 429);
  });

  it('leaves attempts that carry no call of the SDK alone', async () => {
    const onRequest = sinon.spy();
    const onResponse = sinon.spy();
    const rate = limiter();
    const axios = instance({ onRequest, onResponse, limiter: rate as unknown as AdaptiveLimiter });
    await axios.get('/ok');
    await rejection(axios.get('/down'));
    expect([onRequest.called, onResponse.called, rate.acquire.called]).to.deep.equal([
      false,
      false,
      false,
    ]);
    expect([rate.onSuccess.called, rate.onThrottle.called]).to.deep.equal([false, false]);
  });

  it("waits each attempt's turn at the limiter, on the call's signal, and keeps its token time", async () => {
    const rate = limiter();
    const call = callOf('/ok');
    await send(instance({ limiter: rate as unknown as AdaptiveLimiter }), call);
    expect(rate.acquire.calledOnceWithExactly(call.signal)).to.equal(true);
    expect(call.tokenAt).to.equal(42);
    expect(rate.onSuccess.calledOnce).to.equal(true);
  });

  it('slows down only for a 429 with a Retry-After; any other answer but a 429 counts as accepted', async () => {
    const rate = limiter();
    const axios = instance({ limiter: rate as unknown as AdaptiveLimiter });
    await rejection(send(axios, callOf('/throttled')));
    expect(rate.onThrottle.calledOnceWithExactly(42)).to.equal(true);
    expect(rate.onSuccess.called).to.equal(false);
    await rejection(send(axios, callOf('/quota')));
    expect(rate.onThrottle.callCount).to.equal(1);
    expect(rate.onSuccess.called).to.equal(false);
    await rejection(send(axios, callOf('/down')));
    expect(rate.onSuccess.callCount).to.equal(1);
  });

  it('copies no answer headers when nobody listens, and still feeds the limiter', async () => {
    // Issue 31: the event's headers copy is per-call garbage when no hook nor log reads it.
    const axios = httpLibraries().axios.create({ baseURL, proxy: false });
    const toJSON = sinon.spy(() => ({ 'x-request-id': 'req-7' }));
    // Registered first, so it runs before the hooks' interceptor and hands it this headers object.
    axios.interceptors.response.use((res) => {
      res.headers = { toJSON } as unknown as typeof res.headers;
      return res;
    });
    const rate = limiter();
    installHooks(axios, {
      limiter: rate as unknown as AdaptiveLimiter,
      onRequest: undefined,
      onResponse: undefined,
    });
    await send(axios, callOf('/ok'));
    expect(toJSON.called).to.equal(false);
    expect(rate.onSuccess.calledOnce).to.equal(true);
    const own = sinon.spy((event: ResponseEvent) => event);
    await send(axios, callOf('/ok', { onResponse: own }));
    expect(toJSON.calledOnce).to.equal(true);
    expect(own.firstCall.args[0]).to.deep.include({ requestId: 'req-7', status: 200 });
  });

  it('logs an answer at debug when the log is its only reader', async () => {
    const log = sinon.spy();
    await send(instance({ log }), callOf('/ok'));
    expect(log.secondCall.args[1]).to.match(
      /^GET \/ok answered 200 in \d+ ms \(request id req-7\)$/,
    );
  });

  it('reports nothing for an attempt that got no answer', async () => {
    const onResponse = sinon.spy();
    const rate = limiter();
    const axios = instance({ onResponse, limiter: rate as unknown as AdaptiveLimiter });
    const call = callOf('/ok');
    const error = await rejection(
      axios.request({ url: 'http://127.0.0.1:1/ok', sonioxCall: call }),
    );
    // The connection's own error, not one of the interceptor's making.
    expect(error).to.have.property('code', 'ECONNREFUSED');
    expect([onResponse.called, rate.onSuccess.called, rate.onThrottle.called]).to.deep.equal([
      false,
      false,
      false,
    ]);
  });
});

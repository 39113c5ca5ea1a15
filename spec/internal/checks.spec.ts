/**
 * The checks every call and the client share (lib/internal/issues.ts, headers.ts, log.ts), as
 * a caller meets them: one error naming every problem of a call, worded the same everywhere;
 * headers the SDK owns refused without echoing a value; a log that keeps to its level and never
 * shows the key. The calls that use them are in option-checks.spec.ts, http/headers.spec.ts and
 * http/logger.spec.ts; this file pins each rule at its edges.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxConfigError, SonioxValidationError } from '../../lib/errors';
import { headerIssues } from '../../lib/internal/headers';
import {
  booleanIssues,
  durationIssues,
  functionIssues,
  isObject,
  objectIssues,
  rejectConfigIssues,
  rejectGroups,
  rejectIssues,
  signalIssues,
  unknownNameIssues,
} from '../../lib/internal/issues';
import { LOG_LEVELS, logIssues, makeLog, type Logger } from '../../lib/internal/log';
import { MAX_TIMER_MS } from '../../lib/internal/sleep';

/** What `fn` throws. */
function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing thrown');
}

/** A logger that keeps its lines by level. */
function keeper(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('the checks of a call', () => {
  describe('one error naming every problem', () => {
    it('a call with problems in two checks hears of all of them, worded as the first', () => {
      const error = thrown(() =>
        rejectGroups(
          { what: 'first', issues: [] },
          { what: 'files.upload', noun: 'options', issues: [{ field: 'a', message: 'is bad' }] },
          { what: 'other', issues: [{ field: '', message: 'is empty' }] },
        ),
      );
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.equal('files.upload: invalid options: a is bad; (root) is empty');
      expect((error as SonioxValidationError).issues).to.deep.equal([
        { field: 'a', message: 'is bad' },
        { field: '', message: 'is empty' },
      ]);
    });

    it('says "parameters" unless told otherwise, and is silent when nothing is wrong', () => {
      expect(() => rejectGroups({ what: 'x', issues: [] })).to.not.throw();
      expect(() => rejectIssues('x', [])).to.not.throw();
      expect(
        thrown(() => rejectIssues('transcriptions.create', [{ field: 'model', message: 'm' }]))
          .message,
      ).to.equal('transcriptions.create: invalid parameters: model m');
      expect(
        thrown(() => rejectGroups({ what: 'w', issues: [{ field: 'f', message: 'm' }] })).message,
      ).to.equal('w: invalid parameters: f m');
      expect(
        thrown(() => rejectIssues('w', [{ field: 'f', message: 'm' }], 'options')).message,
      ).to.equal('w: invalid options: f m');
    });

    it('a client with two bad options gets one SonioxConfigError naming both, the first as its option', () => {
      expect(() => rejectConfigIssues([])).to.not.throw();
      const error = thrown(() =>
        rejectConfigIssues(
          [
            { field: 'size', message: 'too big' },
            { field: 'age', message: 'too old' },
          ],
          'pool: ',
        ),
      ) as SonioxConfigError;
      expect(error).to.be.instanceOf(SonioxConfigError);
      expect(error.option).to.equal('size');
      expect(error.message).to.equal('pool: too big; too old');
      expect(error.issues).to.deep.equal([
        { field: 'size', message: 'pool: too big' },
        { field: 'age', message: 'pool: too old' },
      ]);
      const plain = thrown(() => rejectConfigIssues([{ field: 'f', message: 'm' }]));
      expect(plain.message).to.equal('m');
    });
  });

  describe('option names', () => {
    it('a misspelt option is named with the closest one; inherited names are no options', () => {
      const known = { timeoutMs: true, maxRetries: true };
      expect(unknownNameIssues({ timeoutMs: 1 }, known)).to.deep.equal([]);
      const issues = unknownNameIssues({ timeout: 1, constructor: 2 }, known, 'retry.');
      expect(issues.map((i) => i.field)).to.deep.equal(['retry.timeout', 'retry.constructor']);
      expect(issues[0]?.message).to.include('timeoutMs');
    });
  });

  describe('values', () => {
    it('an object argument is a plain object: not null, an array, a string or a function', () => {
      expect([{}, Object.create(null)].map(isObject)).to.deep.equal([true, true]);
      expect([null, [], 'x', () => undefined, 1, undefined].map(isObject)).to.deep.equal([
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
      expect(objectIssues('retry', undefined)).to.deep.equal([]);
      expect(objectIssues('retry', {})).to.deep.equal([]);
      expect(objectIssues('retry', null)).to.deep.equal([
        { field: 'retry', message: 'must be an object' },
      ]);
      expect(objectIssues('retry', [])).to.have.length(1);
    });

    it('a duration is a finite number of ms from its minimum to what a timer holds', () => {
      const message = `must be a number of ms from 1 to ${MAX_TIMER_MS}`;
      expect(durationIssues('t', undefined)).to.deep.equal([]);
      expect(durationIssues('t', 1)).to.deep.equal([]);
      expect(durationIssues('t', MAX_TIMER_MS)).to.deep.equal([]);
      for (const bad of [0, 0.5, MAX_TIMER_MS + 1, NaN, Infinity, '5', null])
        expect(durationIssues('t', bad), String(bad)).to.deep.equal([{ field: 't', message }]);
      expect(durationIssues('t', 0, 0)).to.deep.equal([]);
      expect(durationIssues('t', -1, 0)[0]?.message).to.equal(
        `must be a number of ms from 0 to ${MAX_TIMER_MS}`,
      );
    });

    it('callbacks, signals and flags are of their type or left out', () => {
      expect(functionIssues('f', undefined)).to.deep.equal([]);
      expect(functionIssues('f', () => undefined)).to.deep.equal([]);
      expect(functionIssues('f', 'x')).to.deep.equal([
        { field: 'f', message: 'must be a function' },
      ]);
      expect(signalIssues('s', undefined)).to.deep.equal([]);
      expect(signalIssues('s', new AbortController().signal)).to.deep.equal([]);
      expect(signalIssues('s', { aborted: false })).to.deep.equal([
        { field: 's', message: 'must be an AbortSignal' },
      ]);
      expect(booleanIssues('b', undefined)).to.deep.equal([]);
      expect(booleanIssues('b', false)).to.deep.equal([]);
      expect(booleanIssues('b', 'no')).to.deep.equal([
        { field: 'b', message: 'must be true or false' },
      ]);
    });
  });

  describe('request headers of the caller', () => {
    it('takes header names and string values, and nothing when left out', () => {
      expect(headerIssues('headers', undefined)).to.deep.equal([]);
      expect(headerIssues('headers', { 'X-Team': 'a', "x!#$%&'*+.^_`|~9": 'b' })).to.deep.equal([]);
    });

    it('refuses what is not an object of headers', () => {
      for (const bad of [null, [], 'x-a: b', 5])
        expect(headerIssues('headers', bad), String(bad)).to.deep.equal([
          {
            field: 'headers',
            message: 'headers must be an object of header names and string values',
          },
        ]);
    });

    it('refuses every header the SDK owns, in any case, saying why', () => {
      const issues = headerIssues('headers', {
        AUTHORIZATION: 'Bearer x',
        'Content-Length': '1',
        'transfer-encoding': 'chunked',
        Host: 'h',
        Connection: 'close',
      });
      expect(issues.map((i) => i.message)).to.deep.equal([
        'headers.AUTHORIZATION is set from apiKey and never replaced',
        'headers.Content-Length is set by the transport',
        'headers.transfer-encoding is set by the transport',
        'headers.Host is set by the transport',
        'headers.Connection is set by the transport',
      ]);
      expect(issues.map((i) => i.field)).to.deep.equal([
        'headers.AUTHORIZATION',
        'headers.Content-Length',
        'headers.transfer-encoding',
        'headers.Host',
        'headers.Connection',
      ]);
    });

    it('refuses a bad name and a value with a line break or no string, never quoting the value', () => {
      const secret = 'sk-live-123';
      const issues = headerIssues('call.headers', {
        'bad name': 'x',
        'x-a': `${secret}\r\nInjected: 1`,
        'x-b': `${secret}\n`,
        'x-c': `${secret}\0`,
        'x-d': 5,
        'x-e': 'fine',
      });
      expect(issues).to.deep.equal([
        { field: 'call.headers.bad name', message: 'call.headers.bad name: not a header name' },
        ...['x-a', 'x-b', 'x-c', 'x-d'].map((name) => ({
          field: `call.headers.${name}`,
          message: `call.headers.${name}: the value must be a string without line breaks`,
        })),
      ]);
      expect(JSON.stringify(issues)).to.not.include(secret);
      expect(headerIssues('h', { '': 'x' })[0]?.message).to.equal('h.: not a header name');
    });
  });

  describe('the log', () => {
    afterEach(() => sinon.restore());

    it('refuses a logger without the four methods and an unknown level, naming each', () => {
      expect(logIssues(undefined, undefined)).to.deep.equal([]);
      expect(logIssues(keeper(), 'warn')).to.deep.equal([]);
      expect(logIssues(console, 'off')).to.deep.equal([]);
      const loggerIssue = {
        field: 'logger',
        message: 'logger must have debug, info, warn and error methods',
      };
      for (const bad of [null, 'console', () => undefined, { debug() {}, info() {}, warn() {} }])
        expect(logIssues(bad, undefined), typeof bad).to.deep.equal([loggerIssue]);
      expect(logIssues({ ...keeper(), error: 'x' }, undefined)).to.deep.equal([loggerIssue]);
      expect(logIssues(undefined, 'verbose')).to.deep.equal([
        { field: 'logLevel', message: 'logLevel must be one of debug, info, warn, error, off' },
      ]);
      expect(logIssues(null, 'loud').map((i) => i.field)).to.deep.equal(['logger', 'logLevel']);
    });

    it('is silent unless a logger or a level is given', () => {
      expect(makeLog(undefined, undefined, 'k')).to.equal(undefined);
      expect(LOG_LEVELS).to.deep.equal(['debug', 'info', 'warn', 'error', 'off']);
    });

    it('keeps to its level (info when only a logger is given), each line "soniox: "', () => {
      const logger = keeper();
      const log = makeLog(logger, undefined, 'k')!;
      for (const level of ['debug', 'info', 'warn', 'error'] as const) log(level, level);
      expect(logger.lines).to.deep.equal([
        'info soniox: info',
        'warn soniox: warn',
        'error soniox: error',
      ]);
      const warn = keeper();
      const warnLog = makeLog(warn, 'warn', 'k')!;
      for (const level of ['debug', 'info', 'warn', 'error'] as const) warnLog(level, level);
      expect(warn.lines).to.deep.equal(['warn soniox: warn', 'error soniox: error']);
      const debug = keeper();
      makeLog(debug, 'debug', 'k')!('debug', 'attempt');
      expect(debug.lines).to.deep.equal(['debug soniox: attempt']);
      const off = keeper();
      makeLog(off, 'off', 'k')!('error', 'gave up');
      expect(off.lines).to.deep.equal([]);
    });

    it('logs to the console when only a level is given', () => {
      const warn = sinon.stub(console, 'warn');
      const debug = sinon.stub(console, 'debug');
      const log = makeLog(undefined, 'warn', 'k')!;
      log('warn', 'retrying');
      log('debug', 'attempt');
      expect(warn.args).to.deep.equal([['soniox: retrying']]);
      expect(debug.called).to.equal(false);
    });

    it('never shows the key, wherever it appears; an empty key hides nothing', () => {
      const logger = keeper();
      makeLog(logger, 'debug', 'sk-1')!('warn', 'sk-1 failed with sk-1.');
      expect(logger.lines).to.deep.equal(['warn soniox: [redacted] failed with [redacted].']);
      const open = keeper();
      makeLog(open, 'debug', '')!('warn', 'ab');
      expect(open.lines).to.deep.equal(['warn soniox: ab']);
    });

    it('a logger that throws does not fail the call it reports on', () => {
      const logger = {
        ...keeper(),
        error: () => {
          throw new Error('disk full');
        },
      };
      const log = makeLog(logger, 'error', 'k')!;
      expect(() => log('error', 'gave up')).to.not.throw();
    });
  });
});

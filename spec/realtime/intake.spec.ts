/**
 * The ServerIntake alone, through its own interface: frames in (text, or undefined for a binary
 * one), and what it does with the stream's parts and tells its host, in order. The whole
 * stream's read path is in backpressure.spec.ts, order.spec.ts and rollover.spec.ts.
 */
import { expect } from 'chai';
import { SonioxWebSocketError } from '../../lib/errors';
import { ServerIntake, type IntakeHost, type IntakeParts } from '../../lib/realtime/intake';
import type { RealtimePhase } from '../../lib/realtime/phase';
import { TokenAssembler } from '../../lib/realtime/token-assembler';
import type { RealtimeToken } from '../../lib/types';
import { SECRET_KEY } from '../helpers';

const SESSION_KEY = 'temp-SESSION-key-42';
/** 16 kHz s16le mono: 32 bytes per ms, 2 bytes per frame. */
const PCM16 = { bytesPerMs: 32, frameBytes: 2 };

const token = (text: string, is_final: boolean, start_ms = 0) => ({
  text,
  is_final,
  start_ms,
  end_ms: start_ms + 10,
});
const frame = (body: Record<string, unknown>) => JSON.stringify({ tokens: [], ...body });

interface Options {
  /** What push() answers (false: the reader is behind). */
  pushAnswers?: boolean;
  /** What a marker's queue() answers (false: the reader is behind). */
  markerAnswers?: boolean;
  finalOnly?: boolean;
  /** Whether a rollover holds frames (and failures) now. */
  holding?: boolean;
  phase?: RealtimePhase;
}

/** An intake over a real TokenAssembler, its other parts and host recording what they are told. */
function intakeWith(options: Options = {}) {
  const told: unknown[][] = [];
  const pushed: RealtimeToken[] = [];
  const tokens = new TokenAssembler();
  const connection = {
    pause: () => told.push(['pause']),
    resume: () => told.push(['resume']),
  };
  let phase: RealtimePhase = options.phase ?? 'open';
  const parts: IntakeParts = {
    tokens,
    markers: { queue: (kind) => (told.push(['marker', kind]), options.markerAnswers ?? true) },
    reconnector: {
      admitted: () => told.push(['admitted']),
      finalized: (bytes) => told.push(['finalized', bytes]),
      failed: (error, at) => told.push(['failed', error.message, at]),
    },
    link: {
      connection: connection as never,
      keys: [SESSION_KEY, undefined],
      retire: (graceful) => told.push(['retire', graceful]),
    },
    rollover: {
      hold: (text) => options.holding === true && told.push(['held', text]) > 0,
      holdFailure: (error) =>
        options.holding === true && told.push(['heldFailure', error.message]) > 0,
    },
    geometry: PCM16,
    finalOnly: options.finalOnly ?? false,
  };
  const host: IntakeHost = {
    answered: () => told.push(['answered']),
    requestId: (id) => told.push(['requestId', id]),
    result: (message) => told.push(['result', message.tokens.length]),
    push: (item: RealtimeToken) => (
      pushed.push(item),
      told.push(['push', item.text]),
      options.pushAnswers ?? true
    ),
    finished: () => told.push(['finished']),
    phase: () => phase,
    rolledOver: (event) => told.push(['rolledOver', event]),
    bytesSent: () => 3200,
  };
  const intake = new ServerIntake(SECRET_KEY, parts, host);
  return { intake, told, tokens, pushed, setPhase: (p: RealtimePhase) => (phase = p) };
}

describe('realtime/intake ServerIntake', () => {
  it('takes a result: admitted, answered, its tokens and markers to the reader in the order sent', () => {
    const { intake, told } = intakeWith();
    intake.message(
      frame({
        request_id: 'req-1',
        tokens: [token('Hi', true), { text: '<end>', is_final: true }, token(' there', false, 20)],
      }),
    );
    expect(told).to.deep.equal([
      ['admitted'],
      ['answered'],
      ['requestId', 'req-1'],
      ['result', 3],
      ['finalized', 3200],
      ['push', 'Hi'],
      ['marker', 'endpoint'],
      ['push', ' there'],
    ]);
  });

  it("gives the reader only final tokens with tokens: 'final'", () => {
    const { intake, told } = intakeWith({ finalOnly: true });
    intake.result({ tokens: [token('a', true), token('b', false, 10), token('c', true, 20)] });
    expect(told.filter(([what]) => what === 'push')).to.deep.equal([
      ['push', 'a'],
      ['push', 'c'],
    ]);
  });

  it('pauses the socket once while the reader is behind, reads again as it asks, and pauses a new socket meanwhile', () => {
    const { intake, told } = intakeWith({ pushAnswers: false });
    intake.result({ tokens: [token('a', true)] });
    intake.result({ tokens: [token('b', true, 10)] });
    expect(told.filter(([what]) => what === 'pause')).to.have.length(1);
    const next: string[] = [];
    intake.opened({ pause: () => next.push('pause') });
    expect(next).to.deep.equal(['pause']);
    intake.resume();
    expect(told.at(-1)).to.deep.equal(['resume']);
    intake.opened({ pause: () => next.push('pause') });
    expect(next, 'not behind any more').to.deep.equal(['pause']);
  });

  it('pauses the socket when a marker finds the reader behind', () => {
    const { intake, told } = intakeWith({ markerAnswers: false });
    intake.result({ tokens: [token('a', true), { text: '<fin>', is_final: true }] });
    expect(told.slice(-2)).to.deep.equal([['marker', 'finalized'], ['pause']]);
  });

  it('reports `finished` after the tokens of its result, and pauses nothing for it', () => {
    const { intake, told } = intakeWith({ pushAnswers: false });
    intake.result({ tokens: [token('last', true)], finished: true });
    expect(told.slice(-2)).to.deep.equal([['push', 'last'], ['finished']]);
    expect(told.some(([what]) => what === 'pause')).to.equal(false);
  });

  it('fails the connection on a binary or malformed frame: retired, the reconnector told with the phase', () => {
    const { intake, told } = intakeWith({ phase: 'finishing' });
    intake.message(undefined);
    intake.message('{not json');
    expect(told).to.deep.equal([
      ['retire', false],
      ['failed', 'malformed message from the server (a binary frame)', 'finishing'],
      ['retire', false],
      ['failed', 'malformed message from the server (not JSON, 9 characters)', 'finishing'],
    ]);
  });

  it("redacts the client's and the session's keys from an error frame, and keeps its request id", () => {
    const { intake, told } = intakeWith();
    intake.message(
      JSON.stringify({
        error_code: 401,
        error_message: `bad key ${SECRET_KEY} or ${SESSION_KEY}`,
        request_id: 'req-9',
      }),
    );
    expect(told[0]).to.deep.equal(['requestId', 'req-9']);
    const failed = told.find(([what]) => what === 'failed') as [string, string];
    expect(failed[1]).to.include('401').and.include('bad key');
    expect(failed[1]).not.to.include(SECRET_KEY).and.not.to.include(SESSION_KEY);
    expect(
      told.some(([what]) => what === 'answered'),
      'an error answers nothing',
    ).to.equal(false);
  });

  it('parse() checks a frame alone: a result, or the error (the keys redacted)', () => {
    const { intake, told } = intakeWith();
    expect(intake.parse(frame({ tokens: [token('a', true)] }))).to.deep.include({
      tokens: [token('a', true)],
    });
    const error = intake.parse(JSON.stringify({ error_code: 400, error_message: SESSION_KEY }));
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect((error as Error).message).not.to.include(SESSION_KEY);
    expect(told, 'parsing reports nothing').to.deep.equal([]);
  });

  it("leaves a frame and a failure of a rollover's next session to the rollover while it holds them", () => {
    const { intake, told } = intakeWith({ holding: true });
    const text = frame({ tokens: [token('later', true)] });
    intake.message(text);
    intake.failed(new SonioxWebSocketError('next dropped'));
    expect(told).to.deep.equal([
      ['held', text],
      ['retire', false],
      ['heldFailure', 'next dropped'],
    ]);
  });

  it("hands over at the finalize point: the next session's clock shifted, the event, then what it said meanwhile", () => {
    const { intake, told, tokens, pushed } = intakeWith();
    // The drained session finalized 1 s; the finalize point is 1.5 s of audio sent.
    intake.result({ tokens: [token('old', true, 900)], final_audio_proc_ms: 1000 });
    told.length = 0;
    intake.handOver(
      {
        pointBytes: 32 * 1500,
        held: [frame({ tokens: [token('new', true, 100)] })],
        failure: new SonioxWebSocketError('next dropped'),
        count: 1,
      },
      'req-old',
    );
    expect(told[0]).to.deep.equal([
      'rolledOver',
      { count: 1, atMs: 1500, previousRequestId: 'req-old' },
    ]);
    // Joined to the text before the resume (a space), on the stream's clock: 1500 + 100 ms.
    expect(told.slice(1)).to.deep.equal([
      ['admitted'],
      ['answered'],
      ['result', 1],
      ['finalized', 3200],
      ['push', ' new'],
      ['retire', false],
      ['failed', 'next dropped', 'open'],
    ]);
    expect(pushed.at(-1)).to.include({ start_ms: 1600, end_ms: 1610 });
    expect(tokens.finalizedAudioMs).to.equal(1000);
  });

  it('takes what was held while the stream is finishing', () => {
    const { intake, told, setPhase } = intakeWith();
    setPhase('finishing');
    intake.handOver(
      {
        pointBytes: 0,
        held: [frame({ tokens: [token('tail', true)] })],
        failure: undefined,
        count: 1,
      },
      undefined,
    );
    expect(told.filter(([what]) => what === 'push')).to.deep.equal([['push', 'tail']]);
  });

  it('takes nothing held once the stream is no longer open or finishing', () => {
    const { intake, told, setPhase } = intakeWith();
    setPhase('failed');
    intake.handOver(
      {
        pointBytes: 0,
        held: [frame({ tokens: [token('late', true)] })],
        failure: new SonioxWebSocketError('late failure'),
        count: 2,
      },
      undefined,
    );
    expect(told).to.deep.equal([
      ['rolledOver', { count: 2, atMs: 0, previousRequestId: undefined }],
    ]);
  });
});

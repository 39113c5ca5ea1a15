/**
 * The admission in front of a client's socket pool (lib/http/admission.ts), alone: at most
 * `limit` requests at once, the others served oldest flow first (ties in arrival order), an
 * aborted waiter gone from the queue, and a call without a flow placed by its own age.
 */
import { expect } from 'chai';
import { Admission, flowTicket } from '../../lib/http/admission';

/** Enters `age` and records when it was admitted (its name pushed to `served`). */
function waiter(
  admission: Admission,
  age: number,
  name: string,
  served: string[],
  signal?: AbortSignal,
): Promise<void> {
  const wait = admission.enter(age, signal);
  if (!wait) {
    served.push(name);
    return Promise.resolve();
  }
  return wait.then(() => {
    served.push(name);
  });
}

/** Lets settled promises run their callbacks. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Admission (the fair queue in front of the pool)', () => {
  it('admits up to its limit at once and queues the rest', () => {
    const admission = new Admission(2);
    expect(admission.enter(5)).to.equal(undefined);
    expect(admission.enter(9)).to.equal(undefined);
    const third = admission.enter(1);
    expect(third).to.be.instanceOf(Promise);
    expect(admission.active).to.equal(2);
    expect(admission.queued).to.equal(1);
  });

  it('serves the oldest flow first, and the same age in arrival order', async () => {
    const admission = new Admission(1);
    const served: string[] = [];
    expect(admission.enter(0)).to.equal(undefined);
    const waits = [
      waiter(admission, 30, 'c1', served),
      waiter(admission, 10, 'a1', served),
      waiter(admission, 20, 'b1', served),
      waiter(admission, 10, 'a2', served),
      waiter(admission, 30, 'c2', served),
      waiter(admission, 10, 'a3', served),
    ];
    for (let i = 0; i < waits.length; i++) {
      admission.leave();
      await flush();
    }
    await Promise.all(waits);
    expect(served).to.deep.equal(['a1', 'a2', 'a3', 'b1', 'c1', 'c2']);
    expect(admission.active).to.equal(1);
    admission.leave();
    expect(admission.active).to.equal(0);
  });

  it('rejects an aborted waiter with its signal’s reason, takes it out of the queue, and hands its place on', async () => {
    const admission = new Admission(1);
    const served: string[] = [];
    expect(admission.enter(0)).to.equal(undefined);
    const controller = new AbortController();
    const first = waiter(admission, 1, 'first', served, controller.signal).catch((e: unknown) => e);
    const second = waiter(admission, 2, 'second', served);
    expect(admission.queued).to.equal(2);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await first).to.equal(reason);
    expect(admission.queued).to.equal(1);
    admission.leave();
    await second;
    expect(served).to.deep.equal(['second']);
    expect(admission.active).to.equal(1);
    expect(admission.queued).to.equal(0);
  });

  it('refuses a signal already aborted without queuing it', async () => {
    const admission = new Admission(1);
    expect(admission.enter(0)).to.equal(undefined);
    const reason = new Error('already');
    const wait = admission.enter(1, AbortSignal.abort(reason));
    expect(admission.queued).to.equal(0);
    expect(await wait?.catch((e: unknown) => e)).to.equal(reason);
  });

  it('admits a call without a flow (its own age at issue) before flows started after it, though their requests queued first', async () => {
    const admission = new Admission(1);
    const served: string[] = [];
    expect(admission.enter(flowTicket())).to.equal(undefined);
    const early = flowTicket();
    const call = flowTicket();
    const late = flowTicket();
    const waits = [
      waiter(admission, late, 'late flow', served),
      waiter(admission, late, 'late flow again', served),
      waiter(admission, call, 'call', served),
      waiter(admission, early, 'early flow', served),
    ];
    for (let i = 0; i < waits.length; i++) {
      admission.leave();
      await flush();
    }
    await Promise.all(waits);
    expect(served).to.deep.equal(['early flow', 'call', 'late flow', 'late flow again']);
  });

  it('never admits more than its limit, through many enters, leaves and aborts', async () => {
    const admission = new Admission(3);
    let inside = 0;
    let most = 0;
    const controllers: AbortController[] = [];
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      const wait = admission.enter((i * 7919) % 101, controller.signal);
      runs.push(
        (wait ?? Promise.resolve()).then(
          async () => {
            inside++;
            most = Math.max(most, inside);
            await flush();
            inside--;
            admission.leave();
          },
          () => undefined,
        ),
      );
    }
    for (let i = 0; i < 200; i += 3) controllers[i]!.abort();
    await Promise.all(runs);
    expect(most).to.equal(3);
    expect(admission.active).to.equal(0);
    expect(admission.queued).to.equal(0);
  });

  it('rejects every waiter when closed, and admits none of them', async () => {
    const admission = new Admission(1);
    expect(admission.enter(0)).to.equal(undefined);
    const reason = new Error('closed');
    const waits = [admission.enter(1), admission.enter(2)].map((w) => w!.catch((e: unknown) => e));
    admission.close(reason);
    expect(await Promise.all(waits)).to.deep.equal([reason, reason]);
    expect(admission.queued).to.equal(0);
  });

  it('gives flow tickets in the order they are taken', () => {
    const a = flowTicket();
    const b = flowTicket();
    expect(b).to.be.greaterThan(a);
  });
});

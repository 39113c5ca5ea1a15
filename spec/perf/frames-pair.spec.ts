/** The 20 ms frames workers (perf/harness/frames.ts): the SDK's and raw's windows start together. */
import { expect } from 'chai';
import { runPair } from '../../perf/harness/frames';
import type { Worker } from '../../perf/harness/child';
import type { FramesOutput, FramesRequest } from '../../perf/workers/realtime-frames';

/** A worker whose calls wait until the spec answers them; every call is logged. */
function scriptedWorker(log: string[], answers: Array<() => void>): Worker {
  return {
    call<T>(input: unknown): Promise<T> {
      const { contender, step } = input as FramesRequest;
      log.push(`${contender} ${step}`);
      return new Promise<T>((resolve) => {
        answers.push(() => {
          log.push(`${contender} ${step} done`);
          // The warm round's run answers the figures; every other step answers null.
          const runs = log.filter((l) => l === `${contender} run done`).length;
          resolve((step === 'run' && runs === 2 ? figures(contender) : null) as T);
        });
      });
    },
    close(): void {},
  };
}

const figures = (contender: string) =>
  ({ ok: 1, failed: 0, finals: 0, frames: 1, cpuMs: contender === 'sdk' ? 2 : 1 }) as FramesOutput;

describe('perf/harness/frames: one run of the SDK and raw workers', () => {
  it('starts each measured round in both workers only once both have their sessions open', async () => {
    const log: string[] = [];
    const answers: Array<() => void> = [];
    const input = {
      url: '',
      realtimeURL: '',
      apiKey: '',
      sessions: 1,
      format: 'pcm16k',
      seconds: 1,
    } as const;
    const run = runPair(input, 1000, () => scriptedWorker(log, answers));
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    await settle();
    expect(log).to.deep.equal(['sdk open', 'raw open']);
    // The SDK's sessions are open, raw's not yet: nobody's clock starts.
    answers.shift()!();
    await settle();
    expect(log).to.deep.equal(['sdk open', 'raw open', 'sdk open done']);
    answers.shift()!();
    await settle();
    expect(log.slice(3)).to.deep.equal(['raw open done', 'sdk run', 'raw run']);
    // The next round's sessions open only once both measured windows closed.
    answers.shift()!();
    await settle();
    expect(log.slice(6)).to.deep.equal(['sdk run done']);
    answers.shift()!();
    await settle();
    expect(log.slice(7)).to.deep.equal(['raw run done', 'sdk open', 'raw open']);
    for (let i = 0; i < 4; i++) {
      answers.shift()!();
      await settle();
    }
    const { sdk, raw } = await run;
    expect((sdk as FramesOutput).cpuMs).to.equal(2);
    expect((raw as FramesOutput).cpuMs).to.equal(1);
  });
});

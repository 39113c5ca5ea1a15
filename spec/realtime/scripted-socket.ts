/** An in-memory stand-in for a ws client socket (the webSocketFactory seam), for specs. */
import { EventEmitter } from 'node:events';

/** Just enough of a ws client for Connection: records what it is asked to do. */
export class ScriptedSocket extends EventEmitter {
  readyState = 0;
  bufferedAmount = 0;
  sent: Array<string | Buffer> = [];
  binary: boolean[] = [];
  pauses = 0;
  resumes = 0;
  terminations = 0;
  pings: Array<(error?: Error) => void> = [];
  paused = false;
  closedWith: number | undefined;
  closes = 0;
  terminated = false;
  /** When set, send callbacks wait for flushSends() (a socket whose buffer does not drain). */
  holdSends = false;
  private heldSends: Array<(error?: Error) => void> = [];
  send(data: string | Buffer, options: { binary: boolean }, done: (error?: Error) => void): void {
    this.sent.push(data);
    this.binary.push(options.binary);
    if (this.holdSends) this.heldSends.push(done);
    else done();
  }
  /** Runs the oldest `count` held send callbacks (all by default), as ws does once their bytes are written. */
  flushSends(count = Infinity): void {
    for (const done of this.heldSends.splice(0, count)) done();
  }
  ping(_data: unknown, _mask: unknown, done: (error?: Error) => void): void {
    this.pings.push(done);
  }
  pause(): void {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
    this.resumes++;
  }
  close(code: number): void {
    this.closedWith = code;
    this.closes++;
  }
  terminate(): void {
    this.terminated = true;
    this.terminations++;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.emit('open');
  }
}

/**
 * The mock's realtime half in replay mode: each session's start message picks a recorded
 * session (replay.ts), whose frames are sent back in order, each once the client has sent what
 * preceded it when recorded (that much audio, that many finalizes, the end of audio) and, paced
 * as recorded, not before its recorded time since the start. A start message with no recording
 * gets an error frame naming its config, and the socket closes.
 */
import type http from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { REDACTED, type RecordedFrame, type RecordedSession } from '../cassette';
import type { ReplayBook } from './replay';
import { serveUpgrades } from './ws-upgrade';

/** One replayed session. */
class ReplaySession {
  private recorded: RecordedSession | undefined;
  private startedAt = 0;
  private next = 0;
  private audioBytes = 0;
  private finalizes = 0;
  private endOfAudio = false;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly headerKey: string | undefined,
    private readonly book: ReplayBook,
    private readonly apiKey: string,
  ) {
    // ws leaves binaryType at 'nodebuffer': a message arrives as one Buffer, fragments joined.
    ws.on('message', (data: RawData, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.stop());
    // ws emits 'close' after 'error': this listener only keeps the error from being thrown.
    ws.on('error', () => undefined);
  }

  private stop(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.done) return;
    if (!this.recorded) return this.start(data, isBinary);
    if (isBinary) this.audioBytes += data.length;
    else {
      const text = data.toString('utf8');
      if (text === '') this.endOfAudio = true;
      else if (/"type"\s*:\s*"finalize"/.test(text)) this.finalizes += 1;
    }
    this.pump();
  }

  private start(data: Buffer, isBinary: boolean): void {
    let start: unknown;
    try {
      start = isBinary ? undefined : JSON.parse(data.toString('utf8'));
    } catch {
      // Not JSON: `start` stays undefined, refused below as no object.
    }
    if (start === null || typeof start !== 'object' || Array.isArray(start))
      return this.fail(400, 'Start request must be a JSON object.');
    const config = start as Record<string, unknown>;
    const key = this.headerKey ?? config.api_key;
    // The replayed temporary keys were redacted when recorded: they come back as `[redacted]`.
    if (key !== this.apiKey && key !== REDACTED) return this.fail(401, 'Invalid API key.');
    const found = this.book.session(config);
    if ('miss' in found) return this.fail(400, found.miss);
    this.recorded = found;
    this.startedAt = Date.now();
    this.pump();
  }

  /** Sends every frame whose turn has come; waits for input or time for the next. */
  private pump(): void {
    clearTimeout(this.timer);
    const frames = (this.recorded as RecordedSession).frames;
    while (this.next < frames.length && !this.done) {
      const frame = frames[this.next] as RecordedFrame;
      if (
        this.audioBytes < frame.afterAudioBytes ||
        this.finalizes < (frame.afterFinalizes ?? 0) ||
        (frame.afterEndOfAudio && !this.endOfAudio)
      )
        return;
      const wait = this.startedAt + frame.atMs - Date.now();
      if (this.book.pace === 'recorded' && wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.next += 1;
      this.ws.send(frame.json !== undefined ? JSON.stringify(frame.json) : (frame.text ?? ''));
      if (this.next === frames.length) this.finish(frame);
    }
  }

  /** After the last frame: a `finished` or an error frame ends the session as the API does. */
  private finish(last: RecordedFrame): void {
    const json = last.json as { finished?: unknown; error_code?: unknown } | undefined;
    if (json?.finished === true) this.ws.close(1000);
    else if (typeof json?.error_code === 'number')
      this.ws.close(json.error_code >= 500 ? 1011 : 1000);
  }

  private fail(code: number, message: string): void {
    this.done = true;
    this.ws.send(JSON.stringify({ error_code: code, error_message: message }));
    this.ws.close(code >= 500 ? 1011 : 1000);
  }
}

/** Serves replayed realtime sessions on `server`'s upgrade requests. */
export function attachReplay(
  server: http.Server,
  book: ReplayBook,
  apiKey: string,
): { close(): Promise<void> } {
  // The session lives on its socket's events; the socket's close stops it.
  return serveUpgrades(server, (ws, key) => new ReplaySession(ws, key, book, apiKey));
}

/**
 * A subtitle file written live: each cue goes to the file as soon as the library's CueBuilder
 * completes it, so the file is usable (and complete up to the last cue) while the session runs
 * and after an interrupted one.
 */
import fs from 'node:fs';
import { CueBuilder, formatCue, subtitleHeader, type SubtitleFormat } from '../../transcript';
import type { RealtimeToken } from '../../types';

/** SRT or WebVTT written cue by cue from realtime tokens. */
export class SubtitleFile {
  private readonly fd: number;
  private readonly cues = new CueBuilder();
  private count = 0;
  private closed = false;

  constructor(
    file: string,
    private readonly format: SubtitleFormat,
  ) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the output path the user gave
    this.fd = fs.openSync(file, 'w');
    fs.writeSync(this.fd, subtitleHeader(format));
  }

  /** Takes a token (only final spoken tokens with timings count). */
  token(token: RealtimeToken): void {
    for (const cue of this.cues.push(token)) this.write(cue);
  }

  /** Writes the last cue and closes the file (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cue of this.cues.flush()) this.write(cue);
    fs.closeSync(this.fd);
  }

  private write(cue: Parameters<typeof formatCue>[0]): void {
    this.count++;
    fs.writeSync(
      this.fd,
      `${this.count > 1 ? '\n' : ''}${formatCue(cue, this.count, this.format)}`,
    );
  }
}

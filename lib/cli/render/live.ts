/**
 * Realtime tokens on stdout, three ways:
 * - `LiveText` (a terminal): final words printed for good, the non-final tail shown dimmed after
 *   them and rewritten in place (`\r` + erase line) as the server revises it; a line is
 *   committed at an endpoint, at a change of speaker, or when it would wrap.
 * - `PlainText` (a pipe): final words only, as they come; a newline at endpoints.
 * - `JsonLines`: one token per line, as the stream delivered it.
 *
 * With translation, the text sinks print final translation tokens on lines of their own, after
 * `→ `, between the lines of the spoken words (non-final translation tokens are not shown).
 *
 * The server restates the whole non-final tail in each result, after that result's new finals;
 * a stream delivers tokens, not results, so a result's start is recognised as a final token, or
 * a non-final token that does not start after the tail's last one.
 */
import type { RealtimeToken } from '../../types';
import type { Colors } from '../context';
import type { Output } from '../io';
import { ERASE_LINE } from './progress';

/** Where realtime tokens go. */
export interface TokenSink {
  token(token: RealtimeToken): void;
  /** The server detected an endpoint (the speaker paused). */
  endpoint(): void;
  /** The session finished. */
  end(): void;
}

const speakerLabel = (speaker: string | undefined): string =>
  speaker ? `Speaker ${speaker}: ` : '';
const TRANSLATION = '→ ';
const isTranslation = (token: RealtimeToken): boolean => token.translation_status === 'translation';

/** Tracks the final line and the non-final tail (see the file comment). */
export class TailTracker {
  tail: RealtimeToken[] = [];
  private lastFinal = true;

  /** Takes a token; returns whether it was final. */
  take(token: RealtimeToken): boolean {
    if (token.is_final) {
      this.tail = [];
      this.lastFinal = true;
      return true;
    }
    const last = this.tail[this.tail.length - 1];
    const restarts =
      this.lastFinal ||
      !last ||
      (token.start_ms !== undefined &&
        last.start_ms !== undefined &&
        token.start_ms <= last.start_ms);
    if (restarts) this.tail = [token];
    else this.tail.push(token);
    this.lastFinal = false;
    return false;
  }

  get tailText(): string {
    return this.tail.map((t) => t.text).join('');
  }
}

/** Live rendering on a terminal (see the file comment). */
export class LiveText implements TokenSink {
  private line = '';
  private speaker: string | undefined;
  private translating = false;
  private readonly tracker = new TailTracker();

  constructor(
    private readonly out: Output,
    private readonly color: Colors,
  ) {}

  private get width(): number {
    return Math.max(20, (this.out.columns || 80) - 1);
  }

  token(token: RealtimeToken): void {
    if (isTranslation(token)) {
      if (!token.is_final) return;
      if (!this.translating) {
        this.commit();
        this.translating = true;
        this.line = TRANSLATION;
      }
      this.line += this.atLineStart ? token.text.trimStart() : token.text;
      this.wrap();
      this.draw();
      return;
    }
    if (this.translating) {
      this.translating = false;
      this.commit();
    }
    if (this.tracker.take(token)) {
      if (token.speaker !== undefined && token.speaker !== this.speaker) {
        this.commit();
        this.speaker = token.speaker;
        this.line = speakerLabel(token.speaker);
      }
      this.line += this.atLineStart ? token.text.trimStart() : token.text;
      this.wrap();
    }
    this.draw();
  }

  private get atLineStart(): boolean {
    return (
      this.line === '' || this.line === TRANSLATION || this.line === speakerLabel(this.speaker)
    );
  }

  endpoint(): void {
    this.commit();
  }

  end(): void {
    this.tracker.take({ text: '', is_final: true });
    this.commit();
  }

  /** Prints the final line for good and starts a new one. */
  private commit(): void {
    if (!this.atLineStart) this.out.write(`${ERASE_LINE}${this.line.trimEnd()}\n`);
    else this.out.write(ERASE_LINE);
    this.line = this.translating ? TRANSLATION : speakerLabel(this.speaker);
  }

  /** Commits the words that no longer fit on one terminal line. */
  private wrap(): void {
    while (this.line.length > this.width) {
      const cut = this.line.lastIndexOf(' ', this.width);
      const at = cut > 0 ? cut : this.width;
      this.out.write(`${ERASE_LINE}${this.line.slice(0, at).trimEnd()}\n`);
      this.line = this.line.slice(at).trimStart();
    }
  }

  /** Rewrites the current line: finals, then the dimmed tail (its end cut to fit). */
  private draw(): void {
    const room = this.width - this.line.length;
    let tail = this.tracker.tailText;
    if (this.atLineStart) tail = tail.trimStart();
    if (tail.length > room) tail = room > 1 ? `${tail.slice(0, room - 1)}…` : '';
    this.out.write(`${ERASE_LINE}${this.line}${tail ? this.color.dim(tail) : ''}`);
  }
}

/** Final text as it comes, for pipes (see the file comment). */
export class PlainText implements TokenSink {
  private atLineStart = true;
  private speaker: string | undefined;

  constructor(private readonly out: Output) {}

  private translating = false;

  token(token: RealtimeToken): void {
    if (!token.is_final) return;
    if (isTranslation(token) !== this.translating) {
      this.end();
      this.translating = isTranslation(token);
    }
    const newSpeaker =
      !this.translating && token.speaker !== undefined && token.speaker !== this.speaker;
    if (newSpeaker) {
      this.end();
      this.speaker = token.speaker;
    }
    const text = this.atLineStart ? token.text.trimStart() : token.text;
    if (text === '') return;
    this.out.write(
      `${this.atLineStart ? (this.translating ? TRANSLATION : speakerLabel(this.speaker)) : ''}${text}`,
    );
    this.atLineStart = false;
  }

  endpoint(): void {
    this.end();
  }

  end(): void {
    if (!this.atLineStart) this.out.write('\n');
    this.atLineStart = true;
  }
}

/** One JSON token per line. */
export class JsonLines implements TokenSink {
  constructor(private readonly out: Output) {}

  token(token: RealtimeToken): void {
    this.out.write(`${JSON.stringify(token)}\n`);
  }

  endpoint(): void {
    // Endpoints are not tokens; JSON consumers see the tokens only.
  }

  end(): void {
    // Nothing buffered.
  }
}

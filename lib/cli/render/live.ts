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
 * With `languages` (language identification, two-way translation) each line also names its
 * language, `Speaker 1 [en]: ` and `→ [es] `, and a change of language starts a new line.
 *
 * The server restates the whole non-final tail in each result, after that result's new finals;
 * a stream delivers tokens, not results, so a result's start is recognised as a final token, or
 * a non-final token that does not start after the tail's last one.
 */
import { isTranslationToken as isTranslation, speakerLabel } from '../../transcript';
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

/** Options of the text sinks. */
export interface LiveOptions {
  /** Name each line's language (tokens carry one with language identification or translation). */
  languages?: boolean;
}

/** What a line is: spoken words (by whom, in what language) or a translation. */
interface LineKind {
  translating: boolean;
  speaker: string | undefined;
  language: string | undefined;
}

/** The label a line starts with. */
function lineLabel(kind: LineKind, languages: boolean): string {
  const language = languages ? kind.language : undefined;
  if (kind.translating) return `→ ${language ? `[${language}] ` : ''}`;
  if (!language) return speakerLabel(kind.speaker);
  return kind.speaker ? `Speaker ${kind.speaker} [${language}]: ` : `[${language}] `;
}

/** Whether a final token starts a new line: a new speaker, or a new language when shown. */
function startsLine(kind: LineKind, token: RealtimeToken, languages: boolean): boolean {
  return (
    (!kind.translating && token.speaker !== undefined && token.speaker !== kind.speaker) ||
    (languages && token.language !== undefined && token.language !== kind.language)
  );
}

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
  private readonly kind: LineKind = { translating: false, speaker: undefined, language: undefined };
  /** The spoken line's language, restored after a translation line. */
  private spokenLanguage: string | undefined;
  private readonly tracker = new TailTracker();
  private readonly languages: boolean;

  constructor(
    private readonly out: Output,
    private readonly color: Colors,
    options: LiveOptions = {},
  ) {
    this.languages = options.languages ?? false;
  }

  private get label(): string {
    return lineLabel(this.kind, this.languages);
  }

  private get width(): number {
    return Math.max(20, (this.out.columns || 80) - 1);
  }

  token(token: RealtimeToken): void {
    if (isTranslation(token)) {
      if (!token.is_final) return;
      if (!this.kind.translating || startsLine(this.kind, token, this.languages)) {
        this.commit();
        this.kind.translating = true;
        this.kind.language = token.language;
        this.line = this.label;
      }
      this.line += this.atLineStart ? token.text.trimStart() : token.text;
      this.wrap();
      this.draw();
      return;
    }
    if (this.kind.translating) {
      this.commit();
      this.kind.translating = false;
      this.kind.language = this.spokenLanguage;
      this.line = this.label;
    }
    if (this.tracker.take(token)) {
      if (startsLine(this.kind, token, this.languages)) {
        this.commit();
        this.kind.speaker = token.speaker ?? this.kind.speaker;
        this.kind.language = this.spokenLanguage = token.language ?? this.kind.language;
        this.line = this.label;
      }
      this.line += this.atLineStart ? token.text.trimStart() : token.text;
      this.wrap();
    }
    this.draw();
  }

  private get atLineStart(): boolean {
    return this.line === '' || this.line === this.label;
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
    this.line = this.label;
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
  private readonly kind: LineKind = { translating: false, speaker: undefined, language: undefined };
  private readonly languages: boolean;

  constructor(
    private readonly out: Output,
    options: LiveOptions = {},
  ) {
    this.languages = options.languages ?? false;
  }

  token(token: RealtimeToken): void {
    if (!token.is_final) return;
    if (isTranslation(token) !== this.kind.translating) {
      this.end();
      this.kind.translating = isTranslation(token);
      if (this.languages) this.kind.language = undefined;
    }
    if (startsLine(this.kind, token, this.languages)) {
      this.end();
      if (!this.kind.translating) this.kind.speaker = token.speaker ?? this.kind.speaker;
      this.kind.language = token.language ?? this.kind.language;
    }
    const text = this.atLineStart ? token.text.trimStart() : token.text;
    if (text === '') return;
    this.out.write(`${this.atLineStart ? lineLabel(this.kind, this.languages) : ''}${text}`);
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

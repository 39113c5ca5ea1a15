/**
 * Token bookkeeping of a realtime stream, without sockets: which tokens reach the reader, the
 * transcript (original language) and the translation kept apart, the finalized audio point, and
 * what a resumed session must not repeat. Pure, so it is unit-tested like http/retry.ts.
 */
import type { RealtimeMessage, RealtimeToken } from '../types';
import { specialToken } from './protocol';
import { shiftToken } from './reconnect';
import type { TranslationPair } from '../transcript/translation';
import { TranslationBook } from './translation';

/** What one server result becomes for the stream. */
export interface AssembledResult {
  /** Tokens for the reader, in order, timestamps on the stream's clock. */
  readonly tokens: RealtimeToken[];
  /** Special tokens seen (`<end>` -> endpoint, `<fin>` -> finalized), in order. */
  readonly events: Array<'endpoint' | 'finalized'>;
  /** Tokens and special tokens' events together, in the order the server sent them. */
  readonly items: Array<RealtimeToken | 'endpoint' | 'finalized'>;
}

/**
 * One result's items, with `tokens` and `events` split from them only when asked: the stream
 * reads `items` alone, and three arrays grown by push() per result (each a 17-slot backing
 * store) were most of what a result cost the heap beyond its JSON.parse.
 */
class Assembled implements AssembledResult {
  constructor(readonly items: Array<RealtimeToken | 'endpoint' | 'finalized'>) {}

  get tokens(): RealtimeToken[] {
    return this.items.filter((item): item is RealtimeToken => typeof item !== 'string');
  }

  get events(): Array<'endpoint' | 'finalized'> {
    return this.items.filter((item): item is 'endpoint' | 'finalized' => typeof item === 'string');
  }
}

/** Scripts that separate words with spaces. */
const SPACED_WORD_START =
  /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{N}]/u;

/**
 * A resumed session starts a new token stream, whose first word carries no leading space.
 * Where the transcript so far ends a word in a spaced script, give it the space the original
 * session would have sent, so joined transcripts read the same.
 */
export function joinAfterResume(token: RealtimeToken, before: string): RealtimeToken {
  if (before === '' || /\s$/.test(before) || !SPACED_WORD_START.test(token.text)) return token;
  return { ...token, text: ` ${token.text}` };
}

const isTranslation = (token: RealtimeToken): boolean => token.translation_status === 'translation';

/** Assembles the tokens of one stream across its sessions (see the file comment). */
export class TokenAssembler {
  private original = '';
  private readonly book = new TranslationBook();
  private offsetMs = 0;
  private lastFinalEndMs = -Infinity;
  /** After a resume: finals ending at or before this were delivered by an earlier session. */
  private replayedUpToMs: number | undefined;
  private joinPending = false;
  private finalizedMs = 0;
  private processedMs = 0;

  /** Final text in the spoken language(s): translation tokens excluded. */
  get transcript(): string {
    return this.original;
  }

  /** Final translation text when all of it is in one target language (empty without translation, or with two). */
  get translation(): string {
    return this.book.translation;
  }

  /** Final translation per target language. */
  get translations(): Record<string, string> {
    return this.book.translations;
  }

  /** Final text per spoken language. */
  get originals(): Record<string, string> {
    return this.book.originals;
  }

  /** Translated segments, each with the original it translates. */
  get translationPairs(): Array<TranslationPair<RealtimeToken>> {
    return this.book.pairs;
  }

  /** Audio the server has finalized, in ms on the stream's clock. */
  get finalizedAudioMs(): number {
    return this.finalizedMs;
  }

  /** Audio the server has processed, finalized or not, in ms on the stream's clock. */
  get processedAudioMs(): number {
    return this.processedMs;
  }

  /**
   * A new session resumes the stream: its timestamps count from `offsetMs`, and what it
   * finalizes again of the replayed audio is not delivered twice.
   */
  resume(offsetMs: number): void {
    this.offsetMs = offsetMs;
    this.replayedUpToMs = this.lastFinalEndMs;
    this.joinPending = this.original !== '';
  }

  /** Takes one server result (already validated by protocol.ts). */
  accept(message: RealtimeMessage): AssembledResult {
    if (typeof message.final_audio_proc_ms === 'number') {
      this.finalizedMs = Math.max(this.finalizedMs, this.offsetMs + message.final_audio_proc_ms);
    }
    if (typeof message.total_audio_proc_ms === 'number') {
      this.processedMs = Math.max(this.processedMs, this.offsetMs + message.total_audio_proc_ms);
    }
    const raws = message.tokens;
    // Sized once (a result rarely has more than a few tokens), cut to what was kept.
    const items = new Array<RealtimeToken | 'endpoint' | 'finalized'>(raws.length);
    let kept = 0;
    let spokenSeen = false;
    for (const raw of raws) {
      const special = specialToken(raw);
      if (special) {
        items[kept++] = special;
        continue;
      }
      let token = shiftToken(raw, this.offsetMs);
      if (this.isReplayed(token)) continue;
      if (!isTranslation(token)) {
        // Each message restates the non-final tail: its first spoken token needs the join until a final lands.
        if (this.joinPending && !spokenSeen) token = joinAfterResume(token, this.original);
        spokenSeen = true;
      }
      if (token.is_final) this.recordFinal(token);
      items[kept++] = token;
    }
    items.length = kept;
    return new Assembled(items);
  }

  /** Only after a resume, and only tokens over audio an earlier session already finalized. */
  private isReplayed(token: RealtimeToken): boolean {
    return (
      this.replayedUpToMs !== undefined &&
      token.end_ms !== undefined &&
      token.end_ms <= this.replayedUpToMs
    );
  }

  private recordFinal(token: RealtimeToken): void {
    this.book.accept(token);
    if (isTranslation(token)) return;
    this.original += token.text;
    this.joinPending = false;
    if (token.end_ms !== undefined)
      this.lastFinalEndMs = Math.max(this.lastFinalEndMs, token.end_ms);
  }
}

/**
 * Scripts for users' own tests: tell the mock exactly what to answer, per async file or per
 * realtime session, and read back what it received. A scripted realtime session answers only
 * with its steps (no recognizer); every other session and transcription behaves as usual.
 */
import type {
  CreateTranscriptionParams,
  RealtimeMessage,
  RealtimeToken,
  TranscriptToken,
} from '../types';

/** A token a realtime script sends: a realtime token whose `is_final` defaults to true. */
export type ScriptedToken = Omit<RealtimeToken, 'is_final'> & { is_final?: boolean };

/** One step of a realtime script, sent once its trigger is met (steps run in order). */
export interface RealtimeScriptStep {
  /**
   * Trigger: once the session has received this much audio (ms, from the byte count and the
   * audio format; default 0), or on the client's `finalize` message, or at the end of audio.
   * At the end of audio, steps still waiting for audio run too (the service flushes).
   */
  on?: { audioMs: number } | 'finalize' | 'end-of-audio';
  /** A result message with these tokens, finals first as the API orders them. */
  tokens?: ScriptedToken[];
  /** Append `<end>` (an endpoint) to the message. */
  endpoint?: boolean;
  /** End the session with the API's error frame (`type` and `message` default per code). */
  error?: { code: number; type?: string; message?: string };
  /** Drop the connection abruptly (no error frame, no close frame). */
  drop?: boolean;
}

/** The script of one realtime session. */
export interface RealtimeScript {
  /**
   * The session it is for: the first one whose start message has this `client_reference_id`;
   * unset, the next session that starts. Each script serves one session.
   */
  clientReferenceId?: string;
  steps: RealtimeScriptStep[];
}

/** The script of an async transcription. */
export interface TranscriptionScript {
  /**
   * The transcriptions it answers: those of a file uploaded with this name or of an
   * `audio_url` ending with it; unset, every transcription. Stays in force until `clear()`.
   */
  filename?: string;
  /** The transcript's tokens (its `text` is their concatenation). */
  tokens?: TranscriptToken[];
  /** Fail the transcription with this `error_type` and `error_message` instead. */
  error?: { type: string; message: string };
  /** `audio_duration_ms` to report (default: the sum of nothing: the last token's end, or 0). */
  durationMs?: number;
}

/** What a realtime session sent the mock. */
export interface ReceivedSession {
  /** The request id of the session (in its error frames). */
  id: string;
  /** The start message, its `api_key` replaced by `[redacted]`. */
  start: Record<string, unknown> | undefined;
  /** Audio bytes received. */
  audioBytes: number;
  /** The audio itself: recorded for scripted sessions, or all with `recordAudio`. */
  audio: Buffer[];
  /** Control messages (`keepalive`, `finalize`, ...), in order. */
  controls: Array<Record<string, unknown>>;
  /** Whether the client sent the end-of-audio (empty text) frame. */
  endOfAudio: boolean;
}

/** What an async transcription was created with. */
export interface ReceivedTranscription {
  id: string;
  /** The create body, its `webhook_auth_header_value` masked as the API masks it. */
  request: CreateTranscriptionParams;
  /** The file name or the URL's last path segment. */
  filename: string;
}

/** Records kept per `received` list unless `receivedLimit` says otherwise. */
export const DEFAULT_RECEIVED_LIMIT = 1000;

/** The scripts in force and the record of what arrived (`server.scripts`, `server.received`). */
export class ScriptBook {
  private readonly realtime: RealtimeScript[] = [];
  private readonly transcription: TranscriptionScript[] = [];
  readonly received = {
    sessions: [] as ReceivedSession[],
    transcriptions: [] as ReceivedTranscription[],
  };

  /** `limit`: records kept per list, the most recent (see `receivedLimit`). */
  constructor(private readonly limit = DEFAULT_RECEIVED_LIMIT) {}

  /** Records what arrived, dropping the oldest record past the limit. */
  record<K extends keyof ScriptBook['received']>(
    list: K,
    entry: ScriptBook['received'][K][number],
  ): void {
    const records = this.received[list] as Array<typeof entry>;
    records.push(entry);
    if (records.length > this.limit) records.splice(0, records.length - this.limit);
  }

  /** Queues a realtime script. */
  addRealtime(script: RealtimeScript): void {
    this.realtime.push(script);
  }

  /** Adds an async script (a later one for the same name wins). */
  addTranscription(script: TranscriptionScript): void {
    this.transcription.unshift(script);
  }

  /** Drops every script and the record of what arrived. */
  clear(): void {
    this.realtime.length = 0;
    this.transcription.length = 0;
    this.received.sessions.length = 0;
    this.received.transcriptions.length = 0;
  }

  /** Takes the script for a session that starts with `clientReferenceId`. */
  takeRealtime(clientReferenceId: string | undefined): RealtimeScript | undefined {
    const i = this.realtime.findIndex(
      (s) => s.clientReferenceId === undefined || s.clientReferenceId === clientReferenceId,
    );
    return i < 0 ? undefined : this.realtime.splice(i, 1)[0];
  }

  /** The script answering a transcription of `filename`. */
  forTranscription(filename: string): TranscriptionScript | undefined {
    return this.transcription.find((s) => s.filename === undefined || s.filename === filename);
  }
}

/** What a scripted session must do next. */
export type ScriptAction =
  | { send: RealtimeMessage }
  | { error: { code: number; type?: string; message?: string } }
  | { drop: true };

/** Runs one realtime script against the events of its session. */
export class ScriptRunner {
  private next = 0;
  private finalMs = 0;
  private totalMs = 0;
  /** Whether the last step run was the one answering a finalize. */
  private finalizeAnswered = false;

  constructor(private readonly script: RealtimeScript) {}

  /** Steps due now that the session has `receivedMs` of audio. */
  onAudio(receivedMs: number): ScriptAction[] {
    this.totalMs = Math.max(this.totalMs, receivedMs);
    return this.run(
      (on) => on === undefined || (typeof on === 'object' && on.audioMs <= receivedMs),
    );
  }

  /** Audio steps due, then the next `finalize` step with `<fin>` at the end of its message. */
  onFinalize(): ScriptAction[] {
    const out = this.run((on) => typeof on === 'object' || on === undefined, 'finalize');
    if (out.some((a) => 'error' in a || 'drop' in a)) return out;
    const fin = { text: '<fin>', is_final: true };
    const last = out.at(-1);
    if (this.finalizeAnswered && last && 'send' in last) last.send.tokens.push(fin);
    else out.push({ send: this.message([fin]) });
    return out;
  }

  /** Every remaining step (the end of audio flushes), then `finished`. */
  onEnd(): ScriptAction[] {
    const out = this.run(() => true);
    return [...out, { send: { ...this.message([]), finished: true } }];
  }

  /**
   * Steps from the current one while `due` holds; `upTo` also takes the first step with that
   * trigger and stops after it.
   */
  private run(due: (on: RealtimeScriptStep['on']) => boolean, upTo?: 'finalize'): ScriptAction[] {
    const out: ScriptAction[] = [];
    for (let step = this.script.steps[this.next]; step; step = this.script.steps[this.next]) {
      const hit = upTo !== undefined && step.on === upTo;
      if (!hit && !due(step.on)) break;
      this.next++;
      this.finalizeAnswered = hit;
      out.push(...this.actions(step));
      if (hit || 'error' in out[out.length - 1]! || 'drop' in out[out.length - 1]!) break;
    }
    return out;
  }

  private actions(step: RealtimeScriptStep): ScriptAction[] {
    const out: ScriptAction[] = [];
    const tokens: RealtimeToken[] = (step.tokens ?? []).map((t) => ({
      ...t,
      is_final: t.is_final ?? true,
    }));
    if (step.endpoint) tokens.push({ text: '<end>', is_final: true });
    if (tokens.length) out.push({ send: this.message(tokens) });
    if (step.error) out.push({ error: step.error });
    else if (step.drop) out.push({ drop: true });
    return out;
  }

  /** A result message, finals first, with monotonic processed-audio counters. */
  private message(tokens: RealtimeToken[]): RealtimeMessage {
    const finals = tokens.filter((t) => t.is_final);
    const rest = tokens.filter((t) => !t.is_final);
    for (const t of tokens) {
      if (t.end_ms === undefined) continue;
      this.totalMs = Math.max(this.totalMs, t.end_ms);
      if (t.is_final) this.finalMs = Math.max(this.finalMs, t.end_ms);
    }
    return {
      tokens: [...finals, ...rest],
      final_audio_proc_ms: this.finalMs,
      total_audio_proc_ms: Math.max(this.totalMs, this.finalMs),
    };
  }
}

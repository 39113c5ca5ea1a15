/**
 * One realtime session of the mock (docs/api.md §8): validates the start message, turns audio
 * into results (final tokens once, the non-final tail repeated; speakers, languages and
 * translations as the options ask), `<fin>` on finalize, `<end>` at the pauses in the audio,
 * `finished` on the empty text frame; enforces the cadence, idle and duration limits; injects
 * the session faults of contracts.ts; or plays the user's script instead.
 */
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { validate } from '../schemas';
import {
  CONTAINER_AUDIO_FORMATS,
  RAW_AUDIO_FORMATS,
  type RealtimeConfig,
  type RealtimeMessage,
  type RealtimeToken,
} from '../types';
import { defaultErrorType, moreInfo } from './api-error';
import type { MockServerOptions, MockStateView, WsFault } from './contracts';
import { endpointPauseMs } from './endpointing';
import { languageIssues, originalFields, translationTokens } from './features';
import { LiveRecognizer, UnsupportedAudioError, type LiveWord } from './live-recognizer';
import type { RateLimiter } from './rate-limit';
import { ScriptRunner, type ReceivedSession, type ScriptAction, type ScriptBook } from './scripts';
import { SESSION_DEFAULTS, SessionClock, contextProblem } from './session-limits';

/** What `attachRealtime` needs from the rest of the mock. */
export interface RealtimeAttachOptions {
  state: MockStateView;
  options: MockServerOptions;
  /** The fault for a new session (consumes one of its `times`). */
  faults: () => WsFault | undefined;
  /** Realtime session limits (concurrent, per minute). */
  limiter: RateLimiter;
  /** Scripted answers and the record of what sessions sent. */
  scripts: ScriptBook;
}

/** A word turns final once this much audio has followed its end. */
const FINAL_LAG_MS = 300;
const TICK_MS = 100;

const ERROR_MESSAGES: Record<number, string> = {
  401: 'Invalid API key.',
  402: 'Organization balance exhausted.',
  408: 'Request timeout.',
  429: 'Rate limit exceeded.',
  500: 'Internal server error.',
  503: 'Cannot continue request (code 1). Please restart the request.',
};

/** One realtime session. */
export class Session {
  private config: RealtimeConfig | undefined;
  private recognizer: LiveRecognizer | undefined;
  private readonly fault: WsFault | undefined;
  private faultFired = false;
  private finalCount = 0;
  private finalMs = 0;
  private total = 0;
  private lastTail = '';
  private readonly translated = new Set<number>();
  private translatedTokens = 0;
  private startedAt = 0;
  private idle: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private ended = false;
  /** Whether this session holds a slot of its key in the limiter (released on stop). */
  private admitted = false;
  private admittedAt = 0;
  private key: string | undefined;
  private readonly requestId = randomUUID();
  private readonly clock: SessionClock;
  /** The user's script for this session, if one was queued for it. */
  private runner: ScriptRunner | undefined;
  /** What this session sent (`server.received.sessions`). */
  private record: ReceivedSession | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly headerKey: string | undefined,
    private readonly opts: RealtimeAttachOptions,
  ) {
    this.fault = opts.faults();
    const cadence = opts.options.cadence ?? (this.pacing ? {} : false);
    this.clock = new SessionClock(
      cadence === false
        ? undefined
        : { maxAheadMs: cadence.maxAheadMs ?? SESSION_DEFAULTS.maxAheadMs },
      (v) => this.fail(v.code, v.message, v.type),
    );
    // ws leaves binaryType at 'nodebuffer': a message arrives as one Buffer, fragments joined.
    ws.on('message', (data: RawData, isBinary) =>
      this.guarded(() => this.onMessage(data as Buffer, isBinary)),
    );
    ws.on('close', () => this.stop());
    // ws emits 'close' after 'error': this listener only keeps the error from being thrown.
    ws.on('error', () => undefined);
    this.armIdle();
  }

  /** Ends the session at once (server close). */
  stop(): void {
    this.ended = true;
    this.clock.stop();
    clearTimeout(this.idle);
    clearInterval(this.ticker);
    if (this.admitted) {
      this.opts.limiter.sessionEnded(this.key);
      this.recordUsage();
      this.opts.state.usage.sample(this.opts.limiter.totalActiveSessions());
    }
    this.admitted = false;
  }

  /** A usage record of a session that started (its config was accepted). */
  private recordUsage(): void {
    if (!this.config) return;
    this.opts.state.usage.record({
      scope: 'stt_rt',
      model: this.config.model as string,
      clientReferenceId: this.opts.state.sessionReference(
        this.key,
        this.config.client_reference_id,
      ),
      startMs: this.admittedAt,
      endMs: Date.now(),
      audioMs: Math.round(this.recognizer?.receivedMs ?? 0),
      outputTokens: this.finalCount,
    });
  }

  /**
   * Runs a handler; what it throws ends this session with an error frame (400 for audio the
   * recognizer refuses, else 500) instead of escaping into ws and killing the mock.
   */
  private guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (error instanceof UnsupportedAudioError) this.fail(400, error.message);
      else this.fail(500);
    }
  }

  private get pacing(): boolean {
    return this.opts.options.realtimePacing !== false;
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(
      () => this.fail(408, 'No audio or keepalive received for too long.'),
      this.opts.options.realtimeIdleTimeoutMs ?? 20_000,
    );
  }

  /** Sends a message; an error frame may lack `tokens` (the documented minimal shape). */
  private send(message: RealtimeMessage | Omit<RealtimeMessage, 'tokens'>): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(message);
    this.opts.options.onRealtimeSend?.({
      sessionId: this.requestId,
      message,
      sentAt: performance.now(),
    });
    this.ws.send(text);
  }

  /**
   * Ends the session with the API's error frame: the documented two fields by default (plus
   * `error_type` when a script names one), every field with `realtimeErrorShape: 'rich'`.
   */
  private fail(
    code: number,
    message = ERROR_MESSAGES[code] ?? 'Invalid request.',
    errorType = defaultErrorType(code),
    typeNamed = false,
  ): void {
    if (this.ended) return;
    this.send(
      this.opts.options.realtimeErrorShape === 'rich'
        ? {
            tokens: [],
            error_code: code,
            error_type: errorType,
            error_message: message,
            more_info: moreInfo(errorType),
            request_id: this.requestId,
          }
        : {
            error_code: code,
            ...(typeNamed ? { error_type: errorType } : {}),
            error_message: message,
          },
    );
    this.stop();
    this.ws.close(code >= 500 ? 1011 : 1000);
  }

  private onMessage(bytes: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    if (!this.config) return this.start(bytes, isBinary);
    this.armIdle();
    // The empty text frame ends the audio; an empty binary frame is no audio and no signal,
    // as on the live service.
    if (isBinary) return bytes.length === 0 ? undefined : this.audio(bytes);
    if (bytes.length === 0) return this.finish();
    let control: { type?: unknown; trailing_silence_ms?: unknown };
    try {
      control = JSON.parse(bytes.toString('utf8')) as typeof control;
    } catch {
      return this.fail(400, 'Invalid message: expected JSON or binary audio.');
    }
    if (control !== null && typeof control === 'object') this.record?.controls.push(control);
    if (control.type === 'keepalive') return;
    if (control.type === 'finalize')
      return this.runner ? this.perform(this.runner.onFinalize()) : this.emit('finalize');
    this.fail(400, `Unknown message type ${JSON.stringify(control.type)}.`);
  }

  private start(bytes: Buffer, isBinary: boolean): void {
    let config: RealtimeConfig & { api_key?: string };
    try {
      if (isBinary) throw new Error('binary');
      config = JSON.parse(bytes.toString('utf8')) as typeof config;
      if (config === null || typeof config !== 'object' || Array.isArray(config))
        throw new Error('not an object');
    } catch {
      return this.fail(400, 'The first message must be the JSON start message.');
    }
    const { api_key: sentKey, ...shown } = config;
    this.record = {
      id: this.requestId,
      // The key never lands in a record a test might print.
      start: sentKey === undefined ? shown : { ...shown, api_key: '[redacted]' },
      audioBytes: 0,
      audio: [],
      controls: [],
      endOfAudio: false,
    };
    this.opts.scripts.record('sessions', this.record);
    const key = this.headerKey ?? config.api_key;
    if (!this.opts.state.acceptsKey(key, 'websocket')) return this.fail(401);
    this.opts.state.useKey(key as string);
    const admission = this.opts.limiter.sessionStart(key);
    if (!admission.allowed) return this.fail(429, admission.message, admission.errorType);
    this.admitted = true;
    this.admittedAt = Date.now();
    this.opts.state.usage.sample(this.opts.limiter.totalActiveSessions());
    this.key = key;
    const issues = validate('realtimeConfig', config);
    if (issues.length)
      return this.fail(
        400,
        `Invalid start message: ${issues.map((i) => `${i.field || 'config'} ${i.message}`).join('; ')}.`,
      );
    const format = config.audio_format as string;
    if (!RAW_AUDIO_FORMATS.includes(format) && !CONTAINER_AUDIO_FORMATS.includes(format))
      return this.fail(400, `Unsupported audio_format "${format}".`);
    if (
      RAW_AUDIO_FORMATS.includes(format) &&
      (config.sample_rate === undefined || config.num_channels === undefined)
    ) {
      return this.fail(400, `audio_format ${format} requires sample_rate and num_channels.`);
    }
    if (!this.opts.state.realtimeModels().includes(config.model as string)) {
      return this.fail(400, 'Invalid model specified.', 'model_not_available');
    }
    this.config = config;
    const languages = languageIssues(config.model as string, config);
    if (languages.length)
      return this.fail(400, languages.map((i) => i.message).join(' '), 'invalid_request');
    const limits = this.opts.options.limits;
    const contextTooLong = contextProblem(
      config.context,
      limits?.realtimeContextChars ?? SESSION_DEFAULTS.realtimeContextChars,
    );
    if (contextTooLong) return this.fail(400, contextTooLong, 'invalid_request');
    this.clock.start(
      limits?.streamDurationMs ?? SESSION_DEFAULTS.streamDurationMs,
      this.opts.state.keySessionMs(key as string),
    );
    this.recognizer = new LiveRecognizer(
      { audioFormat: format, sampleRate: config.sample_rate, numChannels: config.num_channels },
      this.opts.options.fixturesDir,
      endpointPauseMs(config),
      config.language_hints?.[0] ?? 'en',
    );
    const script = this.opts.scripts.takeRealtime(config.client_reference_id);
    if (script) this.runner = new ScriptRunner(script);
    else if (this.pacing)
      this.ticker = setInterval(() => this.guarded(() => this.emit('tick')), TICK_MS);
    this.checkFault();
  }

  private audio(bytes: Buffer): void {
    const recognizer = this.recognizer as LiveRecognizer;
    if (this.startedAt === 0) this.startedAt = Date.now();
    if (this.record) {
      this.record.audioBytes += bytes.length;
      if (this.runner || this.opts.options.recordAudio) this.record.audio.push(Buffer.from(bytes));
    }
    recognizer.feed(bytes);
    this.clock.audio(recognizer.receivedMs);
    if (this.ended) return;
    if (this.runner) return this.perform(this.runner.onAudio(recognizer.receivedMs));
    this.checkFault();
    if (!this.ended && !this.pacing) this.emit('tick');
  }

  private checkFault(): void {
    const f = this.fault;
    if (!f || this.faultFired || this.ended) return;
    if ((this.recognizer?.receivedMs ?? 0) < (f.afterAudioMs ?? 0)) return;
    this.faultFired = true;
    if (f.stopReading) this.ws.pause();
    if (f.garbageFrame) this.ws.send('\u0000%%% this is not JSON');
    if (f.errorCode !== undefined) return this.fail(f.errorCode);
    if (f.abruptClose) {
      this.stop();
      return this.ws.terminate();
    }
    if (f.closeCode !== undefined) {
      this.stop();
      this.ws.close(f.closeCode);
    }
  }

  /** Audio time the results may cover now: all of it, or (paced) no more than wall-clock time. */
  private processedMs(): number {
    const received = this.recognizer?.receivedMs ?? 0;
    if (!this.pacing || this.startedAt === 0) return received;
    return Math.min(received, Date.now() - this.startedAt);
  }

  private token(w: LiveWord, isFinal: boolean, first: boolean): RealtimeToken {
    const extra = originalFields(w, this.config ?? {});
    return {
      text: first ? w.text : ` ${w.text}`,
      start_ms: Math.max(0, w.start_ms),
      end_ms: w.end_ms,
      confidence: w.confidence,
      is_final: isFinal,
      ...(extra.speaker ? { speaker: extra.speaker } : {}),
      ...(extra.language ? { language: extra.language } : {}),
      ...(extra.translation_status ? { translation_status: extra.translation_status } : {}),
    };
  }

  /** The final translation tokens of `segment`, once (none when it is not translated). */
  private translation(segment: number): RealtimeToken[] {
    const recognizer = this.recognizer as LiveRecognizer;
    if (!this.config?.translation || this.translated.has(segment)) return [];
    this.translated.add(segment);
    const tokens = translationTokens(
      recognizer.segmentWords(segment),
      recognizer.translations(segment),
      this.config,
      this.translatedTokens === 0,
    );
    this.translatedTokens += tokens.length;
    return tokens.map((t) => ({
      text: t.text,
      confidence: t.confidence as number,
      is_final: true,
      ...(t.speaker ? { speaker: t.speaker } : {}),
      language: t.language as string,
      source_language: t.source_language as string,
      translation_status: 'translation',
    }));
  }

  /**
   * Sends what changed. Endpoints the processed audio has passed come first, each in its own
   * message after the words before it (all final); then the words up to the processed position:
   * new finals, then the non-final tail; plus `<fin>` after a finalize. A segment's translation
   * follows its last word as soon as that word is final.
   */
  private emit(reason: 'tick' | 'finalize' | 'finish'): void {
    const recognizer = this.recognizer;
    if (!recognizer || this.ended) return;
    const processed = reason === 'tick' ? this.processedMs() : recognizer.receivedMs;
    for (const at of recognizer.takeEndpoints(processed)) {
      if (this.config?.enable_endpoint_detection === true) this.emitUpTo(at, true, '<end>');
    }
    this.emitUpTo(processed, reason !== 'tick', reason === 'finalize' ? '<fin>' : undefined);
    if (reason === 'finalize') recognizer.settle();
  }

  private emitUpTo(processed: number, allFinal: boolean, marker?: '<end>' | '<fin>'): void {
    const recognizer = this.recognizer as LiveRecognizer;
    // Only words not yet final matter: earlier ones were sent once and never again.
    const words = recognizer.wordsBefore(processed, this.finalCount);
    const finals: RealtimeToken[] = [];
    const tail: RealtimeToken[] = [];
    let stillFinal = true;
    words.forEach((w, k) => {
      const first = this.finalCount + k === 0;
      // Finals are a prefix: once one word is not final, none after it is.
      stillFinal = stillFinal && (allFinal || w.end_ms + FINAL_LAG_MS <= processed);
      if (!stillFinal) return void tail.push(this.token(w, false, first));
      finals.push(this.token(w, true, first));
      const segment = recognizer.segmentWords(w.segment);
      const last = segment[segment.length - 1];
      const segmentDone = last === undefined || last.start_ms === w.start_ms;
      if (segmentDone || (allFinal && k === words.length - 1))
        finals.push(...this.translation(w.segment));
    });
    this.finalCount += words.length - tail.length;
    const lastFinal = words[words.length - tail.length - 1];
    // Audio finalized is part of the audio processed (docs/api.md §8.4), even when a finalize
    // makes final a word whose end has not arrived yet.
    if (lastFinal) this.finalMs = Math.max(this.finalMs, Math.min(lastFinal.end_ms, processed));
    if (allFinal) this.finalMs = Math.max(this.finalMs, processed);
    if (marker) finals.push({ text: marker, is_final: true });
    this.total = Math.max(this.total, processed);
    const tailKey = JSON.stringify(tail);
    if (finals.length || tailKey !== this.lastTail) {
      this.lastTail = tailKey;
      this.send({
        tokens: [...finals, ...tail],
        final_audio_proc_ms: this.finalMs,
        total_audio_proc_ms: this.total,
      });
    }
  }

  /** Carries out a script's actions in order (an error or a drop ends the session). */
  private perform(actions: ScriptAction[]): void {
    for (const action of actions) {
      if (this.ended) return;
      if ('send' in action) this.send(action.send);
      else if ('error' in action)
        this.fail(
          action.error.code,
          action.error.message,
          action.error.type,
          action.error.type !== undefined,
        );
      else {
        this.stop();
        this.ws.terminate();
      }
    }
  }

  private finish(): void {
    if (this.record) this.record.endOfAudio = true;
    if (this.runner) {
      this.perform(this.runner.onEnd());
      this.stop();
      this.ws.close(1000);
      return;
    }
    this.emit('finish');
    const processed = this.recognizer?.receivedMs ?? 0;
    this.send({
      tokens: [],
      final_audio_proc_ms: processed,
      total_audio_proc_ms: processed,
      finished: true,
    });
    this.stop();
    this.ws.close(1000);
  }
}

/**
 * The mock's WebSocket half (docs/api.md §8): `/transcribe-websocket` on the REST server's
 * port. Authenticates by upgrade header, subprotocol or first-message key; validates the config;
 * turns audio into results (final tokens once, the non-final tail repeated), `<fin>` on
 * finalize, `<end>` after silence, `finished` on the empty frame; closes idle sessions; and
 * injects the session faults of contracts.ts.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { validate } from '../schemas';
import {
  CONTAINER_AUDIO_FORMATS,
  RAW_AUDIO_FORMATS,
  type RealtimeConfig,
  type RealtimeMessage,
  type RealtimeToken,
} from '../types';
import type { MockServerOptions, MockStateView, WsFault } from './contracts';
import { LiveRecognizer, UnsupportedAudioError, type LiveWord } from './live-recognizer';
import type { RateLimiter } from './rate-limit';

/** What `attachRealtime` needs from the rest of the mock. */
export interface RealtimeAttachOptions {
  state: MockStateView;
  options: MockServerOptions;
  /** The fault for a new session (consumes one of its `times`). */
  faults: () => WsFault | undefined;
  /** Realtime session limits (concurrent, per minute). */
  limiter: RateLimiter;
}

const PATH = '/transcribe-websocket';
/** A word turns final once this much audio has followed its end. */
const FINAL_LAG_MS = 300;
const TICK_MS = 100;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  402: 'payment_required',
  408: 'request_timeout',
  429: 'limit_exceeded',
  500: 'internal_error',
  503: 'service_unavailable',
};
const ERROR_MESSAGES: Record<number, string> = {
  401: 'Invalid API key.',
  402: 'Organization balance exhausted.',
  408: 'Request timeout.',
  429: 'Rate limit exceeded.',
  500: 'Internal server error.',
  503: 'Cannot continue request (code 1). Please restart the request.',
};

/** One realtime session. */
class Session {
  private config: RealtimeConfig | undefined;
  private recognizer: LiveRecognizer | undefined;
  private readonly fault: WsFault | undefined;
  private faultFired = false;
  private finalCount = 0;
  private finalMs = 0;
  private lastTail = '';
  private startedAt = 0;
  private idle: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private ended = false;
  /** Whether this session holds a slot of its key in the limiter (released on stop). */
  private admitted = false;
  private key: string | undefined;
  private readonly requestId = randomUUID();

  constructor(
    private readonly ws: WebSocket,
    private readonly headerKey: string | undefined,
    private readonly opts: RealtimeAttachOptions,
  ) {
    this.fault = opts.faults();
    ws.on('message', (data, isBinary) => this.guarded(() => this.onMessage(data, isBinary)));
    ws.on('close', () => this.stop());
    ws.on('error', () => this.stop());
    this.armIdle();
  }

  /** Ends the session at once (server close). */
  stop(): void {
    this.ended = true;
    clearTimeout(this.idle);
    clearInterval(this.ticker);
    if (this.admitted) this.opts.limiter.sessionEnded(this.key);
    this.admitted = false;
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

  private send(message: RealtimeMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(message);
    this.opts.options.onRealtimeSend?.({
      sessionId: this.requestId,
      message,
      sentAt: performance.now(),
    });
    this.ws.send(text);
  }

  private fail(
    code: number,
    message = ERROR_MESSAGES[code] ?? 'Invalid request.',
    errorType = ERROR_TYPES[code] ?? 'invalid_request',
  ): void {
    if (this.ended) return;
    this.send({
      tokens: [],
      error_code: code,
      error_type: errorType,
      error_message: message,
      more_info: `https://soniox.com/docs/api-reference/errors#${errorType.replace(/_/g, '-')}`,
      request_id: this.requestId,
    });
    this.stop();
    this.ws.close(code >= 500 ? 1011 : 1000);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    if (!this.config) return this.start(bytes, isBinary);
    this.armIdle();
    if (bytes.length === 0) return this.finish();
    if (isBinary) return this.audio(bytes);
    let control: { type?: unknown; trailing_silence_ms?: unknown };
    try {
      control = JSON.parse(bytes.toString('utf8')) as typeof control;
    } catch {
      return this.fail(400, 'Invalid message: expected JSON or binary audio.');
    }
    if (control.type === 'keepalive') return;
    if (control.type === 'finalize') return this.emit('finalize');
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
    const key = this.headerKey ?? config.api_key;
    if (!this.opts.state.acceptsKey(key, 'websocket')) return this.fail(401);
    this.opts.state.useKey(key as string);
    const admission = this.opts.limiter.sessionStart(key);
    if (!admission.allowed) return this.fail(429, admission.message, admission.errorType);
    this.admitted = true;
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
    this.recognizer = new LiveRecognizer(
      { audioFormat: format, sampleRate: config.sample_rate, numChannels: config.num_channels },
      this.opts.options.fixturesDir,
    );
    if (this.pacing)
      this.ticker = setInterval(() => this.guarded(() => this.emit('tick')), TICK_MS);
    this.checkFault();
  }

  private audio(bytes: Buffer): void {
    const recognizer = this.recognizer as LiveRecognizer;
    if (this.startedAt === 0) this.startedAt = Date.now();
    recognizer.feed(bytes);
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
    const t: RealtimeToken = {
      text: first ? w.text : ` ${w.text}`,
      start_ms: Math.max(0, w.start_ms),
      end_ms: w.end_ms,
      confidence: w.confidence,
      is_final: isFinal,
    };
    if (this.config?.enable_speaker_diarization) t.speaker = '1';
    if (this.config?.enable_language_identification) t.language = 'en';
    return t;
  }

  /** Sends what changed: new finals first, then the non-final tail; plus `<fin>`/`<end>`. */
  private emit(reason: 'tick' | 'finalize' | 'finish'): void {
    const recognizer = this.recognizer;
    if (!recognizer || this.ended) return;
    const processed = reason === 'tick' ? this.processedMs() : recognizer.receivedMs;
    // Only words not yet final matter: earlier ones were sent once and never again.
    const words = recognizer.wordsBefore(processed, this.finalCount);
    const delay = this.config?.max_endpoint_delay_ms ?? 2000;
    const endpoint =
      reason === 'tick' &&
      this.config?.enable_endpoint_detection === true &&
      processed === recognizer.receivedMs &&
      recognizer.endpointDue(delay);
    const allFinal = reason !== 'tick' || endpoint;
    const finals: RealtimeToken[] = [];
    const tail: RealtimeToken[] = [];
    let stillFinal = true;
    words.forEach((w, k) => {
      const first = this.finalCount + k === 0;
      // Finals are a prefix: once one word is not final, none after it is.
      stillFinal = stillFinal && (allFinal || w.end_ms + FINAL_LAG_MS <= processed);
      if (stillFinal) finals.push(this.token(w, true, first));
      else tail.push(this.token(w, false, first));
    });
    this.finalCount += finals.length;
    const lastFinal = finals.at(-1);
    if (lastFinal) this.finalMs = Math.max(this.finalMs, lastFinal.end_ms as number);
    if (allFinal) this.finalMs = Math.max(this.finalMs, processed);
    if (reason === 'finalize') finals.push({ text: '<fin>', is_final: true });
    if (endpoint) {
      recognizer.endpointEmitted();
      finals.push({ text: '<end>', is_final: true });
    }
    const tailKey = JSON.stringify(tail);
    if (finals.length || tailKey !== this.lastTail) {
      this.lastTail = tailKey;
      this.send({
        tokens: [...finals, ...tail],
        final_audio_proc_ms: this.finalMs,
        total_audio_proc_ms: processed,
      });
    }
  }

  private finish(): void {
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

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Serves realtime sessions on `server`'s upgrade requests. */
export function attachRealtime(
  server: http.Server,
  opts: RealtimeAttachOptions,
): { close(): Promise<void> } {
  const sessions = new Set<Session>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('soniox-api-key') ? 'soniox-api-key' : false),
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!URL.canParse(req.url ?? '/', 'http://mock')) return reject(socket, 400, 'Bad Request');
    const url = new URL(req.url ?? '/', 'http://mock');
    if (url.pathname !== PATH) return reject(socket, 404, 'Not Found');
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocolKey = protocols[0] === 'soniox-api-key' ? protocols[1] : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => {
      opts.state.hit('WS /transcribe-websocket');
      const session = new Session(ws, auth?.[1]?.trim() ?? protocolKey, opts);
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.stop();
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * The simulated async lifecycle: queued -> processing -> completed | error, on timers (the
 * global setTimeout, so sinon fake timers drive it in specs), then the webhook delivery.
 */
import http from 'node:http';
import type { MockTiming } from './contracts';
import type { MockState, StoredTranscription } from './state';
import type { AudioAnalysis } from './recognizer';

/** Webhook delivery attempts and the pause between them (documented in docs/testing.md). */
export const WEBHOOK_ATTEMPTS = 3;
export const WEBHOOK_RETRY_MS = 200;
const WEBHOOK_TIMEOUT_MS = 5_000;
// URL keeps the brackets of an IPv6 hostname: `http://[::1]:80/` has hostname `[::1]`.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Runs a job's analysis; an exception (a bug, or input no check foresaw) fails the job as the
 * API would, instead of escaping from a timer and killing the mock.
 */
function safely(analysis: () => AudioAnalysis): AudioAnalysis {
  try {
    return analysis();
  } catch {
    return {
      durationMs: 0,
      tokens: [],
      error: { type: 'internal_error', message: 'Internal error while processing the audio.' },
    };
  }
}

/** Drives transcriptions through their states and delivers webhooks. */
export class Lifecycle {
  /** Secrets of webhook headers, kept apart from the (masked) transcription object. */
  private readonly webhookSecrets = new Map<string, string>();
  /** Webhook deliveries in flight, aborted on close. */
  private readonly deliveries = new Set<http.ClientRequest>();
  private closed = false;

  constructor(
    private readonly state: MockState,
    private readonly timing: Required<MockTiming>,
  ) {}

  /** Starts a job: `analysis` decides its duration and outcome. */
  start(
    job: StoredTranscription,
    analysis: () => AudioAnalysis,
    webhookHeaderValue: string | undefined,
  ): void {
    const t = job.transcription;
    if (webhookHeaderValue !== undefined) this.webhookSecrets.set(t.id, webhookHeaderValue);
    job.timers.push(
      setTimeout(() => {
        const result = safely(analysis);
        t.status = 'processing';
        t.audio_duration_ms = result.durationMs;
        job.timers.push(
          setTimeout(() => {
            if (result.error) {
              t.status = 'error';
              t.error_type = result.error.type;
              t.error_message = result.error.message;
            } else {
              t.status = 'completed';
              job.tokens = result.tokens;
              this.state.usage.record({
                scope: 'stt_async',
                model: t.model,
                clientReferenceId: t.client_reference_id,
                startMs: Date.parse(t.created_at),
                endMs: Date.now(),
                audioMs: result.durationMs,
                outputTokens: result.tokens.length,
              });
            }
            this.deliverWebhook(job, 1);
          }, this.timing.processingMs),
        );
      }, this.timing.queuedMs),
    );
  }

  /** Stops for good: aborts webhook deliveries in flight; no retry is scheduled after this. */
  close(): void {
    this.closed = true;
    for (const req of this.deliveries) req.destroy();
    this.deliveries.clear();
  }

  /** Forgets a deleted job's secret. */
  forget(id: string): void {
    this.webhookSecrets.delete(id);
  }

  private deliverWebhook(job: StoredTranscription, attempt: number): void {
    const t = job.transcription;
    if (!t.webhook_url || this.closed) return;
    let url: URL;
    try {
      url = new URL(t.webhook_url);
    } catch {
      return;
    }
    // The mock never calls out of the machine.
    if (!LOOPBACK.has(url.hostname) || url.protocol !== 'http:') return;
    const body = JSON.stringify({ id: t.id, status: t.status });
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    };
    const secret = this.webhookSecrets.get(t.id);
    if (t.webhook_auth_header_name && secret !== undefined)
      headers[t.webhook_auth_header_name] = secret;
    const retry = () => {
      if (attempt < WEBHOOK_ATTEMPTS && !this.closed && this.state.transcriptions.has(t.id)) {
        job.timers.push(setTimeout(() => this.deliverWebhook(job, attempt + 1), WEBHOOK_RETRY_MS));
      }
    };
    const req = http.request(
      url,
      { method: 'POST', headers, timeout: WEBHOOK_TIMEOUT_MS, agent: false },
      (res) => {
        res.resume();
        t.webhook_status_code = res.statusCode ?? null;
        if (!res.statusCode || res.statusCode >= 300) retry();
      },
    );
    this.deliveries.add(req);
    req.on('close', () => this.deliveries.delete(req));
    req.on('timeout', () => req.destroy(new Error('webhook timed out')));
    req.on('error', retry);
    req.end(body);
  }
}

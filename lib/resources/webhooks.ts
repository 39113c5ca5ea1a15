/**
 * Webhooks (docs/api.md §10): Soniox POSTs `{"id","status"}` to your `webhook_url` with the
 * auth header you configured. There is no signature: verification is that header's value,
 * compared in constant time. `handler()` serves Node http, Express and Fetch `Request`s.
 */

import { SonioxConfigError, SonioxValidationError, type FieldIssue } from '../errors';
import type { CallOptions } from '../http/transport';
import type { Transcript, Transcription, WebhookEvent } from '../types';
import { isObject, rejectConfigIssues, unknownNameIssues } from '../internal/issues';
import type { Transcriptions } from './transcriptions';
import {
  BodyTooLarge,
  BodyAlreadyRead,
  bindAdapters,
  type WebhookAnswer,
  type WebhookHandler,
  type WebhookHeaders,
} from './webhook-adapters';
import { webhookUrl, type WebhookQuery } from './webhook-url';
import { WebhookArrivals, type WebhookArrivalSource } from './webhook-arrivals';
import { nodeCrypto } from '../internal/node-builtins';

export type {
  WebhookAnswer,
  WebhookHandler,
  WebhookHeaders,
  WebhookRequest,
  FastifyLikeReply,
  FastifyLikeRequest,
  KoaLikeContext,
} from './webhook-adapters';

/** The header Soniox was told to send (`webhook_auth_header_name`), and its expected value. */
export interface WebhookAuth {
  name: string;
  secret: string;
}

/** Options of `handler()`. */
export interface WebhookHandlerOptions {
  /**
   * Required header; requests without the right value get 401. Defaults to the environment's
   * SONIOX_API_WEBHOOK_HEADER and SONIOX_API_WEBHOOK_SECRET when both are set (as the official
   * SDK does); without either, requests are not authenticated.
   */
  auth?: WebhookAuth;
  /** Called once per valid event; a rejection answers 500 so Soniox retries. */
  onEvent: (event: WebhookDelivery) => void | Promise<void>;
  /** Told why `onEvent` failed (the answer is 500 either way), e.g. to log it. */
  onError?: (error: unknown) => void;
  /** Largest body read (default 64 KiB); larger answers 413. */
  maxBodyBytes?: number;
}

/** A webhook event as `onEvent` gets it: `{ id, status }`, plus calls that fetch its results. */
export interface WebhookDelivery extends WebhookEvent {
  /** The transcription (`transcriptions.get`) through the client that made the handler. */
  transcription(options?: CallOptions): Promise<Transcription>;
  /** Its transcript (`transcriptions.getTranscript`); rejects with 409 unless it completed. */
  transcript(options?: CallOptions): Promise<Transcript>;
}

/** Default `maxBodyBytes`: the real payload is under 100 bytes. */
export const DEFAULT_MAX_WEBHOOK_BODY = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An HTTP token (RFC 9110 §5.6.2): what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | string[] | undefined>,
  )) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const digest = (value: string) => nodeCrypto().createHash('sha256').update(value).digest();

/** The configured auth, else the environment's pair (undefined: none). */
function chosenAuth(auth: WebhookAuth | undefined): WebhookAuth | undefined {
  const env = process.env;
  return (
    auth ??
    (env.SONIOX_API_WEBHOOK_HEADER && env.SONIOX_API_WEBHOOK_SECRET
      ? { name: env.SONIOX_API_WEBHOOK_HEADER, secret: env.SONIOX_API_WEBHOOK_SECRET }
      : undefined)
  );
}

/** The issues of the auth chosen, so that a blank secret cannot match a blank header. */
function authIssues(chosen: WebhookAuth | undefined, required: boolean): FieldIssue[] {
  const field = 'webhookAuth';
  if (chosen === undefined) {
    const message =
      'webhook auth is missing: pass { name, secret } or set SONIOX_API_WEBHOOK_HEADER and SONIOX_API_WEBHOOK_SECRET';
    return required ? [{ field, message }] : [];
  }
  // The messages name the field only: the secret never appears in an error.
  const issues: FieldIssue[] = [];
  if (typeof chosen.name !== 'string' || !HEADER_NAME.test(chosen.name))
    issues.push({ field, message: 'webhook auth name must be a valid HTTP header name' });
  if (typeof chosen.secret !== 'string' || chosen.secret === '')
    issues.push({ field, message: 'webhook auth secret must be a non-empty string' });
  return issues;
}

/** The auth chosen, checked (throws one SonioxConfigError naming every problem). */
function resolveAuth(auth: WebhookAuth | undefined, required: boolean): WebhookAuth | undefined {
  const chosen = chosenAuth(auth);
  rejectConfigIssues(authIssues(chosen, required));
  return chosen;
}

const HANDLER_OPTIONS: Record<keyof WebhookHandlerOptions, true> = {
  auth: true,
  onEvent: true,
  onError: true,
  maxBodyBytes: true,
};

/** The issues of the handler options; each message names its option. */
function handlerOptionIssues(options: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = unknownNameIssues(options, HANDLER_OPTIONS);
  if (typeof options.onEvent !== 'function')
    issues.push({ field: 'onEvent', message: 'onEvent must be a function' });
  if (options.onError !== undefined && typeof options.onError !== 'function')
    issues.push({ field: 'onError', message: 'onError must be a function' });
  // Named as `resolveAuth` names it (the environment's pair is the same option).
  const { auth, maxBodyBytes } = options;
  if (auth !== undefined && (auth === null || typeof auth !== 'object'))
    issues.push({ field: 'webhookAuth', message: 'webhook auth must be { name, secret }' });
  else issues.push(...authIssues(chosenAuth(auth as WebhookAuth | undefined), false));
  // null is left out too (the default), as `??` reads it.
  const limit = maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY;
  if (!Number.isSafeInteger(limit) || (limit as number) < 1)
    issues.push({ field: 'maxBodyBytes', message: 'maxBodyBytes must be a positive integer' });
  return issues;
}

/** Throws one SonioxConfigError naming every bad handler option, when the handler is made (not on the first delivery). */
function assertHandlerOptions(options: unknown): asserts options is WebhookHandlerOptions {
  if (!isObject(options))
    throw new SonioxConfigError(
      'options',
      'webhooks.handler: options must be an object such as { onEvent: (event) => ... }',
    );
  rejectConfigIssues(handlerOptionIssues(options), 'webhooks.handler: ');
}

/** `client.webhooks`: verification, parsing and a ready-made handler. No network. */
export class Webhooks implements WebhookArrivalSource {
  readonly #arrivals = new WebhookArrivals();

  /** `transcriptions`: what an event's `transcript()` and `transcription()` call (the client's). */
  constructor(private readonly transcriptions?: Transcriptions) {}

  /**
   * Announces a delivery you verified yourself (the handler announces its own) to the
   * `transcriptions.wait(id, { webhook: client.webhooks })` expecting it; returns false for a
   * duplicate (an id already announced), which is dropped.
   */
  notify(event: WebhookEvent): boolean {
    return this.#arrivals.notify(event);
  }

  /** The first delivery for `id` (see `notify`); rejects when `signal` aborts. */
  arrival(id: string, signal: AbortSignal): Promise<WebhookEvent> {
    return this.#arrivals.arrival(id, signal);
  }

  /**
   * A `webhook_url` carrying your own query parameters (kept by Soniox as they are), checked
   * against the API's limits. Throws SonioxValidationError.
   */
  url(base: string, query?: WebhookQuery): string {
    return webhookUrl(base, query);
  }

  /**
   * Whether `headers` carry `auth.secret` in the header `auth.name` (name case-insensitive).
   * Both values are hashed first, so the constant-time compare leaks neither content nor length.
   * `auth` defaults to SONIOX_API_WEBHOOK_HEADER / SONIOX_API_WEBHOOK_SECRET; throws SonioxConfigError without one.
   */
  verify(headers: WebhookHeaders, auth?: WebhookAuth): boolean {
    if (headers === null || typeof headers !== 'object')
      throw new SonioxValidationError(
        'webhooks.verify: headers must be an object (req.headers, a Headers, or a plain object)',
        [{ field: 'headers', message: 'must be an object' }],
      );
    const { name, secret } = resolveAuth(auth, true) as WebhookAuth;
    const got = headerValue(headers, name);
    if (got === undefined) return false;
    return nodeCrypto().timingSafeEqual(digest(got), digest(secret));
  }

  /**
   * Parses and checks a webhook body (a string, bytes, or an object a framework already
   * parsed): `{ id: uuid, status: string }`, extra fields dropped. Throws SonioxValidationError.
   */
  parse(body: unknown): WebhookEvent {
    let value = body;
    if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
      const text =
        typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8');
      try {
        value = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        throw new SonioxValidationError('webhook body is not valid JSON', [
          { field: '(body)', message: 'not JSON' },
        ]);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SonioxValidationError('webhook body must be a JSON object', [
        { field: '(body)', message: 'not an object' },
      ]);
    }
    const event = value as Partial<Record<keyof WebhookEvent, unknown>>;
    const issues: FieldIssue[] = [];
    if (typeof event.id !== 'string' || !UUID.test(event.id))
      issues.push({ field: 'id', message: 'must be a transcription id (uuid)' });
    if (typeof event.status !== 'string' || event.status === '')
      issues.push({ field: 'status', message: 'must be a non-empty string' });
    if (issues.length)
      throw new SonioxValidationError(
        `invalid webhook body: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
    return { id: event.id as string, status: event.status as string };
  }

  /**
   * A handler for Node http, Express and NestJS (`(req, res, next?)`: a body the framework
   * already read, in `req.rawBody` or `req.body`, is used as is), with `.fetch(request)` for
   * Fetch-style runtimes (Hono: `(c) => handler.fetch(c.req.raw)`), `.fastify` and `.koa`
   * adapters, and `.handle({ method, headers, body })` for any other framework. Answers 405 to non-POST, 401 to a wrong header, 413 past
   * `maxBodyBytes`, 400 to a bad body, 500 when `onEvent` fails (Soniox retries), else 200.
   * Throws SonioxConfigError for a malformed `auth`.
   */
  handler(options: WebhookHandlerOptions): WebhookHandler {
    assertHandlerOptions(options);
    // Past the checks: the auth (given or the environment's) and the limit are sound.
    const auth = chosenAuth(options.auth);
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY;

    const decide = async (
      method: string,
      headers: WebhookHeaders,
      read: () => Promise<unknown>,
    ): Promise<WebhookAnswer> => {
      // Loosely typed callers (plain JavaScript, `handle()`) may pass anything: an answer, never a throw.
      if (typeof method !== 'string')
        return { status: 400, body: 'bad request: the method is missing' };
      if (method.toUpperCase() !== 'POST')
        return { status: 405, body: 'method not allowed', headers: { Allow: 'POST' } };
      // No headers object: no header can carry the secret.
      const hasHeaders = headers !== null && typeof headers === 'object';
      if (auth && !(hasHeaders && this.verify(headers, auth)))
        return { status: 401, body: 'unauthorized' };
      let event: WebhookEvent;
      try {
        event = this.parse(await read());
      } catch (error) {
        if (error instanceof BodyTooLarge)
          return { status: 413, body: 'body too large', headers: { Connection: 'close' } };
        if (error instanceof BodyAlreadyRead) return { status: 400, body: error.message };
        // Parse messages name fields only; a read error (client gone) gets a fixed text.
        return {
          status: 400,
          body: error instanceof SonioxValidationError ? error.message : 'could not read the body',
        };
      }
      // Verified: a wait expecting this job may end now, whatever onEvent does with it.
      this.notify(event);
      try {
        await options.onEvent(this.delivery(event));
      } catch (error) {
        try {
          options.onError?.(error);
        } catch {
          // A failing logger must not turn the 500 into a crash.
        }
        return { status: 500, body: 'event handler failed' };
      }
      return { status: 200, body: 'ok' };
    };

    return bindAdapters(decide, limit);
  }

  /** The event with its fetch calls, kept non-enumerable so it still logs and serialises as `{ id, status }`. */
  private delivery(event: WebhookEvent): WebhookDelivery {
    const transcriptions = this.transcriptions;
    const need = (): Transcriptions => {
      if (!transcriptions)
        throw new SonioxConfigError(
          'webhooks',
          'this Webhooks has no client: use client.webhooks.handler() to fetch results from an event',
        );
      return transcriptions;
    };
    return Object.defineProperties(event, {
      transcription: {
        value: (options?: CallOptions) => need().get(event.id, options),
        enumerable: false,
      },
      transcript: {
        value: (options?: CallOptions) => need().getTranscript(event.id, options),
        enumerable: false,
      },
    }) as WebhookDelivery;
  }
}

/**
 * The local mock Soniox server (`soniox-pro-sdk/mock`): REST and WebSocket on one loopback
 * port, faithful to docs/api.md, with fault injection, or answering from recorded cassettes
 * (`replay`). Imports nothing of the client except lib/types, lib/schemas, lib/audio and
 * lib/cassette.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { MockFaults, MockServerOptions } from './contracts';
import { FaultBook } from './faults';
import { createRequestListener } from './http';
import { Lifecycle } from './lifecycle';
import { RateLimiter } from './rate-limit';
import { restRoutes } from './routes';
import {
  ScriptBook,
  type RealtimeScript,
  type ReceivedSession,
  type ReceivedTranscription,
  type TranscriptionScript,
} from './scripts';
import { MockState } from './state';
import { attachRealtime } from './ws';
import { ReplayBook } from './replay';
import { replayListener } from './replay-http';
import { attachReplay } from './replay-ws';

export * from './contracts';
export { parseFaultFlag } from './faults';
export type { SpokenWord } from './features';
export { MockState, type StoredFile, type StoredTranscription } from './state';
export type {
  RealtimeScript,
  RealtimeScriptStep,
  ReceivedSession,
  ReceivedTranscription,
  ScriptedToken,
  TranscriptionScript,
} from './scripts';
export {
  RateLimiter,
  type RateLimitCounters,
  type RateDecision,
  type SessionDecision,
} from './rate-limit';
export {
  loadFixtures,
  analyzeAudio,
  type FixtureAudio,
  type FixtureWord,
  type FixtureSegment,
  type AudioAnalysis,
} from './recognizer';
export type { ReplayOptions, ReplayPace } from './replay';
export type { UsageBook, UsageInput } from './usage';

/** A running mock server. */
export interface MockServer {
  /** REST origin without /v1, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** WebSocket URL, e.g. ws://127.0.0.1:PORT/transcribe-websocket. */
  realtimeURL: string;
  /** The key it accepts. */
  apiKey: string;
  /** Its state: stored files and transcriptions, hit counters per route (`state.hits`). */
  state: MockState;
  /** The rate limiter (`rateLimit` option); its `counters` say how many requests and sessions it refused. */
  rateLimiter: RateLimiter;
  /** Scripted answers for your own tests: per realtime session and per async file. */
  scripts: {
    /** Queues a script for the next realtime session (or the one with its `clientReferenceId`). */
    realtime(script: RealtimeScript): void;
    /** Answers transcriptions of a file name (or all) as scripted, until `clear()`. */
    transcription(script: TranscriptionScript): void;
    /** Drops every script and the record in `received`. */
    clear(): void;
  };
  /** What the mock received: realtime sessions (start, audio, controls) and transcription requests. */
  received: { sessions: ReceivedSession[]; transcriptions: ReceivedTranscription[] };
  /** Replaces the injected faults. */
  setFaults(faults: MockFaults): void;
  /** With the `replay` option: the requests that had no recording, in order (else undefined). */
  replay: { readonly misses: readonly string[] } | undefined;
  /** Stops listening, drops every connection and timer; resolves when the port is closed. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts a mock server on loopback (port 0 by default: any free port). */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the mock server binds loopback only, not ${host}`);
  const apiKey = options.apiKey ?? 'mock-api-key';
  const state = new MockState(apiKey, options.seed);
  const faults = new FaultBook(options.faults, state.random);
  const timers = new Set<NodeJS.Timeout>();
  const lifecycle = new Lifecycle(state, {
    queuedMs: options.timing?.queuedMs ?? 50,
    processingMs: options.timing?.processingMs ?? 100,
  });
  const rateLimiter = new RateLimiter(options.rateLimit);
  const scripts = new ScriptBook(options.receivedLimit);
  // Loaded before listening: a directory that holds no cassettes fails the start, naming why.
  const book = options.replay === undefined ? undefined : new ReplayBook(options.replay);
  const listener = book
    ? replayListener(book, apiKey)
    : createRequestListener(
        restRoutes(state, lifecycle, options.fixturesDir, options.limits, scripts, rateLimiter),
        state,
        faults,
        timers,
        rateLimiter,
      );
  const server = http.createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const realtime = book
    ? attachReplay(server, book, apiKey)
    : attachRealtime(server, {
        state,
        options,
        faults: () => faults.forSession(),
        limiter: rateLimiter,
        scripts,
      });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${host === '::1' ? '[::1]' : host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${origin}`,
    realtimeURL: `ws://${origin}/transcribe-websocket`,
    apiKey,
    state,
    rateLimiter,
    scripts: {
      realtime: (script) => scripts.addRealtime(script),
      transcription: (script) => scripts.addTranscription(script),
      clear: () => scripts.clear(),
    },
    received: scripts.received,
    setFaults: (f) => faults.set(f),
    replay: book && { misses: book.misses },
    close: () => {
      closing ??= (async () => {
        state.clearTimers();
        lifecycle.close();
        for (const timer of timers) clearTimeout(timer);
        await realtime.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

/**
 * The mock's in-memory state: files, transcriptions, temporary keys, hit counters, and a
 * seedable random source (ids, probabilistic faults) so runs can be reproduced.
 */
import { randomUUID } from 'node:crypto';
import type { SonioxFile, Transcription, TranscriptToken } from '../types';
import type { KeyPurpose, MockStateView } from './contracts';
import { modelIds } from './models';
import { UsageBook } from './usage';

/** A stored file: its metadata plus what the recognizer needs (never the content). */
export interface StoredFile extends SonioxFile {
  sha256: string;
  /** The first bytes (WAV header and a little audio). */
  head: Buffer;
}

/** A stored transcription with its result and pending timers. */
export interface StoredTranscription {
  transcription: Transcription;
  tokens: TranscriptToken[] | undefined;
  timers: NodeJS.Timeout[];
}

interface TemporaryKeyRecord {
  expiresAt: number;
  singleUse: boolean;
  used: boolean;
  /** `max_session_duration_seconds` in ms. */
  maxSessionMs: number | undefined;
  /** The key's `client_reference_id`: its sessions' attribution (docs/api.md §7). */
  clientReferenceId: string | null;
}

/** mulberry32: a tiny seedable PRNG (deterministic fault probabilities and ids). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything the mock remembers. Readable by tests through `server.state`. */
export class MockState implements MockStateView {
  readonly files = new Map<string, StoredFile>();
  readonly transcriptions = new Map<string, StoredTranscription>();
  /** Hits per route, e.g. `hits['GET /v1/files/:id']`. */
  readonly hits: Record<string, number> = {};
  /** REST requests being handled right now (every one settles, even when its client went away). */
  inFlight = 0;
  /** The random source of ids and probabilistic faults (seedable, so runs can be reproduced). */
  readonly random: () => number;
  /** Usage records and concurrency samples (the usage and concurrency routes). */
  readonly usage = new UsageBook(() => this.newId());
  private readonly temporaryKeys = new Map<string, TemporaryKeyRecord>();

  constructor(
    readonly apiKey: string,
    seed?: number,
  ) {
    this.random = seed === undefined ? Math.random : seededRandom(seed);
  }

  /** A fresh UUID (v4 layout; deterministic when the server was seeded). */
  newId(): string {
    if (this.random === Math.random) return randomUUID();
    const bytes = Buffer.from(Array.from({ length: 16 }, () => Math.floor(this.random() * 256)));
    bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x40, 6);
    bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Registers a temporary key (`maxSessionMs`: its session duration limit; `clientReferenceId`:
   * the reference its sessions are attributed to); returns it.
   */
  addTemporaryKey(
    expiresAt: number,
    singleUse: boolean,
    maxSessionMs?: number,
    clientReferenceId: string | null = null,
  ): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const key = `temp:${Array.from({ length: 26 }, () => alphabet[Math.floor(this.random() * alphabet.length)]).join('')}`;
    this.temporaryKeys.set(key, {
      expiresAt,
      singleUse,
      used: false,
      maxSessionMs,
      clientReferenceId,
    });
    return key;
  }

  acceptsKey(key: string | undefined, purpose: KeyPurpose): boolean {
    if (!key) return false;
    if (key === this.apiKey) return true;
    const temp = this.temporaryKeys.get(key);
    if (!temp || purpose !== 'websocket') return false;
    return Date.now() < temp.expiresAt && !(temp.singleUse && temp.used);
  }

  useKey(key: string): void {
    const temp = this.temporaryKeys.get(key);
    if (temp) temp.used = true;
  }

  /**
   * The reference a session on `key` is attributed to: a temporary key's own (the start
   * message's is ignored on a temporary key, docs/api.md §7), else `sent`.
   */
  sessionReference(key: string | undefined, sent: string | null | undefined): string | null {
    const temp = key === undefined ? undefined : this.temporaryKeys.get(key);
    return temp ? temp.clientReferenceId : (sent ?? null);
  }

  keySessionMs(key: string): number | undefined {
    return this.temporaryKeys.get(key)?.maxSessionMs;
  }

  hit(route: string): void {
    this.hits[route] = (this.hits[route] ?? 0) + 1;
  }

  realtimeModels(): string[] {
    return modelIds('real_time');
  }

  /** Bytes stored over all files. */
  storedBytes(): number {
    let total = 0;
    for (const f of this.files.values()) total += f.size;
    return total;
  }

  /** Transcriptions not yet ended. */
  pendingTranscriptions(): number {
    let n = 0;
    for (const t of this.transcriptions.values())
      if (t.transcription.status === 'queued' || t.transcription.status === 'processing') n++;
    return n;
  }

  /** Cancels every pending timer (server close). */
  clearTimers(): void {
    for (const t of this.transcriptions.values()) for (const timer of t.timers) clearTimeout(timer);
  }
}

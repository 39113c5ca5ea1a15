/**
 * Writes one cassette file: the REST exchanges and realtime sessions of one client, rewritten
 * whole after each addition (a crash keeps what was recorded; a test's few exchanges cost
 * nothing), through a temporary file and a rename so a reader never sees half a file.
 */

import fs from 'node:fs';
import path from 'node:path';
import {
  CASSETTE_FORMAT,
  type Cassette,
  type RecordedExchange,
  type RecordedSession,
} from './format';
import { redactSecrets } from './redact';

/** Records into `dir/<time>-<random>.json`; every value passes through the redaction first. */
export class CassetteWriter {
  /** The cassette file this writer writes. */
  readonly file: string;
  readonly #secrets: readonly string[];
  readonly #cassette: Cassette;
  readonly #startedAt = Date.now();

  /** `secrets` (the API key) are replaced by `[redacted]` wherever they would appear. */
  constructor(
    dir: string,
    secrets: readonly string[],
    origins: { baseURL: string; realtimeURL: string },
  ) {
    const recordedAt = new Date().toISOString();
    const stamp = recordedAt.replace(/[:.]/g, '-');
    this.file = path.join(dir, `${stamp}-${randomSuffix()}.json`);
    this.#secrets = secrets;
    this.#cassette = {
      format: CASSETTE_FORMAT,
      recordedAt,
      baseURL: origins.baseURL,
      realtimeURL: origins.realtimeURL,
      exchanges: [],
      sessions: [],
    };
  }

  /** Milliseconds since the recording started (the `atMs` of what is recorded next). */
  elapsedMs(): number {
    return Date.now() - this.#startedAt;
  }

  /** Adds an HTTP attempt and writes the file. */
  addExchange(exchange: RecordedExchange): void {
    this.#cassette.exchanges.push(this.#redacted(exchange));
    this.#write();
  }

  /**
   * Adds a realtime session and writes the file; given the `slot` an earlier call returned,
   * replaces that session instead (a session is written as it finishes, then as it closes).
   */
  saveSession(session: RecordedSession, slot?: number): number {
    const at = slot ?? this.#cassette.sessions.length;
    this.#cassette.sessions[at] = this.#redacted(session);
    this.#write();
    return at;
  }

  #redacted<T>(value: T): T {
    return redactSecrets(value, this.#secrets) as T;
  }

  /* eslint-disable security/detect-non-literal-fs-filename -- the directory the client was told to record to */
  #write(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(this.#cassette, null, 2)}\n`);
    fs.renameSync(temporary, this.file);
  }
  /* eslint-enable security/detect-non-literal-fs-filename */
}

/** Six hex digits for a cassette's name; node:crypto is required here, not at load (a package that records nothing never loads it for this). */
function randomSuffix(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above; cassette/ sits below lib/internal
  return (require('node:crypto') as typeof import('node:crypto')).randomBytes(3).toString('hex');
}

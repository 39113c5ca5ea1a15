/**
 * The library's own log: silent unless asked. `logger` is any object with debug/info/warn/error
 * (console, pino, winston); `logLevel` alone logs to the console. Each line starts `soniox: `
 * and never holds the API key (every text passes through `redact` first).
 */
import type { FieldIssue } from '../errors';

/** What the client logs to: console, pino, winston, or any object with the four methods. */
export interface Logger {
  /** Each attempt of a call and its answer. */
  debug(message: string): void;
  /** Not used by the SDK today; part of the shape every logger has. */
  info(message: string): void;
  /** A retry, a realtime reconnect. */
  warn(message: string): void;
  /** A call that gave up, a realtime session that failed. */
  error(message: string): void;
}

/** The least severe level logged (`off`: nothing). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** The levels in order of severity. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

/** The issues of the `logger` and `logLevel` options (collected, never thrown). */
export function logIssues(logger: unknown, level: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const methods = ['debug', 'info', 'warn', 'error'];
  const has = (name: string) => typeof (logger as Record<string, unknown>)[name] === 'function';
  if (
    logger !== undefined &&
    !(logger !== null && typeof logger === 'object' && methods.every(has))
  )
    issues.push({
      field: 'logger',
      message: 'logger must have debug, info, warn and error methods',
    });
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel))
    issues.push({ field: 'logLevel', message: `logLevel must be one of ${LOG_LEVELS.join(', ')}` });
  return issues;
}

/** A level-filtered, redacting writer of `soniox: ` lines; a no-op when the log is off. */
export type Log = (level: Exclude<LogLevel, 'off'>, message: string) => void;

/** The log of a client: undefined (silent) unless a logger or a level was given. */
export function makeLog(
  logger: Logger | undefined,
  level: LogLevel | undefined,
  secret: string,
): Log | undefined {
  if (logger === undefined && level === undefined) return undefined;
  const least = LOG_LEVELS.indexOf(level ?? 'info');
  const target: Logger = logger ?? console;
  return (at, message) => {
    if (LOG_LEVELS.indexOf(at) < least) return;
    const line = `soniox: ${secret ? message.split(secret).join('[redacted]') : message}`;
    try {
      target[at](line);
    } catch {
      // A failing logger must not fail the call it reports on.
    }
  };
}

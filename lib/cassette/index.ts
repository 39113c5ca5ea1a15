/**
 * Record and replay (docs/testing.md): the cassette format, its redaction, its writer and its
 * loader. Shared by the client and the mock, it imports neither.
 */
export * from './format';
export { redactSecrets } from './redact';
export { CassetteWriter } from './writer';
export { loadCassettes } from './load';

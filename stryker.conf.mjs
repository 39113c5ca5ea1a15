// Mutation testing (StrykerJS 9, outside `npm test`): one configuration, the target named by
// STRYKER_TARGET (`npm run mutate -- <target>` sets it; see scripts/mutate.js). Each target pairs
// the files it mutates with the specs that must kill their mutants. The command runner with a
// narrowed mocha is used because Stryker 9's mocha runner does not load with mocha 12.
import process from 'node:process';

const mocha = (timeout, bail, specs) =>
  [
    js
      ? `${BUILD} && node node_modules/mocha/bin/mocha.js --no-config`
      : 'node node_modules/mocha/bin/mocha.js --no-config',
    js ? '' : '--require ts-node/register/transpile-only --extension ts',
    `--timeout ${timeout} --reporter dot --exit${bail ? ' --bail' : ''}`,
    ...narrowed(specs).map((spec) => (js ? spec.replace(/\.ts$/, '.js') : spec)),
  ].join(' ');

/**
 * STRYKER_JS=1 compiles the sandbox's lib/, spec/ and fixtures/ to JavaScript beside their sources once, at
 * the dry run (esbuild, a few seconds), and runs mocha on the .js specs without ts-node: on
 * shared cores ts-node's load and compile were two thirds of a pure spec's CPU a mutant. The
 * sandbox's sources never change between mutants (Stryker picks one by environment variable), so
 * one build serves them all. A spec that does not run as compiled JavaScript fails the dry run.
 */
const js = process.env.STRYKER_JS === '1';
const BUILD =
  'test -f .stryker-js || { node_modules/.bin/esbuild $(find lib spec fixtures -name "*.ts" ! -name "*.d.ts")' +
  ' --outdir=. --outbase=. --format=cjs --platform=node --target=node20 --log-level=error' +
  // import() as require(), as TypeScript compiles it for CommonJS: Node's ESM loader needs extensions.
  ' --supported:dynamic-import=false' +
  ' && touch .stryker-js; }';

/**
 * STRYKER_SPECS (comma-separated) keeps only those of a target's specs, for a file whose
 * mutants only they reach: on shared cores a mutant of a one-file run then costs seconds, not
 * the whole list's load time. Fewer specs kill fewer mutants, so its score is a lower bound.
 */
const only = (process.env.STRYKER_SPECS ?? '').split(',').filter(Boolean);
function narrowed(specs) {
  return only.length === 0 ? specs : specs.filter((spec) => only.includes(spec));
}

/** target -> what it mutates and the specs run against each mutant. */
export const TARGETS = {
  // The realtime pure parts, against their unit specs.
  realtime: {
    mutate: [
      'lib/realtime/token-assembler.ts',
      'lib/realtime/reconnect.ts',
      'lib/realtime/protocol.ts',
      'lib/realtime/connection.ts',
    ],
    command: mocha(5000, false, [
      'spec/realtime/token-assembler.spec.ts',
      'spec/realtime/protocol.spec.ts',
      'spec/realtime/protocol-options.spec.ts',
      'spec/realtime/reconnect.spec.ts',
      'spec/realtime/reconnect-arithmetic.spec.ts',
      'spec/realtime/reconnector.spec.ts',
      'spec/realtime/connection.spec.ts',
    ]),
  },
  // The stream's small modules (pacing, phases, events, reconnect arithmetic, session starts,
  // translation pairing), against their fast unit specs: bail at the first failure, one mutant in seconds.
  pieces: {
    mutate: [
      'lib/realtime/pacer.ts',
      'lib/realtime/phase.ts',
      'lib/realtime/events.ts',
      'lib/realtime/reconnect.ts',
      'lib/realtime/session-starts.ts',
      'lib/realtime/translation.ts',
      'lib/transcript/translation.ts',
    ],
    command: mocha(5000, true, [
      'spec/realtime/session-starts.spec.ts',
      'spec/realtime/phase.spec.ts',
      'spec/realtime/reconnect-arithmetic.spec.ts',
      'spec/realtime/reconnector.spec.ts',
      'spec/realtime/pacer.spec.ts',
      'spec/transcript/translation.spec.ts',
      'spec/realtime/translation-book.spec.ts',
      'spec/realtime/translation.spec.ts',
      'spec/realtime/events.spec.ts',
      'spec/realtime/reconnect.spec.ts',
    ]),
  },
  // The stream's phase machine: scripted peers, scripted sockets, the mock server.
  stream: {
    // The pieces split from stream.ts (reconnect.ts's Reconnector, the surface, the write path,
    // the held failure, the link, the waiters, the opening, the read path, the wiring) are killed
    // by the same stream specs; the wiring's, the opening's and the read path's own specs run
    // first (fast, --bail).
    mutate: [
      'lib/realtime/stream.ts',
      'lib/realtime/opening.ts',
      'lib/realtime/intake.ts',
      'lib/realtime/surface.ts',
      'lib/realtime/audio-out.ts',
      'lib/realtime/held-failure.ts',
      'lib/realtime/session-link.ts',
      'lib/realtime/waiters.ts',
      'lib/realtime/markers.ts',
      'lib/realtime/reconnect.ts',
      'lib/realtime/wiring.ts',
    ],
    timeoutMS: 8000,
    command: mocha(3000, true, [
      'spec/realtime/wiring.spec.ts',
      'spec/realtime/surface.spec.ts',
      'spec/realtime/intake.spec.ts',
      'spec/realtime/opening.spec.ts',
      'spec/realtime/lifecycle.spec.ts',
      'spec/realtime/backpressure.spec.ts',
      'spec/realtime/audio-out.spec.ts',
      'spec/realtime/held-failure.spec.ts',
      'spec/realtime/stream.spec.ts',
      'spec/realtime/peer.spec.ts',
      'spec/realtime/reconnect.spec.ts',
      // The features stream.ts wires together since the split: ordered markers, the finish
      // deadline, handshake retries, typed errors, usage, session limits, proxies, translation
      // pairs and pacing. Without them a third of its mutants survived (2026-12-06).
      'spec/realtime/markers.spec.ts',
      'spec/realtime/order.spec.ts',
      'spec/realtime/finish-deadline.spec.ts',
      'spec/realtime/handshake.spec.ts',
      'spec/realtime/events.spec.ts',
      'spec/realtime/usage.spec.ts',
      'spec/realtime/session-limits.spec.ts',
      'spec/realtime/proxy.spec.ts',
      'spec/realtime/translation.spec.ts',
      'spec/realtime/pacing.spec.ts',
      // The tokens before a server's failure, and connect() on the server's verdict.
      'spec/realtime/server-error.spec.ts',
      'spec/realtime/acceptance.spec.ts',
    ]),
  },
  // The pure parts of lib/http and the helpers it shares from lib/internal: retry policy and
  // backoff, error mapping and the abort error, pagination, signal following.
  http: {
    mutate: [
      'lib/http/retry.ts',
      'lib/http/error-mapping.ts',
      'lib/http/pagination.ts',
      'lib/internal/follow-signal.ts',
      'lib/internal/backoff.ts',
      'lib/internal/abort-error.ts',
      'lib/http/failure-kind.ts',
    ],
    command: mocha(5000, false, [
      'spec/http/retry.spec.ts',
      'spec/http/error-mapping.spec.ts',
      'spec/http/failure-kind.spec.ts',
      'spec/http/pagination.spec.ts',
      'spec/internal/follow-signal.spec.ts',
      'spec/http/api-errors.spec.ts',
      'spec/errors.spec.ts',
    ]),
  },
  // Phone calls, split channels, saved audio (issue 29): their modules against their specs.
  telephony: {
    mutate: [
      'lib/realtime/media-stream-messages.ts',
      'lib/realtime/media-stream.ts',
      'lib/realtime/channel-merge.ts',
      'lib/realtime/channel-split.ts',
      'lib/realtime/save-audio.ts',
    ],
    // Real loopback sessions: a first connection under load may take seconds (the dry run).
    timeoutMS: 20000,
    command: mocha(15000, true, [
      'spec/realtime/media-stream.spec.ts',
      'spec/realtime/channel-split.spec.ts',
      'spec/realtime/save-audio.spec.ts',
    ]),
  },
  // Rollover past the session caps and pre-connected sockets (issue 29), with the stream's link
  // to the server they both go through, against their specs (scripted servers and the mock on
  // fake time: a mutant in seconds).
  rollover: {
    mutate: [
      'lib/realtime/rollover.ts',
      'lib/realtime/warm-pool.ts',
      'lib/realtime/session-link.ts',
    ],
    timeoutMS: 20000,
    command: mocha(15000, true, [
      'spec/realtime/rollover.spec.ts',
      'spec/realtime/preconnect.spec.ts',
    ]),
  },
  // The small parts split from stream.ts (the write path's callbacks, the held failure, the
  // waiters), against their unit specs: the `stream` target mutates them too, but a mutant
  // there runs the stream's whole suite.
  'stream-parts': {
    mutate: [
      'lib/realtime/audio-out.ts',
      'lib/realtime/held-failure.ts',
      'lib/realtime/waiters.ts',
    ],
    command: mocha(5000, true, [
      'spec/realtime/audio-out.spec.ts',
      'spec/realtime/held-failure.spec.ts',
    ]),
  },
  // The realtime parts that came without a score (issue 29): the finalize guard (control.ts)
  // and the client's session slots, against their own specs and the stream's over the wire.
  'realtime-new': {
    mutate: ['lib/realtime/control.ts', 'lib/realtime/session-slots.ts'],
    timeoutMS: 15000,
    command: mocha(10000, true, [
      'spec/realtime/finalize-guard.spec.ts',
      'spec/realtime/control.spec.ts',
      'spec/realtime/session-slots-unit.spec.ts',
      'spec/realtime/session-slots.spec.ts',
      'spec/realtime/session-limits.spec.ts',
    ]),
  },
  // Recording of sessions into a cassette (lib/realtime/record.ts), against the recording specs.
  record: {
    mutate: ['lib/realtime/record.ts'],
    timeoutMS: 20000,
    command: mocha(15000, true, [
      // The recording socket on a scripted socket and fake time first: a mutant in a second.
      'spec/realtime/record-socket.spec.ts',
      'spec/realtime/record.spec.ts',
      'spec/http/record.spec.ts',
      'spec/cassette/format.spec.ts',
    ]),
  },
  // The client's configuration and the checks it shares with every call (issue 27's moved code:
  // lib/internal's issues, hosts, headers and log, and lib/config.ts), against the pure config
  // specs first, then the header and logger specs over loopback.
  config: {
    mutate: [
      'lib/config.ts',
      'lib/internal/issues.ts',
      'lib/internal/hosts.ts',
      'lib/internal/headers.ts',
      'lib/internal/log.ts',
    ],
    timeoutMS: 15000,
    command: mocha(10000, true, [
      // Every option's check and default through resolveConfig alone: most of config.ts's mutants.
      'spec/config-checks.spec.ts',
      'spec/internal/hosts.spec.ts',
      'spec/internal/checks.spec.ts',
      'spec/config.spec.ts',
      'spec/config-bounds.spec.ts',
      'spec/config-env-hosts.spec.ts',
      'spec/option-checks.spec.ts',
      'spec/http/headers.spec.ts',
      'spec/http/logger.spec.ts',
    ]),
  },
  // The upload path: multipart encoding and upload sources.
  // lib/internal's timing and proxy helpers (backoff, sleep, the abort error, the proxy choice,
  // the adaptive limiter), against their pure unit specs on fake time: a mutant in seconds.
  internal: {
    mutate: [
      'lib/internal/backoff.ts',
      'lib/internal/sleep.ts',
      'lib/internal/abort-error.ts',
      'lib/internal/proxy.ts',
      'lib/internal/adaptive-rate.ts',
    ],
    command: mocha(5000, true, [
      'spec/internal/backoff.spec.ts',
      'spec/internal/sleep.spec.ts',
      'spec/internal/abort-error.spec.ts',
      'spec/internal/proxy-choice.spec.ts',
      'spec/internal/adaptive-rate.spec.ts',
    ]),
  },
  upload: {
    mutate: ['lib/http/multipart.ts', 'lib/http/upload-source.ts'],
    command: mocha(5000, true, [
      'spec/http/multipart.spec.ts',
      'spec/http/upload-source.spec.ts',
      'spec/resources/files.spec.ts',
      'spec/resources/upload-first-chunk.spec.ts',
    ]),
  },
  // The REST units: exactly-once lookups, the adaptive limiter, proxy choice (lib/internal), and the
  // error classes of a broken answer and an unknown outcome (their lines of lib/errors.ts).
  rest: {
    mutate: [
      'lib/http/exactly-once.ts',
      'lib/internal/adaptive-rate.ts',
      'lib/internal/proxy.ts',
      'lib/errors.ts:99-107',
      'lib/errors.ts:215-227',
    ],
    command: mocha(5000, true, [
      'spec/http/exactly-once-unit.spec.ts',
      'spec/internal/adaptive-rate.spec.ts',
      'spec/internal/proxy-choice.spec.ts',
      'spec/http/proxy.spec.ts',
      'spec/http/odd-2xx.spec.ts',
      'spec/errors.spec.ts',
      'spec/http/exactly-once.spec.ts',
      // The lookup's other over-the-wire specs: an untagged create (autoClientReferenceId
      // false) and the resend decided in the transport's one attempt loop.
      'spec/http/reference-opt-out.spec.ts',
      'spec/http/attempt-loop.spec.ts',
      'spec/http/rate-pacing.spec.ts',
    ]),
  },
  // Quota answers typed where API errors are made (lib/quota.ts), the batch gate that reads them
  // (isQuotaAnswer) and the error's read-only fields, against the API's documented answers and
  // the mock's.
  quota: {
    mutate: ['lib/quota.ts', 'lib/batch/quota.ts:25-28'],
    command: mocha(5000, true, ['spec/quota.spec.ts', 'spec/resources/quota.spec.ts']),
  },
  // The axios wiring and the units it calls in order, against their unit and over-the-wire specs.
  transport: {
    mutate: [
      'lib/http/transport.ts',
      'lib/http/call-options.ts',
      'lib/http/call-context.ts',
      'lib/http/hooks.ts',
      'lib/http/retry-decision.ts',
      'lib/http/response-body.ts',
      'lib/http/pool-stats.ts',
      'lib/http/json-adapter.ts',
      'lib/http/pool.ts',
    ],
    command: mocha(5000, true, [
      // The pool's agent and figures first: a unit spec, a mutant of pool.ts in seconds.
      'spec/http/pool.spec.ts',
      // The interceptors and the call's state against a loopback server, no client.
      'spec/http/hooks.spec.ts',
      'spec/http/call-context.spec.ts',
      'spec/http/retry-decision.spec.ts',
      'spec/http/response-body.spec.ts',
      'spec/http/adapter-seam.spec.ts',
      'spec/http/attempt-loop.spec.ts',
      'spec/http/json-path.spec.ts',
      'spec/http/json-adapter.spec.ts',
      'spec/http/transport.spec.ts',
      'spec/http/wire.spec.ts',
      'spec/http/odd-2xx.spec.ts',
      'spec/http/local-errors.spec.ts',
      'spec/http/api-errors.spec.ts',
      'spec/call-options.spec.ts',
      'spec/resources/upload-first-chunk.spec.ts',
      'spec/http/close.spec.ts',
      'spec/http/transport-facts.spec.ts',
      // The exactly-once lookup is decided in the transport's one retry loop.
      'spec/http/exactly-once.spec.ts',
    ]),
  },
  // The async job's steps (lib/job.ts), against their unit specs (the flows' specs, through
  // the whole of transcribe() and the batch, take minutes a mutant).
  job: {
    mutate: ['lib/job.ts'],
    command: mocha(5000, true, ['spec/job.spec.ts']),
  },
  // The transcript helpers (segments, subtitles, text, tokens, utterances, translation pairs),
  // against their unit specs; the realtime translation book reads the same pairs.
  transcript: {
    mutate: [
      'lib/transcript/segments.ts',
      'lib/transcript/sentences.ts',
      'lib/transcript/subtitles.ts',
      'lib/transcript/text.ts',
      'lib/transcript/tokens.ts',
      'lib/transcript/utterances.ts',
      'lib/transcript/translation.ts',
    ],
    command: mocha(5000, true, [
      'spec/transcript/segments.spec.ts',
      'spec/transcript/text.spec.ts',
      'spec/transcript/subtitles.spec.ts',
      'spec/transcript/subtitle-limits.spec.ts',
      'spec/transcript/sentences.spec.ts',
      'spec/transcript/sentence-ends.spec.ts',
      'spec/transcript/translation.spec.ts',
      'spec/transcript/utterances.spec.ts',
      'spec/transcript/utterance-ends.spec.ts',
      'spec/realtime/translation-book.spec.ts',
    ]),
  },
  // The batch's small units: the quota gate, progress figures and input identity, against
  // their own specs (no batch run, no journal: a mutant in seconds).
  batch: {
    mutate: ['lib/batch/quota.ts', 'lib/batch/progress.ts', 'lib/batch/identity.ts'],
    // Shared cores: a run under load must not pass for a mutant that hangs.
    timeoutMS: 20000,
    command: mocha(5000, true, [
      'spec/batch/quota-gate.spec.ts',
      'spec/batch/progress.spec.ts',
      'spec/batch/identity.spec.ts',
      'spec/quota.spec.ts',
    ]),
  },
  // The batch journal, its hash table and its lock, against their specs. The lock's exit spec
  // spawns a process, hence the longer timeout.
  'batch-journal': {
    mutate: ['lib/batch/hash-table.ts', 'lib/batch/journal.ts', 'lib/batch/lock.ts'],
    timeoutMS: 20000,
    command: mocha(20000, true, [
      'spec/batch/hash-table.spec.ts',
      'spec/batch/journal.spec.ts',
      'spec/batch/lock.spec.ts',
    ]),
  },
  // The batch's flow (one input's steps, the run, the lookups of a resumed run), against the
  // batch specs over the mock: slower, a mutant in tens of seconds.
  'batch-flow': {
    mutate: ['lib/batch/input.ts', 'lib/batch/run.ts', 'lib/batch/lookup.ts'],
    timeoutMS: 20000,
    command: mocha(20000, true, [
      // How an input ends (errors, skips, the journal's steps, owed cleanups): input.ts's own.
      'spec/batch/input-ends.spec.ts',
      'spec/batch/lookup.spec.ts',
      'spec/batch/input.spec.ts',
      'spec/batch/transcribe-many.spec.ts',
      // The driver's own: options, sources, stopping, memory (run.ts).
      'spec/batch/run.spec.ts',
      'spec/batch/resume.spec.ts',
      'spec/batch/safety.spec.ts',
      'spec/batch/identity.spec.ts',
      'spec/cli/batch-plan.spec.ts',
      // Each input a flow of the fair queue (input.ts's flow ticket); slow, so last.
      'spec/batch/fair-queue.spec.ts',
    ]),
  },
  // The mock's REST side (routes, bodies, uploads, errors, faults, the rate limiter, the state
  // and the jobs' lifecycle), against the mock's own specs over loopback.
  mock: {
    mutate: [
      'lib/mock/http.ts',
      'lib/mock/routes.ts',
      'lib/mock/rest-io.ts',
      'lib/mock/multipart.ts',
      'lib/mock/upload.ts',
      'lib/mock/api-error.ts',
      'lib/mock/rate-limit.ts',
      'lib/mock/faults.ts',
      'lib/mock/state.ts',
      'lib/mock/models.ts',
      'lib/mock/contracts.ts',
      'lib/mock/lifecycle.ts',
      'lib/mock/index.ts',
      'lib/mock/containers.ts',
      'lib/mock/validation-items.ts',
      'lib/mock/tts-models.ts',
      'lib/mock/usage.ts',
      'lib/mock/replay-http.ts',
      // Phone audio's envelope match: pure, its own spec (the realtime specs that reach it are slow).
      'lib/mock/envelope.ts',
    ],
    timeoutMS: 15000,
    command: mocha(10000, true, [
      'spec/mock/http.spec.ts',
      // Routes, the Bearer check and each fault on the wire: fast, narrow http.ts to it.
      'spec/mock/http-routing.spec.ts',
      'spec/mock/faults.spec.ts',
      'spec/mock/rate-limit.spec.ts',
      'spec/mock/catalogue.spec.ts',
      'spec/mock/speakers.spec.ts',
      'spec/mock/resilience.spec.ts',
      // The audio containers the mock reads, and the API's wording of validation errors.
      'spec/mock/containers.spec.ts',
      'spec/mock/validation-errors.spec.ts',
      // The documented routes and error bodies, the replayed REST half, phone audio's envelope
      // match (narrow with STRYKER_SPECS to the file at hand).
      'spec/mock/tts-models.spec.ts',
      'spec/mock/conformance.spec.ts',
      'spec/mock/replay.spec.ts',
      'spec/mock/phone-audio.spec.ts',
      'spec/mock/multipart.spec.ts',
      'spec/mock/api-error.spec.ts',
      'spec/mock/rest-io.spec.ts',
      'spec/mock/usage.spec.ts',
      'spec/mock/replay-http.spec.ts',
      'spec/mock/envelope.spec.ts',
      'spec/mock/state.spec.ts',
      'spec/mock/lifecycle.spec.ts',
      // POST /v1/files as a client sees it (what upload.ts stores and refuses).
      'spec/mock/upload.spec.ts',
      // The REST resources as a client meets them (what routes.ts answers).
      'spec/mock/routes.spec.ts',
    ]),
  },
  // The mock's realtime side and the recognizer behind both sides (split from `mock` to keep
  // each under an hour on 2 cores).
  'mock-ws': {
    mutate: [
      'lib/mock/ws.ts',
      'lib/mock/ws-upgrade.ts',
      'lib/mock/ws-session.ts',
      'lib/mock/live-recognizer.ts',
      'lib/mock/session-limits.ts',
      'lib/mock/scripts.ts',
      'lib/mock/features.ts',
      'lib/mock/recognizer.ts',
      'lib/mock/endpointing.ts',
      // Phone audio's decoding and the replay of recorded sessions (issue 33).
      'lib/mock/g711.ts',
      'lib/mock/replay.ts',
      'lib/mock/replay-ws.ts',
    ],
    timeoutMS: 15000,
    command: mocha(10000, true, [
      // The pure checks of features.ts first: a mutant they kill costs no session.
      'spec/mock/features.spec.ts',
      'spec/mock/feature-text.spec.ts',
      'spec/mock/live-recognizer.spec.ts',
      'spec/mock/recognizer.spec.ts',
      'spec/mock/recognizer-words.spec.ts',
      // One session as the WebSocket API documents it: the fastest spec that reaches ws-session.ts.
      'spec/mock/ws-session.spec.ts',
      'spec/mock/ws.spec.ts',
      'spec/mock/ws-upgrade.spec.ts',
      'spec/mock/endpoints.spec.ts',
      'spec/mock/languages.spec.ts',
      'spec/mock/speakers.spec.ts',
      'spec/mock/translation.spec.ts',
      'spec/mock/scripts.spec.ts',
      'spec/mock/limits.spec.ts',
      'spec/mock/resilience.spec.ts',
      'spec/mock/endpointing.spec.ts',
      // Phone audio, replayed sessions, the session limits, the error frames (issue 33).
      'spec/mock/phone-audio.spec.ts',
      'spec/mock/replay.spec.ts',
      'spec/mock/replay-sessions.spec.ts',
      'spec/mock/script-steps.spec.ts',
      'spec/mock/session-limits.spec.ts',
      'spec/mock/error-frames.spec.ts',
      'spec/mock/context.spec.ts',
      'spec/mock/undecodable.spec.ts',
    ]),
  },
};

const name = process.env.STRYKER_TARGET ?? '';
const target = TARGETS[name];
if (!target) {
  throw new Error(
    `STRYKER_TARGET must be one of ${Object.keys(TARGETS).join(', ')} (got '${name}')`,
  );
}
const unknown = only.filter(
  (spec) => !target.command.includes(` ${js ? spec.replace(/\.ts$/, '.js') : spec}`),
);
if (unknown.length > 0) {
  throw new Error(`STRYKER_SPECS not in the ${name} target: ${unknown.join(', ')}`);
}

export default {
  testRunner: 'command',
  commandRunner: { command: target.command },
  mutate: target.mutate,
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: target.timeoutMS ?? 10000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  tempDirName: `.stryker-tmp-${name}`,
  // Another run's sandbox (a second run at once has its own --tempDirName) is no source to copy.
  ignorePatterns: ['dist', 'coverage', '.nyc_output', 'reports', '.stryker-tmp*'],
  cleanTempDir: 'always',
};

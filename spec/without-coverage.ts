/**
 * Children of the specs that run none of lib/, spawned without nyc. Under `nyc mocha`, every
 * child process gets nyc's preload through NODE_OPTIONS (node-preload, added by a spawn hook
 * whatever `env` the spec passes): it loads nyc, hooks `require` and writes a coverage file
 * that the report then merges, about 0.3 s of CPU a child (1 to 2.5 s for npm or a child
 * mocha), for nothing when the child runs no lib/ code (npm, a `node -e` script, scripts/*.js).
 * `env -u NODE_OPTIONS` drops it after the hook has added it; `env` execs the command, so the
 * child keeps its pid. Outside nyc the command is run as it is. A child that runs lib/ code
 * (the CLI, a journal) stays under nyc: what it covers counts.
 */

/** The command and arguments to spawn `command args` without nyc's preload under nyc. */
export function withoutCoverage(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): [string, string[]] {
  if (env.NYC_CONFIG === undefined) return [command, [...args]];
  return ['env', ['-u', 'NODE_OPTIONS', command, ...args]];
}

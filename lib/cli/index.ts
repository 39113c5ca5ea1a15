#!/usr/bin/env node
/**
 * The `soniox` command: the program's wiring (commander), the exit codes and the bin entry.
 * Each command lives in commands/; output formatting in render/; the outside world (stdout,
 * stderr, stdin, env, Ctrl-C) comes in through io.ts so specs run commands in-process.
 */
// First: records the parent process before anything else loads (see parent.ts).
import './parent';
import { Command, CommanderError } from 'commander';
import { registerDemo } from './commands/demo';
import { registerFiles } from './commands/files';
import { registerKeys } from './commands/keys';
import { registerMock } from './commands/mock';
import { registerModels } from './commands/models';
import { registerLimits, registerUsage } from './commands/usage';
import { registerRealtime } from './commands/realtime';
import { registerTranscribe } from './commands/transcribe';
import { registerTranscriptions } from './commands/transcriptions';
import {
  Context,
  describe,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeOf,
  InterruptedError,
  ReportedError,
} from './context';
import { processIO, type CliIO } from './io';
import { shownName } from './render/name';
import { packageVersion } from '../internal/package-info';

export { parseWsFaultFlag } from './commands/mock';
export { memoryIO, processIO, type CliIO, type MemoryIO } from './io';

/** The package's version. */
export function version(): string {
  return packageVersion();
}

/** Builds the program for one run. */
export function program(ctx: Context): Command {
  const root = new Command('soniox')
    .description(
      'Soniox Speech-to-Text from the command line: transcribe files, stream audio, manage files, run a local mock server',
    )
    .version(version(), '-V, --version', 'print the version')
    .option('-v, --verbose', 'show each request, retry and request id on stderr')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // A parse error quotes the argument as given (a file name): escaped, one line, but for
      // commander's own second line, a suggestion.
      outputError: (s, write) =>
        write(
          `${shownName(s.replace(/\n$/, '')).replace(/\\n\(Did you mean /g, '\n(Did you mean ')}\n`,
        ),
      getOutHelpWidth: () => ctx.io.stdout.columns || 80,
      getErrHelpWidth: () => ctx.io.stderr.columns || 80,
    })
    .addHelpText(
      'after',
      `
Environment: SONIOX_API_KEY (required except for mock and demo), SONIOX_API_BASE_URL,
SONIOX_REALTIME_URL (or SONIOX_WS_URL), SONIOX_REGION (us, eu, jp), SONIOX_BASE_DOMAIN, NO_COLOR.
Exit codes: 0 ok, 1 API or network error, 2 usage error (nothing sent), 130 interrupted.`,
    );
  root.hook('preAction', () => {
    ctx.verbose = root.opts<{ verbose?: boolean }>().verbose === true;
  });
  registerTranscribe(root, ctx);
  registerRealtime(root, ctx);
  registerFiles(root, ctx);
  registerTranscriptions(root, ctx);
  registerModels(root, ctx);
  registerUsage(root, ctx);
  registerLimits(root, ctx);
  registerKeys(root, ctx);
  registerMock(root, ctx);
  registerDemo(root, ctx);
  return root;
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const ctx = new Context(io);
  try {
    await program(ctx).parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    // The reader closed stdout (`| head -1`): it has what it wanted, so the run succeeded.
    if (ctx.outputClosed) return EXIT_OK;
    if (e instanceof CommanderError) {
      // Help and --version exit 0; help shown for a missing command and every parse error exit 2.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof InterruptedError) return EXIT_INTERRUPTED;
    if (ctx.interrupted) {
      ctx.note('interrupted');
      return EXIT_INTERRUPTED;
    }
    // One line, whatever the names (or the server's words) in the message hold.
    if (!(e instanceof ReportedError))
      ctx.note(`${ctx.color.red('error:')} ${shownName(describe(e))}`);
    return exitCodeOf(e);
  } finally {
    ctx.close();
  }
}

/* istanbul ignore if: the bin entry, run by the child-process specs */
if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

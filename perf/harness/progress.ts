/** Progress lines on stderr (stdout carries only the table), stamped with the run's elapsed time. */
const started = process.hrtime.bigint();

/** Writes progress for one scenario. */
export interface Progress {
  (message: string): void;
}

/** A progress writer prefixed with `scope`; `silent` (PERF_SILENT=1) writes nothing. */
export function progress(scope: string, silent = process.env.PERF_SILENT === '1'): Progress {
  return (message: string) => {
    if (silent) return;
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(`[perf +${s.toFixed(1)}s] ${scope}: ${message}\n`);
  };
}

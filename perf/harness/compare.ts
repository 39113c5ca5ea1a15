/**
 * The regression gate: every gated ratio of the baseline against this run. Ratios only (SDK
 * over a baseline measured in the same run), never absolute times: the machine's speed cancels.
 */
import type { Gate } from './types';

/** What --json writes and --compare reads. */
export interface PerfJson {
  /** `memory` is total RAM in MB. */
  machine: { cores: number; memory: number; node: string; platform: string };
  mode: 'quick' | 'full' | 'max';
  scenarios: string[];
  values: Record<string, number>;
  gates: Gate[];
  wallMs: number;
}

/** One gate's verdict. */
export interface GateVerdict {
  key: string;
  /** undefined when the baseline file has a gate without its value (a hand-edited baseline). */
  baseline: number | undefined;
  current: number | undefined;
  /** current relative to baseline, oriented so that < 1 is worse. */
  relative: number;
  ok: boolean;
  /** The scenario behind the key did not run (`--only`): neither passed nor failed. */
  skipped?: boolean;
}

const MICRO_KEYS = new Set(['json', 'load', 'client']);

/** The scenario that produces a key (`json.*`, `load.*`, `client.*` come from micro). */
export function scenarioOf(key: string): string {
  const head = key.split('.')[0] ?? key;
  return MICRO_KEYS.has(head) ? 'micro' : head;
}

/** Compares `current` with `baseline` on the baseline's gates; `tolerance` 0.2 = 20 % worse allowed (a gate may carry its own). */
export function compareRatios(
  baseline: PerfJson,
  current: PerfJson,
  tolerance = 0.2,
): GateVerdict[] {
  return baseline.gates.map(({ key, better, tolerance: own }) => {
    const b = baseline.values[key];
    const c = current.values[key];
    if (!current.scenarios.includes(scenarioOf(key)))
      return { key, baseline: b, current: c, relative: NaN, ok: true, skipped: true };
    if (b === undefined || c === undefined || !Number.isFinite(c) || !Number.isFinite(b))
      return { key, baseline: b, current: c, relative: NaN, ok: false };
    const relative = better === 'higher' ? (b === 0 ? 1 : c / b) : c === 0 ? 1 : b / c;
    return { key, baseline: b, current: c, relative, ok: relative >= 1 - (own ?? tolerance) };
  });
}

/** The verdicts as text lines. */
export function formatVerdicts(verdicts: GateVerdict[]): string {
  return verdicts
    .map((v) =>
      v.skipped
        ? `skip ${v.key.padEnd(42)} (${scenarioOf(v.key)} did not run)`
        : `${v.ok ? 'ok  ' : 'FAIL'} ${v.key.padEnd(42)} baseline ${v.baseline?.toFixed(4)}  now ${v.current === undefined ? 'missing' : v.current.toFixed(4)}  (${Number.isFinite(v.relative) ? `${(v.relative * 100).toFixed(1)} % of baseline` : 'not comparable'})`,
    )
    .join('\n');
}

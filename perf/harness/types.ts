/** What scenarios, the runner and the report agree on. */
import type { Progress } from './progress';

/** Run options every scenario gets. */
export interface PerfContext {
  /** --quick: the small sizes and counts (the regression gate runs this). */
  quick: boolean;
  /** --max: the largest sizes too (1 GiB upload). */
  max: boolean;
  progress: Progress;
}

/** One line of the stdout table. Cells are formatted text; a failure is a cell saying so. */
export interface Row {
  figure: string;
  sdk?: string;
  raw?: string;
  peer?: string;
  /** SDK relative to the best other contender, formatted (e.g. `0.93x`). */
  ratio?: string;
  /** The bar from docs/design.md "Numbers the project holds itself to". */
  bar?: string;
  /** Whether the bar is met (undefined: no bar, or not measurable in this run). */
  met?: boolean;
}

/** A ratio the regression gate watches, and which way is better. */
export interface Gate {
  key: string;
  better: 'higher' | 'lower';
  /**
   * How much worse than the baseline passes, for this key (default: the run's --tolerance).
   * For ratios of two small figures, whose noise is a large share of them.
   */
  tolerance?: number;
}

/** A line on a chart. */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

/** A chart for the HTML report. */
export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Percentile charts put x (a percentile) on a log scale of 1/(1-q). */
  xScale?: 'linear' | 'percentile';
}

/** What a scenario's `run(ctx)` returns. */
export interface ScenarioResult {
  name: string;
  rows: Row[];
  /** Stable keys for --json (e.g. `upload.500MB.sdk_mbps`). */
  values: Record<string, number>;
  /** Which of `values` the regression gate compares. */
  gates: Gate[];
  charts: Chart[];
  /** Problems that did not stop the scenario (shown under the table). */
  notes: string[];
}

/** A scenario module. */
export type Scenario = (ctx: PerfContext) => Promise<ScenarioResult>;

/** An empty result to fill. */
export function result(name: string): ScenarioResult {
  return { name, rows: [], values: {}, gates: [], charts: [], notes: [] };
}

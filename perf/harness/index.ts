/** The perf harness: what every scenario and the runner share. */
export * from './types';
export * from './stats';
export * from './bounded';
export * from './histogram';
export * from './sampler';
export * from './ab';
export * from './progress';
export * from './compare';
export { formatTable } from './table';

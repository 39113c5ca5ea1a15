/**
 * Bytes allocated on the JavaScript heap while a function runs: a figure that does not move
 * with the machine's load, unlike a latency. V8's GC profiler reports the heap's use before and
 * after each collection; what was allocated is what the heap grew between collections.
 */
import v8 from 'node:v8';

/** Bytes allocated on this process's V8 heap while `fn` ran (everything in the process: run nothing else meanwhile). */
export async function allocatedBytes(fn: () => Promise<void>): Promise<number> {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const start = v8.getHeapStatistics().used_heap_size;
  await fn();
  const end = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let total = 0;
  let previous = start;
  for (const gc of statistics) {
    total += gc.beforeGC.heapStatistics.usedHeapSize - previous;
    previous = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return total + end - previous;
}

/**
 * Which timed calls a garbage collection ran in, and what the collections of a stretch of work
 * were. A p99 reads the slowest call in a hundred: when more than one call in a hundred holds a
 * collection, the p99 is a collection's cost (issue 31). The counts do not move with the
 * machine's load (they follow the bytes allocated); the collections' durations do.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';

/** One collection seen by the observer, on `performance.now()`'s clock. */
export interface Collection {
  start: number;
  end: number;
  major: boolean;
}

/** A call's time span, on `performance.now()`'s clock. */
export interface Window {
  start: number;
  end: number;
}

/** Counts of the calls of one contender that held a collection. */
export interface GcInCalls {
  /** Calls with any collection (scavenge, mark-compact, incremental marking step), per 1000. */
  anyPer1000: number;
  /** Calls with a mark-compact, per 1000. */
  markCompactPer1000: number;
}

/** Collects the process's GC entries while it runs (PerformanceObserver 'gc'). */
export class GcWatch {
  readonly #seen: Collection[] = [];
  readonly #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.#seen.push(collectionOf(entry));
  });

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops observing, once the entries still queued were delivered (they come asynchronously). */
  async stop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#observer.disconnect();
  }

  /** How many of `windows` a collection overlapped, per 1000 windows. */
  inCalls(windows: readonly Window[]): GcInCalls {
    return gcInCalls(this.#seen, windows);
  }
}

/** How many of `windows` one of `seen` overlapped, per 1000 windows (both in time order). */
export function gcInCalls(seen: readonly Collection[], windows: readonly Window[]): GcInCalls {
  let any = 0;
  let major = 0;
  // One pass: the collections that ended before a window cannot overlap a later one.
  let first = 0;
  for (const w of windows) {
    while (first < seen.length && seen[first]!.end <= w.start) first++;
    let hit = false;
    let hitMajor = false;
    for (let i = first; i < seen.length && seen[i]!.start < w.end; i++) {
      hit = true;
      hitMajor ||= seen[i]!.major;
    }
    if (hit) any++;
    if (hitMajor) major++;
  }
  const per1000 = (n: number) => (windows.length === 0 ? 0 : (n * 1000) / windows.length);
  return { anyPer1000: per1000(any), markCompactPer1000: per1000(major) };
}

function collectionOf(entry: PerformanceEntry): Collection {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  return {
    start: entry.startTime,
    end: entry.startTime + entry.duration,
    major: kind === constants.NODE_PERFORMANCE_GC_MAJOR,
  };
}

/** What the collections during a stretch of work were (V8's GC profiler). */
export interface Collections {
  /** Bytes allocated on the heap meanwhile. */
  allocated: number;
  scavenges: number;
  markCompacts: number;
  /**
   * Bytes left in the young generation after each scavenge, averaged: what a scavenge copies,
   * its cost. What the process keeps alive, whoever made it, not what the running code allocates.
   */
  survivorBytes: number;
}

/** The collections while `fn` runs (everything in the process: run nothing else meanwhile). */
export async function collections(fn: () => Promise<void>): Promise<Collections> {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const start = v8.getHeapStatistics().used_heap_size;
  await fn();
  const end = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let previous = start;
  let scavenges = 0;
  let markCompacts = 0;
  let survivors = 0;
  for (const gc of statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - previous;
    previous = gc.afterGC.heapStatistics.usedHeapSize;
    if (gc.gcType === 'Scavenge') {
      scavenges++;
      survivors +=
        gc.afterGC.heapSpaceStatistics.find((s) => s.spaceName === 'new_space')?.spaceUsedSize ?? 0;
    } else if (gc.gcType === 'MarkSweepCompact') markCompacts++;
  }
  return {
    allocated: allocated + end - previous,
    scavenges,
    markCompacts,
    survivorBytes: scavenges === 0 ? 0 : survivors / scavenges,
  };
}

/** Samples this process's RSS and CPU on a timer: peak, growth over the start, and a timeline. */
import fs from 'node:fs';
import { mb } from './stats';

/** What a sampler saw. */
export interface ResourceSample {
  /** RSS when sampling started, MB. */
  baseRssMb: number;
  peakRssMb: number;
  /** peak - base, MB. */
  growthMb: number;
  /** User + system CPU over wall time (1.0 = one core busy). */
  cpuCores: number;
  cpuMs: number;
  wallMs: number;
  /** [ms since start, RSS MB], at most `maxPoints` (thinned evenly when longer). */
  timeline: Array<[number, number]>;
}

/** Starts sampling every `intervalMs` (default 20); `stop()` returns what it saw. */
export function sampleResources(intervalMs = 20, maxPoints = 600): { stop(): ResourceSample } {
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const base = process.memoryUsage.rss();
  let peak = base;
  let timeline: Array<[number, number]> = [[0, mb(base)]];
  let every = 1;
  let tick = 0;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    tick += 1;
    if (tick % every !== 0) return;
    timeline.push([Number(process.hrtime.bigint() - start) / 1e6, mb(rss)]);
    if (timeline.length > maxPoints) {
      timeline = timeline.filter((_, i) => i % 2 === 0);
      every *= 2;
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop(): ResourceSample {
      clearInterval(timer);
      sample();
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return {
        baseRssMb: mb(base),
        peakRssMb: mb(peak),
        growthMb: mb(peak - base),
        cpuCores: wallMs > 0 ? cpuMs / wallMs : 0,
        cpuMs,
        wallMs,
        timeline,
      };
    },
  };
}

/**
 * CPU time (user + system, ms) of the calling thread, the JavaScript main thread, from
 * /proc/thread-self/stat (Linux; 10 ms ticks); undefined elsewhere. With process.cpuUsage() it
 * splits a process's CPU into the main thread and the rest: V8's helpers (compiling optimized
 * code, concurrent GC) and libuv's thread pool.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15, in 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

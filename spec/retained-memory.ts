/**
 * Memory a process retains, for the memory specs: heap plus Buffers after full collections.
 * Not RSS: when collected garbage goes back to the system is the engine's choice and differs
 * between Node 20, 22 and 24 (the same 500 MB upload grew RSS by 19 MB on 22 and 57 MB on 24).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's collector, exposed at run time (no --expose-gc flag needed on the command line). */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Heap used plus array buffers, in bytes, after two full collections. Two, because V8 frees the
 * backing stores of dead ArrayBuffers (where Buffers keep their bytes) on a concurrent sweeper
 * and `process.memoryUsage().arrayBuffers` still counts them until the next collection: on
 * Node 24, one collection in the middle of a 500 MB upload read 0.4 to 100 MB of array buffers,
 * the second always 0.4 MB. The second also takes what the first only unlinked (weak references,
 * finalisers).
 */
export function retainedBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

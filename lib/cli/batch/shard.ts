/**
 * `--shard i/n`: several machines share one archive, each running the same command with its own
 * `i`. An input belongs to shard `1 + (sha256(key) mod n)`: a hash of the input's key (its path
 * under the batch root), so the split is the same on every machine and every run, shards are
 * disjoint, together they cover every input, and adding a file moves no other file.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';

/** One shard of `count`, 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/** Largest shard count taken: more machines than that sharing one archive is a typo. */
const MAX_SHARDS = 10_000;

/** Parses `i/n` (1 <= i <= n): a commander flag parser. */
export function parseShard(value: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count || count > MAX_SHARDS)
    throw new InvalidArgumentError(
      `must be i/n with 1 <= i <= n <= ${MAX_SHARDS}, such as 1/4 (this machine takes the first of four shares).`,
    );
  return { index, count };
}

/** The shard (1-based) an input key belongs to among `count`. */
export function shardOf(key: string, count: number): number {
  const digest = createHash('sha256').update(key).digest();
  return 1 + (digest.readUInt32BE(0) % count);
}

/** The items of `shard`, in their order. */
export function inShard<T extends { key: string }>(items: readonly T[], shard: Shard): T[] {
  return items.filter((item) => shardOf(item.key, shard.count) === shard.index);
}

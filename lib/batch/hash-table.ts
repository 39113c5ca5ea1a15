import { nodeCrypto } from '../internal/node-builtins';
/**
 * A compact table of input hashes, each with an optional id: the batch's per-input memory (the
 * inputs its journal has finished, the hashes this run has claimed). A Map of hex strings and
 * entry objects costs about 240 bytes an input; this one keeps 33 bytes a slot in one Buffer
 * (a tag, the first 16 bytes of the hash, the id packed to 16 bytes), 1.3 to 2.7 slots an
 * input (it doubles at 3/4 full), so 100,000 inputs cost 4 to 9 MB rather than 24.
 *
 * Keys are the first 16 bytes of the sha256, as the client reference is: two distinct inputs
 * share them with odds of about n² / 2^129. A key that is not 64 hex digits (a hand-edited
 * journal) is hashed first. Ids are packed when they are lowercase UUIDs (the API's ids,
 * docs/api.md §2); any other id is kept as a string beside the table.
 */

const KEY = 16;
const ID = 16;
const SLOT = 1 + KEY + ID;
/** Slot tags. A removed entry leaves a tombstone so that lookups probe past it. */
const EMPTY = 0;
const REMOVED = 1;
const NO_ID = 2;
const UUID_ID = 3;
const OTHER_ID = 4;
const FIRST_CAPACITY = 256;
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function keyOf(hash: string): Buffer {
  return HEX64.test(hash)
    ? Buffer.from(hash.slice(0, KEY * 2), 'hex')
    : nodeCrypto().createHash('sha256').update(hash).digest().subarray(0, KEY);
}

function unpackUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Input hashes, each with an id or none; `get` answers null for a hash held without an id. */
export class HashTable {
  private slots = Buffer.alloc(FIRST_CAPACITY * SLOT);
  private capacity = FIRST_CAPACITY;
  /** Slots taken, tombstones included (they lengthen probes until the next growth). */
  private taken = 0;
  private count = 0;
  /** Ids that are not lowercase UUIDs, by hex key. */
  private readonly others = new Map<string, string>();

  /** Hashes held. */
  get size(): number {
    return this.count;
  }

  /** Holds `hash` with `id` (replacing what it held). */
  set(hash: string, id?: string): void {
    if ((this.taken + 1) * 4 > this.capacity * 3) this.grow();
    const key = keyOf(hash);
    let slot = this.find(key);
    if (slot < 0) {
      slot = this.free(key);
      if (this.slots[slot * SLOT] === EMPTY) this.taken++;
      this.count++;
      key.copy(this.slots, slot * SLOT + 1);
    }
    const at = slot * SLOT;
    this.others.delete(key.toString('hex'));
    if (id === undefined) this.slots[at] = NO_ID;
    else if (UUID.test(id)) {
      this.slots[at] = UUID_ID;
      Buffer.from(id.replaceAll('-', ''), 'hex').copy(this.slots, at + 1 + KEY);
    } else {
      this.slots[at] = OTHER_ID;
      this.others.set(key.toString('hex'), id);
    }
  }

  /** Whether `hash` is held. */
  has(hash: string): boolean {
    return this.find(keyOf(hash)) >= 0;
  }

  /** The id held with `hash`: null when it has none, undefined when the hash is not held. */
  get(hash: string): string | null | undefined {
    const key = keyOf(hash);
    const slot = this.find(key);
    if (slot < 0) return undefined;
    const at = slot * SLOT;
    const tag = this.slots[at];
    if (tag === UUID_ID) return unpackUuid(this.slots.subarray(at + 1 + KEY, at + SLOT));
    if (tag === OTHER_ID) return this.others.get(key.toString('hex')) ?? null;
    return null;
  }

  /** Forgets `hash`. */
  delete(hash: string): void {
    const key = keyOf(hash);
    const slot = this.find(key);
    if (slot < 0) return;
    this.slots[slot * SLOT] = REMOVED;
    this.others.delete(key.toString('hex'));
    this.count--;
  }

  /** The first probe of a key: its first 4 bytes (uniform, they come from a sha256). */
  private home(key: Buffer): number {
    return key.readUInt32LE(0) & (this.capacity - 1);
  }

  /** The slot holding `key`, or -1. */
  private find(key: Buffer): number {
    for (let slot = this.home(key); ; slot = (slot + 1) & (this.capacity - 1)) {
      const at = slot * SLOT;
      const tag = this.slots[at];
      if (tag === EMPTY) return -1;
      if (tag !== REMOVED && key.equals(this.slots.subarray(at + 1, at + 1 + KEY))) return slot;
    }
  }

  /** The first empty or removed slot on `key`'s probe path. */
  private free(key: Buffer): number {
    let slot = this.home(key);
    while ((this.slots[slot * SLOT] ?? EMPTY) > REMOVED) slot = (slot + 1) & (this.capacity - 1);
    return slot;
  }

  /** Doubles the table (or only sweeps the tombstones out, when they are what fills it). */
  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    if (this.count * 2 > oldCapacity) this.capacity *= 2;
    this.slots = Buffer.alloc(this.capacity * SLOT);
    this.taken = this.count;
    for (let slot = 0; slot < oldCapacity; slot++) {
      const at = slot * SLOT;
      if ((old[at] ?? EMPTY) <= REMOVED) continue;
      const key = old.subarray(at + 1, at + 1 + KEY);
      old.copy(this.slots, this.free(key) * SLOT, at, at + SLOT);
    }
  }
}

/**
 * The batch's compact hash table: the same answers as a Map, whatever the keys and ids, through
 * growth and removals.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { HashTable } from '../../lib/batch/hash-table';
import { seededRandom } from '../../lib/mock/state';

const hashOf = (i: number) => createHash('sha256').update(`input ${i}`).digest('hex');

describe('batch hash table', () => {
  it('answers as a Map would through 30,000 random sets, replacements and removals', () => {
    const random = seededRandom(7);
    const table = new HashTable();
    const model = new Map<string, string | null>();
    const ids = [undefined, 'b2c6a1d4-8a43-4c55-9d55-0123456789ab', 'job-42', ''];
    for (let step = 0; step < 30_000; step++) {
      const hash = hashOf(Math.floor(random() * 5_000));
      if (random() < 0.25) {
        table.delete(hash);
        model.delete(hash);
      } else {
        const id = ids[Math.floor(random() * ids.length)];
        table.set(hash, id);
        model.set(hash, id ?? null);
      }
    }
    expect(table.size).to.equal(model.size);
    for (let i = 0; i < 5_000; i++) {
      const hash = hashOf(i);
      expect(table.get(hash), `input ${i}`).to.equal(model.get(hash));
      expect(table.has(hash)).to.equal(model.has(hash));
    }
  });

  it('gives UUID ids back exactly, and keeps keys that are not hex hashes apart', () => {
    const table = new HashTable();
    table.set('a', 'b2c6a1d4-8a43-4c55-9d55-0123456789ab');
    table.set('b', 'B2C6A1D4-8A43-4C55-9D55-0123456789AB');
    table.set('c');
    expect(table.get('a')).to.equal('b2c6a1d4-8a43-4c55-9d55-0123456789ab');
    expect(table.get('b')).to.equal('B2C6A1D4-8A43-4C55-9D55-0123456789AB');
    expect(table.get('c')).to.equal(null);
    expect(table.get('d')).to.equal(undefined);
    table.set('b', 'b2c6a1d4-8a43-4c55-9d55-0123456789ab');
    table.delete('a');
    table.delete('a');
    expect([table.has('a'), table.get('b'), table.size]).to.deep.equal([
      false,
      'b2c6a1d4-8a43-4c55-9d55-0123456789ab',
      2,
    ]);
  });

  it('gives every id back whole, however close to a UUID it is without being one', () => {
    const uuid = 'b2c6a1d4-8a43-4c55-9d55-0123456789ab';
    const groups = uuid.split('-');
    const ids = [
      uuid,
      `job-${uuid}`,
      `${uuid}-2`,
      `${uuid}0`,
      `0${uuid}`,
      uuid.toUpperCase(),
      '',
      'tx-é',
      // The UUID's shape with one group not hex, or one digit long.
      ...groups.map((_, i) => groups.map((g, j) => (j === i ? 'z'.repeat(g.length) : g)).join('-')),
      ...groups.map((_, i) => groups.map((g, j) => (j === i ? 'e' : g)).join('-')),
    ];
    const table = new HashTable();
    // Each id lands in a slot that held the full UUID before: nothing of it may show through.
    ids.forEach((id, i) => {
      table.set(hashOf(i), uuid);
      table.set(hashOf(i), id);
    });
    expect(ids.map((_, i) => table.get(hashOf(i)))).to.deep.equal(ids);
  });

  it('keeps apart keys that are not hashes though they begin or end with one', () => {
    const hash = hashOf(1);
    const keys = [hash, `${hash}0`, `0${hash}`, `x${hash}`, `${hash}x`, hash.slice(0, 63)];
    const table = new HashTable();
    keys.forEach((key, i) => table.set(key, `id-${i}`));
    expect(table.size).to.equal(keys.length);
    expect(keys.map((key) => table.get(key))).to.deep.equal(keys.map((_, i) => `id-${i}`));
  });

  it('keeps one entry per input when every input is set again, at any table size', () => {
    // A resumed run journals each input more than once (started, uploaded, done...).
    for (const count of [300, 1_000, 3_000, 10_000]) {
      const table = new HashTable();
      for (let i = 0; i < count; i++) table.set(hashOf(i));
      for (let i = 0; i < count; i++) table.set(hashOf(i), `id-${i}`);
      expect(table.size, `${count} inputs`).to.equal(count);
      for (let i = 0; i < count; i++) table.delete(hashOf(i));
      expect(table.size).to.equal(0);
      expect([0, 1, count - 1].some((i) => table.has(hashOf(i)))).to.equal(false);
    }
  });

  it('reuses the room of removed entries instead of growing without end', () => {
    const table = new HashTable();
    for (let i = 0; i < 30_000; i++) {
      table.set(hashOf(i));
      table.delete(hashOf(i - 10));
    }
    expect(table.size).to.equal(10);
    expect((table as unknown as { capacity: number }).capacity).to.be.at.most(256);
  });
});

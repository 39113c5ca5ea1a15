import { expect } from 'chai';
import {
  MAX_PAGES,
  SKEW_MS,
  createLookup,
  findCreated,
  matches,
  mayHaveActed,
  newReference,
  type CreateLookup,
  type ListedItem,
  type ListedPage,
} from '../../lib/http/exactly-once';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('http/exactly-once', () => {
  describe('mayHaveActed', () => {
    const post = { method: 'POST', bodyReplayable: true };

    it('is true for a POST that got no answer after it was written: reset, timeout, cut answer', () => {
      for (const errorCode of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT'])
        expect(mayHaveActed({ ...post, errorCode, requestFullySent: true }), errorCode).to.equal(
          true,
        );
      expect(mayHaveActed({ ...post, errorCode: 'ECONNRESET' })).to.equal(true);
    });

    it('is false where the server answered, never got it, or saw only part of it', () => {
      expect(mayHaveActed({ ...post, status: 500 })).to.equal(false);
      expect(mayHaveActed({ ...post, errorCode: 'ECONNREFUSED' })).to.equal(false);
      expect(mayHaveActed({ ...post, errorCode: 'ECONNRESET', requestFullySent: false })).to.equal(
        false,
      );
      expect(mayHaveActed({ ...post })).to.equal(false);
      // An answer is an answer, whatever the connection did after it.
      expect(mayHaveActed({ ...post, status: 502, errorCode: 'ECONNRESET' })).to.equal(false);
      expect(mayHaveActed({ ...post, errorCode: 'ERR_BAD_OPTION' })).to.equal(false);
    });

    it('is false for a GET or a DELETE (the retry policy already resends those)', () => {
      expect(
        mayHaveActed({ method: 'GET', errorCode: 'ECONNRESET', bodyReplayable: true }),
      ).to.equal(false);
      expect(
        mayHaveActed({ method: 'post', errorCode: 'ECONNRESET', bodyReplayable: true }),
      ).to.equal(true);
    });
  });

  describe('createLookup', () => {
    it('makes a unique reference when the caller gave none, and then matches on it alone', () => {
      const a = createLookup('transcriptions', undefined, { model: 'm' });
      const b = createLookup('transcriptions', null, { model: 'm' });
      expect(a.reference).to.match(/^sdk-[0-9a-f-]{36}$/);
      expect(a.reference).not.to.equal(b.reference);
      expect(a.fields).to.deep.equal({});
      // A null reference is none: tagged by the SDK, never looked up as `null` (which any
      // untagged create of the same audio would match).
      expect(b.reference).to.match(/^sdk-[0-9a-f-]{36}$/);
      expect(b.fields).to.deep.equal({});
      expect(a).to.include({ listPath: '/v1/transcriptions', listKey: 'transcriptions' });
      expect(newReference().length).to.be.at.most(256);
    });

    it('keeps the caller’s reference and then also matches the request’s fields', () => {
      const lookup = createLookup('files', 'order-1', { size: 10 });
      expect(lookup).to.deep.equal({
        listPath: '/v1/files',
        listKey: 'files',
        reference: 'order-1',
        fields: { size: 10 },
      });
    });
  });

  describe('matches', () => {
    const lookup: CreateLookup = {
      listPath: '/v1/transcriptions',
      listKey: 'transcriptions',
      reference: 'r',
      fields: { model: 'm', file_id: null },
    };
    const window = { from: T0 - SKEW_MS, to: T0 + SKEW_MS };
    const item = { client_reference_id: 'r', model: 'm', created_at: at(0) };

    it('takes an item with the reference and fields, created inside the window (an absent field is null)', () => {
      expect(matches(item, lookup, window)).to.equal(true);
      expect(matches({ ...item, created_at: at(-SKEW_MS) }, lookup, window)).to.equal(true);
      expect(matches({ ...item, created_at: at(SKEW_MS) }, lookup, window)).to.equal(true);
    });

    it('refuses another reference, another field, a time outside the window or no time', () => {
      expect(matches({ ...item, client_reference_id: 'x' }, lookup, window)).to.equal(false);
      expect(matches({ ...item, client_reference_id: null }, lookup, window)).to.equal(false);
      expect(matches({ ...item, model: 'n' }, lookup, window)).to.equal(false);
      expect(matches({ ...item, file_id: 'f' }, lookup, window)).to.equal(false);
      expect(matches({ ...item, created_at: at(-SKEW_MS - 1) }, lookup, window)).to.equal(false);
      expect(matches({ ...item, created_at: at(SKEW_MS + 1) }, lookup, window)).to.equal(false);
      const { created_at: _, ...timeless } = item;
      expect(matches(timeless, lookup, window)).to.equal(false);
    });
  });

  describe('findCreated', () => {
    const lookup: CreateLookup = {
      listPath: '/v1/files',
      listKey: 'files',
      reference: 'r',
      fields: {},
    };
    const mine: ListedItem = { id: 'mine', client_reference_id: 'r', created_at: at(1_000) };
    const other = (i: number, ms = 1_000): ListedItem => ({
      id: `o${i}`,
      client_reference_id: `x${i}`,
      created_at: at(ms),
    });
    /** A list served newest first, `size` a page, recording the cursors asked for. */
    const pages = (items: ListedItem[], size: number) => {
      const asked: Array<string | undefined> = [];
      const listPage = (cursor: string | undefined): Promise<ListedPage> => {
        asked.push(cursor);
        const offset = cursor === undefined ? 0 : Number(cursor);
        const next = offset + size < items.length ? String(offset + size) : null;
        return Promise.resolve({ items: items.slice(offset, offset + size), next });
      };
      return { asked, listPage };
    };
    const now = () => T0 + 2_000;

    it('finds the item on a later page', async () => {
      const { asked, listPage } = pages([other(1), other(2), other(3), mine], 2);
      expect(await findCreated(listPage, lookup, T0, now)).to.deep.equal({
        kind: 'found',
        item: mine,
      });
      expect(asked).to.deep.equal([undefined, '2']);
    });

    it('stops at the first page that reaches items older than the window: absent', async () => {
      const old = Array.from({ length: 10 }, (_, i) => other(i, -SKEW_MS - 1_000 - i));
      const { asked, listPage } = pages([other(0), ...old], 3);
      expect(await findCreated(listPage, lookup, T0, now)).to.deep.equal({ kind: 'absent' });
      expect(asked).to.have.length(1);
    });

    it('reads on past a page whose oldest item was made at the very start of the window', async () => {
      const edge = -SKEW_MS;
      const early = { ...mine, created_at: at(edge) };
      const { asked, listPage } = pages([other(1), other(2, edge), early], 2);
      expect(await findCreated(listPage, lookup, T0, now)).to.deep.equal({
        kind: 'found',
        item: early,
      });
      expect(asked).to.deep.equal([undefined, '2']);
    });

    it('is absent on an empty list', async () => {
      const { listPage } = pages([], 5);
      expect(await findCreated(listPage, lookup, T0, now)).to.deep.equal({ kind: 'absent' });
    });

    it('cannot decide when two items match, or when the window holds more than it reads', async () => {
      const twice = pages([mine, { ...mine, id: 'again' }], 5);
      const both = await findCreated(twice.listPage, lookup, T0, now);
      expect(both.kind).to.equal('undecided');
      // The matches, newest first, for a caller that can tell them apart (the batch's lookup).
      expect(both.kind === 'undecided' && both.matches?.map((m) => m.id)).to.deep.equal([
        mine.id,
        'again',
      ]);
      const crowd = pages(
        Array.from({ length: MAX_PAGES * 2 + 1 }, (_, i) => other(i)),
        2,
      );
      const result = await findCreated(crowd.listPage, lookup, T0, now);
      expect(result).to.deep.equal({
        kind: 'undecided',
        reason: 'more than 1000 items were created in the window',
      });
      expect(crowd.asked).to.have.length(MAX_PAGES);
    });

    it('lets a failing page reject', async () => {
      const failing = (): Promise<ListedPage> => Promise.reject(new Error('down'));
      let caught: unknown;
      await findCreated(failing, lookup, T0, now).catch((e: unknown) => {
        caught = e;
      });
      expect(caught).to.be.instanceOf(Error);
    });
  });
});

import { SonioxResponseError } from '../../lib/errors';
import { expect } from 'chai';
import { paginate } from '../../lib/http/pagination';

describe('http/pagination', () => {
  const pages: Record<string, { items: number[]; next_page_cursor: string | null }> = {
    start: { items: [1, 2], next_page_cursor: 'b' },
    b: { items: [3], next_page_cursor: 'c' },
    c: { items: [], next_page_cursor: null },
  };
  /** The page a cursor names (none: the first). */
  const pageAt = (cursor: string | undefined) => {
    const page = pages[cursor ?? 'start'];
    if (!page) throw new Error(`no page ${cursor}`);
    return Promise.resolve(page);
  };

  it('walks every page until next_page_cursor is null', async () => {
    const seen: Array<string | undefined> = [];
    const out: number[] = [];
    for await (const n of paginate(
      (c) => (seen.push(c), pageAt(c)),
      (p) => p.items,
    ))
      out.push(n);
    expect(out).to.deep.equal([1, 2, 3]);
    expect(seen).to.deep.equal([undefined, 'b', 'c']);
  });

  it('fetches lazily: breaking out early stops further requests', async () => {
    let calls = 0;
    for await (const n of paginate(
      (c) => (calls++, pageAt(c)),
      (p) => p.items,
    ))
      if (n === 1) break;
    expect(calls).to.equal(1);
  });

  it('starts from a given cursor and stops on a repeated cursor', async () => {
    const loop = { items: [9], next_page_cursor: 'x' };
    const out: number[] = [];
    for await (const n of paginate(
      () => Promise.resolve(loop),
      (p) => p.items,
      'x',
    ))
      out.push(n);
    expect(out).to.deep.equal([9, 9]);
  });

  it('stops on a null, missing or empty cursor', async () => {
    for (const end of [null, undefined, '']) {
      let calls = 0;
      const out: number[] = [];
      for await (const n of paginate(
        () => (calls++, Promise.resolve({ items: [1], next_page_cursor: end as string | null })),
        (p) => p.items,
      ))
        out.push(n);
      expect([calls, out.length], String(end)).to.deep.equal([1, 1]);
    }
  });

  it('refuses a page without its list with a typed error', async () => {
    const error = await (async () => {
      for await (const n of paginate(
        () => Promise.resolve({ items: null, next_page_cursor: null }),
        (p) => p.items as unknown as number[],
      ))
        void n;
    })().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).to.be.instanceOf(SonioxResponseError);
    expect(error?.message).to.equal('the page has no list of items');
    expect((error as SonioxResponseError).issues).to.deep.equal([
      { field: '(page)', message: 'not a list' },
    ]);
  });
});

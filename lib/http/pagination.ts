/**
 * Cursor pagination: the list endpoints answer a page and `next_page_cursor` (null on the last
 * page). `paginate` walks every page lazily, one request at a time, as an async iterator.
 */

import { SonioxResponseError } from '../errors';

/** Fetches one page for a cursor (undefined for the first page). */
export type PageFetcher<Page> = (cursor: string | undefined) => Promise<Page>;

/**
 * Yields every item of every page, fetching the next page only when the consumer gets there.
 * `items` picks the page's array; stops when `next_page_cursor` is null or repeats.
 */
export async function* paginate<Page extends { next_page_cursor: string | null }, Item>(
  fetchPage: PageFetcher<Page>,
  items: (page: Page) => Item[],
  firstCursor?: string,
): AsyncGenerator<Item, void, undefined> {
  let cursor = firstCursor;
  const seen = new Set<string>();
  while (true) {
    const page = await fetchPage(cursor);
    const list = items(page);
    // Reached with validateResponses: false: a page without its list is an error, not a TypeError.
    if (!Array.isArray(list))
      throw new SonioxResponseError('the page has no list of items', [
        { field: '(page)', message: 'not a list' },
      ]);
    yield* list;
    const next = page.next_page_cursor;
    // A repeated cursor would loop for ever: treat it as the end rather than spin.
    if (next === null || next === undefined || next === '' || seen.has(next)) return;
    seen.add(next);
    cursor = next;
  }
}

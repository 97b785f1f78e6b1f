/** The list envelope: `{items, metadata: {pagination: {pageSize, pageCursor, nextPage}}}`. */
import type { Page, PageRequest } from "../services/ports.ts";

/** The paging request of validated list query parameters. */
export function pageOf(q: { pageSize: number; pageCursor?: string | undefined }): PageRequest {
  return { cursor: q.pageCursor ?? null, limit: q.pageSize };
}

/** Wraps a page, with `nextPage` as the path of the following page (null on the last one). */
export function listBody<T>(url: string, page: Page<T>, pageSize: number, pageCursor: string | undefined) {
  let nextPage: string | null = null;
  if (page.nextCursor !== null) {
    const u = new URL(url);
    u.searchParams.set("pageCursor", page.nextCursor);
    u.searchParams.set("pageSize", String(pageSize));
    nextPage = `${u.pathname}${u.search}`;
  }
  return { items: page.items, metadata: { pagination: { pageSize, pageCursor: pageCursor ?? null, nextPage } } };
}

/** Normalises an ISO-8601 query time to the UTC form timestamps are stored in (so they compare as text). */
export function utc(time: string | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}

/** The list envelope: `{items, metadata: {pagination: {pageSize, pageCursor, nextPage}}}`. */
import type { Page } from "../services/ports.ts";

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

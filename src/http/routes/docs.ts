/**
 * The API reference: `/openapi.json` (registered by the app) and `/docs`, a self-contained HTML page
 * rendered from the same document. Also documents the routes that are not zod routes (health, docs).
 */
import { z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { DOCS_STYLE, renderDocs } from "../docs-page.ts";

/** The fixed part of the OpenAPI document. */
export const DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Keycard",
    version: "0.1.0",
    description:
      "Edge token authorizer: access policies, tokens, signed decisions. The admin API (`/api/v1/…`) follows Grafana " +
      "Cloud's shapes. Authenticate with `Authorization: Bearer <token>`: the operator token, or a Keycard token whose " +
      "policy holds `accesspolicies:*` / `stacks:*` in its org. Errors are `{code, message, details?: [{path, message}]}`. " +
      "Lists are `{items, metadata: {pagination: {pageSize, pageCursor, nextPage}}}`. POST and DELETE take an optional " +
      "`x-request-id` idempotency key. Every change writes an audit event in the same transaction.",
  },
};

/** A GET route documented by hand: it is registered without a zod schema. */
const documented = (path: string, tag: string, summary: string, responses: Record<number, { description: string; content?: object }>) => ({
  method: "get" as const,
  path,
  tags: [tag],
  summary,
  responses,
});

/** Registers `/docs`, and documents the routes registered without a zod schema. */
export function register(app: App): void {
  const r = app.openAPIRegistry;
  r.registerPath(documented("/livez", "health", "Liveness: checks no dependency", { 200: { description: "`{status: \"ok\"}`" } }));
  r.registerPath(
    documented("/readyz", "health", "Readiness: checks D1 and KV", { 200: { description: "Both reachable" }, 503: { description: "D1 or KV is down" } }),
  );
  r.registerPath(documented("/openapi.json", "reference", "This document (OpenAPI 3.1)", { 200: { description: "The document" } }));
  r.registerPath(
    documented("/docs", "reference", "This reference as an HTML page (no script, strict CSP)", {
      200: { description: "The page", content: { "text/html": { schema: z.string() } } },
    }),
  );

  let page: Promise<{ html: string; csp: string }> | null = null;
  app.get("/docs", async (c) => {
    page ??= build(app);
    const { html, csp } = await page;
    c.header("Content-Security-Policy", csp);
    c.header("Cache-Control", "public, max-age=300");
    return c.html(html);
  });
}

async function build(app: App): Promise<{ html: string; csp: string }> {
  const html = renderDocs(app.getOpenAPI31Document(DOCUMENT) as Parameters<typeof renderDocs>[0]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(DOCS_STYLE));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { html, csp };
}

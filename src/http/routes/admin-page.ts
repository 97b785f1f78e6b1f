/**
 * `/admin`: the admin web page, its script and its stylesheet, served from string modules. The page calls
 * the admin API with a token the user pastes (kept in memory, or in sessionStorage when asked; never in a
 * cookie). Every response carries a strict CSP: scripts, styles and fetches from this origin only, no
 * inline code, no framing, no form submission, and Trusted Types required so that no string can become
 * markup even by mistake.
 */
import { z } from "@hono/zod-openapi";
import { ADMIN_HTML } from "../admin-page/html.ts";
import { ADMIN_JS } from "../admin-page/script.ts";
import { ADMIN_CSS } from "../admin-page/style.ts";
import type { App } from "../context.ts";

/**
 * The page's CSP. `img-src data:` is for the empty `data:,` favicon (it stops the browser asking for
 * `/favicon.ico`); `require-trusted-types-for 'script'` makes Chromium refuse `innerHTML` and the like
 * with a plain string, so the no-markup rule also holds at run time.
 */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

const ASSETS = [
  { path: "/admin", type: "text/html; charset=utf-8", body: ADMIN_HTML, cache: "no-store", summary: "The admin web page" },
  { path: "/admin/app.js", type: "text/javascript; charset=utf-8", body: ADMIN_JS, cache: "no-cache", summary: "The admin page's script" },
  { path: "/admin/app.css", type: "text/css; charset=utf-8", body: ADMIN_CSS, cache: "no-cache", summary: "The admin page's stylesheet" },
] as const;

/** Registers `/admin` and its two assets, and documents them. */
export function register(app: App): void {
  for (const a of ASSETS) {
    const mime = a.type.split(";")[0]!;
    app.openAPIRegistry.registerPath({
      method: "get",
      path: a.path,
      tags: ["admin page"],
      summary: a.summary,
      description: "No credential: the page asks for a token and calls the admin API with it. Strict CSP.",
      responses: { 200: { description: a.summary, content: { [mime]: { schema: z.string() } } } },
    });
    app.get(a.path, (c) =>
      c.body(a.body, 200, {
        "Content-Type": a.type,
        "Content-Security-Policy": ADMIN_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": a.cache,
      }),
    );
  }
}

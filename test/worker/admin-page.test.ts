/**
 * The `/admin` page, as served by the Worker: its three responses carry the strict CSP and the security
 * headers; the markup has no inline script, style or handler; and the script, read as text, never writes
 * markup and never touches cookies or localStorage. (test/browser/admin-page.ts drives it in Chromium.)
 */
import { describe, expect, it } from "vitest";
import { ADMIN_HTML } from "../../src/http/admin-page/html.ts";
import { ADMIN_JS } from "../../src/http/admin-page/script.ts";
import { ADMIN_CSS } from "../../src/http/admin-page/style.ts";
import { ADMIN_CSP } from "../../src/http/routes/admin-page.ts";
import { call } from "./helpers.ts";

const ASSETS = [
  ["/admin", "text/html", "no-store", ADMIN_HTML],
  ["/admin/app.js", "text/javascript", "no-cache", ADMIN_JS],
  ["/admin/app.css", "text/css", "no-cache", ADMIN_CSS],
] as const;

const directives = (csp: string) => new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(" ")]));

describe("GET /admin and its assets", () => {
  it.each(ASSETS)("%s is served as %s, without a credential", async (path, type, cache, body) => {
    const res = await call("GET", path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(`${type}; charset=utf-8`);
    expect(res.headers.get("cache-control")).toBe(cache);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toBe(body);
  });

  it.each(ASSETS)("%s carries the strict CSP and the security headers", async (path) => {
    const res = await call("GET", path);
    expect(res.headers.get("content-security-policy")).toBe(ADMIN_CSP);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("the CSP allows this origin only, no inline code, no framing and no form submission", () => {
    expect(Object.fromEntries(directives(ADMIN_CSP))).toEqual({
      "default-src": "'none'",
      "script-src": "'self'",
      "style-src": "'self'",
      "connect-src": "'self'",
      "img-src": "'self' data:",
      "base-uri": "'none'",
      "form-action": "'none'",
      "frame-ancestors": "'none'",
      "require-trusted-types-for": "'script'",
    });
    expect(ADMIN_CSP).not.toMatch(/unsafe|\*|https?:|nonce-|sha256-/);
  });

  it("the page is in the OpenAPI document", async () => {
    const doc = (await (await call("GET", "/openapi.json")).json()) as { paths: Record<string, { get?: unknown }> };
    for (const [path] of ASSETS) expect(doc.paths[path]?.get, path).toBeDefined();
  });
});

describe("the markup", () => {
  it("has no inline script, style, handler or javascript: URL", () => {
    const scripts = [...ADMIN_HTML.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map((m) => [m[1]!.trim(), m[2]!.trim()])).toEqual([['src="/admin/app.js" defer', ""]]);
    expect(ADMIN_HTML).not.toMatch(/<style|\sstyle=|\son[a-z]+\s*=|javascript:/i);
  });

  it("loads nothing from another origin", () => {
    const urls = [...ADMIN_HTML.matchAll(/\b(?:src|href|action)="([^"]*)"/gi)].map((m) => m[1]);
    expect(urls).toEqual(["data:,", "/admin/app.css", "/admin/app.js"]);
    expect(`${ADMIN_HTML}${ADMIN_CSS}`).not.toMatch(/https?:\/\/|@import|url\(/i);
  });

  it("has every element the script looks up by id", () => {
    const ids = new Set([...ADMIN_HTML.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const used = [...new Set([...ADMIN_JS.matchAll(/\$\("([^"]+)"\)/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe("the script, read as text", () => {
  it.each([
    ["innerHTML", /innerHTML/],
    ["outerHTML", /outerHTML/],
    ["insertAdjacentHTML", /insertAdjacentHTML/],
    ["document.write", /document\.write/],
    ["DOMParser or createContextualFragment", /DOMParser|createContextualFragment/],
    ["cookies", /cookie/i],
    ["localStorage", /localStorage/],
    ["eval or new Function", /\beval\s*\(|new\s+Function/],
    ["string timers", /set(?:Timeout|Interval)\s*\(\s*["'`]/],
    ["another origin", /https?:\/\//],
  ])("never uses %s", (_name, pattern) => {
    expect(ADMIN_JS).not.toMatch(pattern);
  });

  it("writes API data as text only, and keeps the token in sessionStorage only when asked", () => {
    expect(ADMIN_JS).toContain("el.textContent = String(v)");
    expect(ADMIN_JS).toContain("document.createTextNode(String(child))");
    const storage = [...ADMIN_JS.matchAll(/sessionStorage\.(\w+)/g)].map((m) => m[1]);
    expect(storage.sort()).toEqual(["getItem", "removeItem", "setItem"]);
    expect(ADMIN_JS).toMatch(/if \(remember && state\.token\) sessionStorage\.setItem/);
  });

  it("sends the token to this origin only, without cookies or a referrer", () => {
    expect([...ADMIN_JS.matchAll(/fetch\(/g)]).toHaveLength(1);
    expect(ADMIN_JS).toContain('credentials: "omit", referrerPolicy: "no-referrer"');
  });
});

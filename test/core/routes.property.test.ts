/** Properties of the route matcher: total, query-blind, escape-consistent, and never fooled by traversal. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTIN_ROUTES } from "../../src/core/builtin-routes.ts";
import { compileRoutes, normalizePath, resolveScopes, type RouteMap, type RouteRule } from "../../src/core/routes.ts";

const compile = (rules: readonly RouteRule[]): RouteMap => {
  const c = compileRoutes(rules);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
};
const builtin = compile(BUILTIN_ROUTES);

const word = fc.stringMatching(/^[a-z]{1,3}$/);
const segment = fc.oneof(word, fc.constantFrom("api", "v1", "push", "query", "a.b", "x;y", "~", "_"));
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join("/")}`);
const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", null);
const query = fc.stringMatching(/^[a-zA-Z0-9=&/.%_-]{0,20}$/);

/** A reference matcher over the same pattern language, built on regular expressions. */
function reference(pattern: string, p: string): boolean {
  const segs = pattern.slice(1).split("/");
  const re = segs
    .map((s) => {
      if (s === "**") return "[^/]+(?:/[^/]+)*";
      if (s === "*") return "[^/]+";
      return s
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*");
    })
    .join("/");
  return new RegExp(`^/${re}$`).test(p);
}

const patternSegment = fc.oneof(word, fc.constant("*"), word.map((w) => `${w}*`), fc.tuple(word, word).map(([a, b]) => `${a}*${b}`));
const pattern = fc
  .tuple(fc.array(patternSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([segs, rest]) => `/${[...segs, ...(rest ? ["**"] : [])].join("/")}`);

describe("the route matcher", () => {
  it("never throws, whatever the method and URI", () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.string({ unit: "binary", maxLength: 300 }), (m, uri) => {
        const r = resolveScopes(builtin, m, uri);
        expect(r === null || Array.isArray(r)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with a regular-expression reference matcher", () => {
    fc.assert(
      fc.property(pattern, fc.array(word, { minLength: 1, maxLength: 6 }), (pat, segs) => {
        const p = `/${segs.join("/")}`;
        const map = compile([{ path: pat, scopes: ["metrics:read"] }]);
        expect(resolveScopes(map, "GET", p) !== null).toBe(reference(pat, p));
      }),
      { numRuns: 3000 },
    );
  });

  it("ignores the query string and the fragment", () => {
    fc.assert(
      fc.property(method, path, query, (m, p, q) => {
        expect(resolveScopes(builtin, m, `${p}?${q}`)).toEqual(resolveScopes(builtin, m, p));
        expect(resolveScopes(builtin, m, `${p}#${q}`)).toEqual(resolveScopes(builtin, m, p));
      }),
    );
  });

  it("reads a percent-encoded unreserved character as the character itself", () => {
    fc.assert(
      fc.property(method, fc.constantFrom(...BUILTIN_ROUTES.map((r) => r.path).filter((p) => !p.includes("*"))), fc.nat(), (m, p, n) => {
        const i = 1 + (n % (p.length - 1));
        if (p[i] === "/") return;
        const encoded = `${p.slice(0, i)}%${p.charCodeAt(i).toString(16).padStart(2, "0")}${p.slice(i + 1)}`;
        expect(resolveScopes(builtin, m, encoded)).toEqual(resolveScopes(builtin, m, p));
      }),
    );
  });

  it("refuses every path holding a dot segment, however it is spelled", () => {
    const dot = fc.constantFrom(".", "..", "%2e", "%2E%2e", ".%2E", "..;", ".;x", "%2e%2e;a=b");
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), dot, fc.array(segment, { maxLength: 4 }), (before, d, after) => {
        const uri = `/${[...before, d, ...after].join("/")}`;
        expect(normalizePath(uri)).toEqual({ ok: false, error: "dot_segment" });
        expect(resolveScopes(compile([{ path: "/**", scopes: ["metrics:read"] }]), "GET", uri)).toBeNull();
      }),
    );
  });

  it("refuses every path with an encoded separator or an empty inner segment", () => {
    const sep = fc.constantFrom("%2f", "%2F", "%5c", "%5C");
    fc.assert(
      fc.property(word, sep, word, path, (a, s, b, p) => {
        expect(normalizePath(`/${a}${s}${b}`).ok).toBe(false);
        expect(normalizePath(p.replace("/", "//")).ok).toBe(false);
      }),
    );
  });

  it("maps a path under a write rule to the write scope, never to a read via traversal", () => {
    const writes = ["/api/v1/push", "/loki/api/v1/push", "/otlp/v1/metrics"];
    fc.assert(
      fc.property(fc.constantFrom(...writes), fc.array(fc.constantFrom("..", "query", "%2e%2e", "."), { minLength: 1, maxLength: 3 }), (w, tail) => {
        const uri = `${w}/${tail.join("/")}`;
        const scopes = resolveScopes(builtin, "GET", uri);
        expect(scopes === null || scopes.every((s) => s.endsWith(":write"))).toBe(true);
      }),
    );
  });
});

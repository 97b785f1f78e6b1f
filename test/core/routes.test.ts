/** The route map: built-in rules, operator rules, strict path reading, and scope derivation. */
import { describe, expect, it } from "vitest";
import { BUILTIN_ROUTES } from "../../src/core/builtin-routes.ts";
import { headerReports, pickOriginal, requestedScopes } from "../../src/core/request-scopes.ts";
import { compileRoutes, MAX_PATH_LENGTH, MAX_URI_LENGTH, normalizePath, resolveScopes, type RouteMap, type RouteRule } from "../../src/core/routes.ts";

const compile = (rules: readonly RouteRule[]): RouteMap => {
  const c = compileRoutes(rules);
  if (!c.ok) throw new Error(`rule ${c.error.index}.${c.error.field}: ${c.error.message}`);
  return c.value;
};
const builtin = compile(BUILTIN_ROUTES);
const FM = "/collector.v1.CollectorService";

describe("built-in rules", () => {
  it.each([
    ["POST", "/api/v1/push", "metrics:write"],
    ["POST", "/api/prom/push", "metrics:write"],
    ["POST", "/api/v1/write", "metrics:write"],
    ["POST", "/api/v1/push?tenant=a", "metrics:write"],
    ["GET", "/api/v1/query?query=up", "metrics:read"],
    ["POST", "/api/v1/query_range", "metrics:read"],
    ["GET", "/api/v1/series", "metrics:read"],
    ["GET", "/api/v1/labels", "metrics:read"],
    ["GET", "/api/v1/label/job/values", "metrics:read"],
    ["GET", "/api/v1/label/%6Aob/values", "metrics:read"],
    ["GET", "/prometheus/api/v1/query", "metrics:read"],
    ["GET", "/prometheus/api/v1/status", "metrics:read"],
    ["GET", "/prometheus/api/v1/label/job/values", "metrics:read"],
    ["GET", "/api/prom/api/v1/query_range", "metrics:read"],
    ["POST", "/prometheus/api/v1/push", "metrics:write"],
    ["POST", "/prometheus/api/v1/admin/tsdb/delete_series", "metrics:delete"],
    ["GET", "/prometheus/api/v1/rules", "rules:read"],
    ["POST", "/loki/api/v1/push", "logs:write"],
    ["GET", "/loki/api/v1/query", "logs:read"],
    ["GET", "/loki/api/v1/query_range?query={a=%22b%22}", "logs:read"],
    ["GET", "/loki/api/v1/labels", "logs:read"],
    ["GET", "/loki/api/v1/label/app/values", "logs:read"],
    ["GET", "/loki/api/v1/series", "logs:read"],
    ["GET", "/loki/api/v1/tail", "logs:read"],
    ["POST", "/loki/api/v1/delete", "logs:delete"],
    ["POST", "/otlp/v1/metrics", "metrics:write"],
    ["POST", "/otlp/v1/logs", "logs:write"],
    ["POST", "/otlp/v1/traces", "traces:write"],
    ["POST", "/v1/metrics", "metrics:write"],
    ["POST", "/v1/logs", "logs:write"],
    ["POST", "/v1/traces", "traces:write"],
    ["POST", "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "traces:write"],
    ["POST", "/tempo/api/push", "traces:write"],
    ["GET", "/api/traces/0123abcd", "traces:read"],
    ["GET", "/api/search?tags=a", "traces:read"],
    ["GET", "/api/search/tag/service.name/values", "traces:read"],
    ["POST", "/ingest?name=app.cpu", "profiles:write"],
    ["POST", "/pyroscope/ingest", "profiles:write"],
    ["POST", "/push.v1.PusherService/Push", "profiles:write"],
    ["POST", `${FM}/RegisterCollector`, "fleet-management:read"],
    ["GET", `${FM}/GetConfig`, "fleet-management:read"],
    ["POST", `${FM}/GetConfig`, "fleet-management:read"],
    ["POST", `${FM}/UnregisterCollector`, "fleet-management:read"],
    ["post", `${FM}/RegisterCollector`, "fleet-management:read"],
  ])("%s %s → %s", (method, uri, scope) => {
    expect(resolveScopes(builtin, method, uri)).toEqual([scope]);
  });

  it.each([
    ["GET", "/"],
    ["GET", "/api/v1/pushx"],
    ["GET", "/api/v1/push/"],
    ["GET", "/api/v1/push/extra"],
    ["GET", "/API/V1/PUSH"],
    ["GET", "/api/v1/admin/tsdb/delete_series/"],
    ["GET", "/prometheus/api/v1/"],
    ["GET", "/otlp/v1/profiles"],
    ["GET", `${FM}/RegisterCollector`],
    ["DELETE", `${FM}/GetConfig`],
    ["GET", `${FM}/ListCollectors`],
    ["GET", "/api/v1/label//values"],
  ])("leaves %s %s unmapped", (method, uri) => {
    expect(resolveScopes(builtin, method, uri)).toBeNull();
  });

  it("maps a method-bound rule only when the method is known", () => {
    expect(resolveScopes(builtin, null, `${FM}/RegisterCollector`)).toBeNull();
    expect(resolveScopes(builtin, null, `${FM}/UnregisterCollector`)).toEqual(["fleet-management:read"]);
    expect(resolveScopes(builtin, null, "/api/v1/push")).toEqual(["metrics:write"]);
  });
});

describe("normalizePath refuses what an origin might read differently", () => {
  it.each([
    ["/api/v1/push/../query", "dot_segment"],
    ["/api/v1/./push", "dot_segment"],
    ["/api/v1/%2e%2e/query", "dot_segment"],
    ["/api/v1/%2E/push", "dot_segment"],
    ["/prometheus/api/v1/..;/..;/api/v1/push", "dot_segment"],
    ["/api//v1/push", "empty_segment"],
    ["//api/v1/push", "empty_segment"],
    ["/api/v1%2fpush", "encoded_separator"],
    ["/api/v1%2Fpush", "encoded_separator"],
    ["/api/v1%5cpush", "encoded_separator"],
    ["/api/v1\\push", "bad_character"],
    ["/api/v1/pu sh", "bad_character"],
    ["/api/v1/pu\tsh", "bad_character"],
    ["/api/v1/püsh", "bad_character"],
    ["/api/v1/push%", "bad_escape"],
    ["/api/v1/push%2", "bad_escape"],
    ["/api/v1/push%zz", "bad_escape"],
    ["/api/v1/%252e%252e/push", "bad_escape"],
    ["/api/v1/%00push", "bad_escape"],
    ["/api/v1/%ff", "bad_escape"],
    ["api/v1/push", "not_absolute"],
    ["http://evil/api/v1/push", "not_absolute"],
    ["", "not_absolute"],
    ["?/api/v1/push", "not_absolute"],
    [`/${"a".repeat(MAX_PATH_LENGTH)}`, "too_long"],
    [`/a?${"q".repeat(MAX_URI_LENGTH)}`, "too_long"],
  ])("%s → %s", (uri, error) => {
    expect(normalizePath(uri)).toEqual({ ok: false, error });
  });

  it.each([
    ["/", [""]],
    ["/a/b/", ["a", "b", ""]],
    ["/a?x=/../..", ["a"]],
    ["/a#/../b", ["a"]],
    ["/%61%62", ["ab"]],
    ["/caf%C3%A9", ["café"]],
    ["/a;b=c", ["a;b=c"]],
    ["/...", ["..."]],
    [`/a?${"q".repeat(MAX_URI_LENGTH - 3)}`, ["a"]],
  ])("%s reads as %j", (uri, segments) => {
    expect(normalizePath(uri)).toEqual({ ok: true, value: segments });
  });
});

describe("operator rules", () => {
  it("are checked before the built-ins, first match wins", () => {
    const map = compile([{ path: "/api/v1/push", scopes: ["logs:write"] }, ...BUILTIN_ROUTES]);
    expect(resolveScopes(map, "POST", "/api/v1/push")).toEqual(["logs:write"]);
  });

  it.each<[RouteRule, string, string, string[] | null]>([
    [{ path: "/custom/*/write", scopes: ["metrics:write"] }, "PUT", "/custom/x/write", ["metrics:write"]],
    [{ path: "/custom/*/write", scopes: ["metrics:write"] }, "PUT", "/custom//write", null],
    [{ path: "/files/**", scopes: ["profiles:read"] }, "GET", "/files/a/b/c", ["profiles:read"]],
    [{ path: "/files/**", scopes: ["profiles:read"] }, "GET", "/files", null],
    [{ path: "/files/**", scopes: ["profiles:read"] }, "GET", "/files/a/", null],
    [{ path: "/v*z", scopes: ["logs:read"] }, "GET", "/vz", ["logs:read"]],
    [{ path: "/v*z", scopes: ["logs:read"] }, "GET", "/v123z", ["logs:read"]],
    [{ method: ["put", "PATCH"], path: "/m", scopes: ["alerts:write"] }, "PUT", "/m", ["alerts:write"]],
    [{ method: ["put", "PATCH"], path: "/m", scopes: ["alerts:write"] }, "GET", "/m", null],
    [{ path: "/two", scopes: ["metrics:read", "logs:read", "metrics:read"] }, "GET", "/two", ["metrics:read", "logs:read"]],
    [{ path: "/set", scopes: ["set:alloy-data-write"] }, "GET", "/set", ["set:alloy-data-write"]],
  ])("%j: %s %s → %j", (rule, method, uri, scopes) => {
    expect(resolveScopes(compile([rule]), method, uri)).toEqual(scopes);
  });

  it.each<[RouteRule, string, string]>([
    [{ path: "api", scopes: ["metrics:read"] }, "path", "must start with /"],
    [{ path: "/a//b", scopes: ["metrics:read"] }, "path", "empty segment"],
    [{ path: "/a/../b", scopes: ["metrics:read"] }, "path", ". or .."],
    [{ path: "/a/**/b", scopes: ["metrics:read"] }, "path", "last segment"],
    [{ path: "/a*b*c", scopes: ["metrics:read"] }, "path", "more than one *"],
    [{ path: "/a%2fb", scopes: ["metrics:read"] }, "path", "not allowed"],
    [{ path: "/a?b", scopes: ["metrics:read"] }, "path", "not allowed"],
    [{ path: "/a", scopes: [] }, "scopes", "1 to 16"],
    [{ path: "/a", scopes: ["everything:all"] }, "scopes", "not a known scope"],
    [{ method: "GE T", path: "/a", scopes: ["metrics:read"] }, "method", "HTTP method"],
    [{ method: [], path: "/a", scopes: ["metrics:read"] }, "method", "HTTP method"],
  ])("refuses %j (%s: %s)", (rule, field, message) => {
    const c = compileRoutes([{ path: "/ok", scopes: ["metrics:read"] }, rule]);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.error).toMatchObject({ index: 1, field });
    expect(c.error.message).toContain(message);
  });
});

describe("requestedScopes", () => {
  const original = (method: string | null, uri: string | null) => ({ ok: true as const, value: { method, uri } });
  it.each([
    ["an explicit scope wins over the route", "metrics:read", original("POST", "/api/v1/push"), { ok: true, value: ["metrics:read"] }],
    ["a blank scope falls back to the route", "  ", original("POST", "/api/v1/push"), { ok: true, value: ["metrics:write"] }],
    ["a malformed explicit scope", "metrics:write;x", original("POST", "/api/v1/push"), { ok: false, error: "scope_denied" }],
    ["neither scope nor URI", null, original("GET", null), { ok: false, error: "scope_required" }],
    ["a blank URI", null, original("GET", " "), { ok: false, error: "scope_required" }],
    ["an unmapped URI", null, original("GET", "/nope"), { ok: false, error: "route_unmapped" }],
    ["a traversing URI", null, original("GET", "/api/v1/push/../query"), { ok: false, error: "route_invalid" }],
    ["a garbage method", null, original("G(E)T", "/api/v1/push"), { ok: false, error: "route_invalid" }],
    ["conflicting gateway headers", null, { ok: false as const, error: "route_invalid" as const }, { ok: false, error: "route_invalid" }],
    ["conflicting headers, explicit scope", "logs:read", { ok: false as const, error: "route_invalid" as const }, { ok: true, value: ["logs:read"] }],
  ])("%s", (_name, scope, orig, expected) => {
    expect(requestedScopes({ scope, original: orig }, builtin)).toEqual(expected);
  });
});

describe("pickOriginal", () => {
  const none = { originalMethod: null, originalUri: null, forwardedMethod: null, forwardedUri: null };
  it.each([
    ["nginx headers", { ...none, originalMethod: "POST", originalUri: "/a" }, { ok: true, value: { method: "POST", uri: "/a" } }],
    ["Caddy headers", { ...none, forwardedMethod: "GET", forwardedUri: "/b" }, { ok: true, value: { method: "GET", uri: "/b" } }],
    ["both, agreeing", { originalMethod: "get", originalUri: "/a", forwardedMethod: "GET", forwardedUri: "/a" }, { ok: true, value: { method: "get", uri: "/a" } }],
    ["mixed families", { ...none, originalUri: "/a", forwardedMethod: "PUT" }, { ok: true, value: { method: "PUT", uri: "/a" } }],
    ["none", none, { ok: true, value: { method: null, uri: null } }],
    ["URIs disagreeing", { ...none, originalUri: "/api/v1/query", forwardedUri: "/api/v1/push" }, { ok: false, error: "route_invalid" }],
    ["methods disagreeing", { ...none, originalMethod: "GET", forwardedMethod: "POST" }, { ok: false, error: "route_invalid" }],
  ])("%s", (_name, headers, expected) => {
    expect(pickOriginal(headerReports(headers))).toEqual(expected);
  });

  it("holds the path under /authorize/ to the same rule", () => {
    const path = { method: "POST", uri: "/api/v1/push" };
    expect(pickOriginal([path, { method: null, uri: "/api/v1/push" }])).toEqual({ ok: true, value: path });
    expect(pickOriginal([path, { method: null, uri: "/api/v1/query" }])).toEqual({ ok: false, error: "route_invalid" });
    expect(pickOriginal([path, { method: "GET", uri: null }])).toEqual({ ok: false, error: "route_invalid" });
  });
});

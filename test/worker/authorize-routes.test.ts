/** `/authorize` with the route map: gateways report the original request, Keycard derives the scope. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { BASE, basic, call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

let stack: string, writer: string, alloy: string, reader: string;
const FM = "/collector.v1.CollectorService";

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  const realm = [{ type: "stack", identifier: stack, labelPolicies: [] }];
  writer = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: realm })).secret;
  alloy = (await newPolicyToken(org, { scopes: ["set:alloy-data-write"], realms: realm })).secret;
  reader = (await newPolicyToken(org, { scopes: ["metrics:read", "logs:read"], realms: realm })).secret;
});

const authorize = (headers: Record<string, string>) => call("GET", "/authorize", { headers });
const nginx = (method: string, uri: string) => ({ "x-original-method": method, "x-original-uri": uri });
const caddy = (method: string, uri: string) => ({ "x-forwarded-method": method, "x-forwarded-uri": uri });

describe("derives the scope from the original request", () => {
  const tokens = () => ({ writer, alloy, reader });
  it.each<[string, keyof ReturnType<typeof tokens>, Record<string, string>, number, string | null]>([
    ["nginx: remote_write with a write token", "writer", nginx("POST", "/api/v1/push"), 200, null],
    ["Caddy: remote_write with a write token", "writer", caddy("POST", "/api/v1/push"), 200, null],
    ["nginx: a query with a write token", "writer", nginx("GET", "/api/v1/query?query=up"), 403, "scope_denied"],
    ["nginx: a query with a read token", "reader", nginx("GET", "/prometheus/api/v1/query_range"), 200, null],
    ["Caddy: a Loki tail with a read token", "reader", caddy("GET", "/loki/api/v1/tail?query={a=%22b%22}"), 200, null],
    ["Alloy: RegisterCollector through set:alloy-data-write", "alloy", nginx("POST", `${FM}/RegisterCollector`), 200, null],
    ["Alloy: GetConfig over GET", "alloy", caddy("GET", `${FM}/GetConfig`), 200, null],
    ["Alloy: UnregisterCollector", "alloy", nginx("POST", `${FM}/UnregisterCollector`), 200, null],
    ["Alloy: OTLP traces", "alloy", nginx("POST", "/otlp/v1/traces"), 200, null],
    ["Alloy: a query is not in the set", "alloy", nginx("GET", "/api/v1/query"), 403, "scope_denied"],
    ["an unmapped path", "writer", nginx("POST", "/api/v2/everything"), 403, "route_unmapped"],
    ["RegisterCollector over GET is unmapped", "alloy", nginx("GET", `${FM}/RegisterCollector`), 403, "route_unmapped"],
    ["a traversal out of a write path", "writer", nginx("GET", "/api/v1/push/../query"), 403, "route_invalid"],
    ["an encoded slash", "writer", nginx("POST", "/api/v1%2Fpush"), 403, "route_invalid"],
    ["nginx and Caddy headers that disagree", "writer", { ...nginx("GET", "/api/v1/query"), "x-forwarded-uri": "/api/v1/push" }, 403, "route_invalid"],
    ["no original URI at all", "writer", { "x-original-method": "POST" }, 403, "scope_required"],
  ])("%s → %i", async (_name, who, headers, status, reason) => {
    const res = await authorize({ authorization: basic(stack, tokens()[who]), ...headers });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
  });

  it("lets an explicit X-Keycard-Scope win over the route", async () => {
    const res = await authorize({ authorization: basic(stack, reader), "x-keycard-scope": "metrics:read", ...nginx("POST", "/api/v1/push") });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { claims: { scope: string } };
    expect(body.claims.scope).toBe("metrics:read");
  });

  it("checks the credential before the route", async () => {
    const res = await authorize(nginx("GET", "/nowhere"));
    expect(res.status).toBe(401);
    expect(res.headers.get("x-keycard-reason")).toBe("missing_credential");
  });
});

describe("/authorize/<original path>, as Envoy's ext_authz HTTP service sends it", () => {
  it.each<[string, string, string, Record<string, string>, number, string | null]>([
    ["a push", "POST", "/authorize/api/v1/push?x=1", {}, 200, null],
    ["a query with a write token", "GET", "/authorize/api/v1/query?query=up", {}, 403, "scope_denied"],
    ["the bare prefix", "GET", "/authorize/", {}, 403, "route_unmapped"],
    ["a header report that disagrees with the path", "POST", "/authorize/api/v1/push", { "x-original-uri": "/api/v1/query" }, 403, "route_invalid"],
    ["a header method that disagrees with the request's", "POST", "/authorize/api/v1/push", { "x-forwarded-method": "GET" }, 403, "route_invalid"],
    ["a header report that agrees", "POST", "/authorize/api/v1/push", { "x-original-uri": "/api/v1/push" }, 200, null],
    ["an empty segment", "POST", "/authorize/api//v1/push", {}, 403, "route_invalid"],
  ])("%s", async (_name, method, path, headers, status, reason) => {
    const res = await call(method, path, { headers: { authorization: basic(stack, writer), ...headers } });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
  });
});

describe("answers as gateways expect", () => {
  it("sets every header a gateway may copy on an allow, with '-' for no stack", async () => {
    const org = await newOrg();
    const orgWide = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org, labelPolicies: [] }] })).secret;
    const res = await authorize({ authorization: `Bearer ${orgWide}`, ...nginx("POST", "/api/v1/push") });
    expect(res.status).toBe(200);
    for (const h of ["x-keycard-decision", "x-keycard-subject", "x-keycard-org", "x-keycard-stack"]) expect(res.headers.get(h)).toMatch(/\S/);
    expect(res.headers.get("x-keycard-stack")).toBe("-");
    expect(res.headers.get("x-keycard-org")).toBe(org);
    expect(res.headers.get("cache-control")).toBe("private, max-age=30");
  });

  it("answers a denial with no-store and never a decision", async () => {
    const res = await authorize({ authorization: basic(stack, writer), ...nginx("GET", "/api/v1/query") });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-keycard-decision")).toBeNull();
  });
});

describe("operator rules from KEYCARD_ROUTES", () => {
  const routes = JSON.stringify([
    { method: "PUT", path: "/custom/*/ingest", scopes: ["logs:write"] },
    { path: "/api/v1/push", scopes: ["logs:write"] },
  ]);

  async function authorizeWith(vars: Record<string, unknown>, headers: Record<string, string>): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`${BASE}/authorize`, { headers }), { ...env, ...vars } as Env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("are matched before the built-ins", async () => {
    const logs = await authorizeWith({ KEYCARD_ROUTES: routes }, { authorization: basic(stack, writer), ...nginx("POST", "/api/v1/push") });
    expect(logs.headers.get("x-keycard-reason")).toBe("scope_denied");
    const custom = await authorizeWith({ KEYCARD_ROUTES: routes }, { authorization: basic(stack, reader), ...nginx("PUT", "/custom/x/ingest") });
    expect(custom.headers.get("x-keycard-reason")).toBe("scope_denied");
    const unmappedMethod = await authorizeWith({ KEYCARD_ROUTES: routes }, { authorization: basic(stack, reader), ...nginx("GET", "/custom/x/ingest") });
    expect(unmappedMethod.headers.get("x-keycard-reason")).toBe("route_unmapped");
  });

  it("may be given as an array, as a TOML [vars] array arrives", async () => {
    const res = await authorizeWith({ KEYCARD_ROUTES: [{ path: "/mine", scopes: ["metrics:write"] }] }, { authorization: basic(stack, writer), ...nginx("POST", "/mine") });
    expect(res.status).toBe(200);
  });

  it.each([
    ["not JSON", "[{"],
    ["an unknown scope", JSON.stringify([{ path: "/a", scopes: ["everything:all"] }])],
    ["a traversing pattern", JSON.stringify([{ path: "/a/../b", scopes: ["metrics:read"] }])],
    ["an unknown field", JSON.stringify([{ path: "/a", scopes: ["metrics:read"], scope: "x" }])],
  ])("refuse to start on %s: 503 misconfigured, never an allow", async (_name, value) => {
    const res = await authorizeWith({ KEYCARD_ROUTES: value }, { authorization: basic(stack, writer), ...nginx("POST", "/api/v1/push") });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe("misconfigured");
  });
});

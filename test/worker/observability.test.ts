/** Logs, metrics, failed-attempt limiting and the admin-API switch. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateToken } from "../../src/core/token.ts";
import { createApp } from "../../src/http/app.ts";
import { basic, BASE, call, newOrg, newPolicyToken, newStack, OPERATOR } from "./helpers.ts";

let org: string, stack: string, secret: string, tokenId: string;
beforeAll(async () => {
  org = await newOrg();
  stack = await newStack(org);
  ({ secret, tokenId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] }));
});
afterEach(() => vi.restoreAllMocks());

/** A fresh deployment (isolate) of Keycard over `over`, sharing the test's D1, KV and feed. */
function deployment(over: Partial<Env>) {
  const app = createApp();
  const deployed = { ...env, ...over } as Env;
  return async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${BASE}${path}`, init), deployed, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

describe("decision log", () => {
  it("writes one JSON line per decision with ids, outcome, reason and latency, never the token", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((l: unknown) => void lines.push(String(l)));
    const ok = { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write", "cf-ray": "ray-1" };
    await call("GET", "/authorize", { headers: ok });
    await call("GET", "/authorize", { headers: { ...ok, "x-keycard-scope": "logs:write", "cf-ray": "ray-2" } });
    const decisions = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "decision");
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toMatchObject({ requestId: "ray-1", tokenId, org, stack, scopes: "metrics:write", outcome: "allow", reason: "allowed" });
    expect(decisions[1]).toMatchObject({ requestId: "ray-2", tokenId, org, outcome: "deny", reason: "scope_denied" });
    expect(decisions[0].latencyMs).toEqual(expect.any(Number));
    expect(lines.join("\n")).not.toContain(secret);
  });

  it("logs admin requests with the actor and status, never a body or a token", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((l: unknown) => void lines.push(String(l)));
    await call("GET", `/api/v1/accesspolicies?orgId=${org}`, { token: OPERATOR });
    const admin = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "admin");
    expect(admin).toEqual([expect.objectContaining({ actor: "operator", method: "GET", path: "/api/v1/accesspolicies", status: 200 })]);
    expect(lines.join("\n")).not.toContain(OPERATOR);
  });
});

describe("/metrics", () => {
  it("serves Prometheus text to the operator: decisions by outcome and reason, cache hit ratio, latency histogram", async () => {
    await call("GET", "/authorize", { headers: { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" } });
    const res = await call("GET", "/metrics", { token: OPERATOR });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^keycard_decisions_total\{outcome="allow",reason="allowed"\} \d+$/m);
    expect(text).toMatch(/^keycard_cache_hit_ratio [\d.]+$/m);
    expect(text).toMatch(/^keycard_decision_latency_ms_bucket\{le="\+Inf"\} \d+$/m);
  });

  it.each([
    ["no credential", undefined, 401],
    ["a token without metrics:read in the metrics org", "client", 403],
  ])("refuses %s", async (_n, who, status) => {
    const res = await call("GET", "/metrics", who ? { token: secret } : {});
    expect(res.status).toBe(status);
  });

  it("lets a token of KEYCARD_METRICS_ORG holding metrics:read read it", async () => {
    const reader = await newPolicyToken(org, { scopes: ["metrics:read"], realms: [{ type: "org", identifier: org }] });
    const res = await deployment({ KEYCARD_METRICS_ORG: org })("/metrics", { headers: { authorization: `Bearer ${reader.secret}` } });
    expect(res.status).toBe(200);
  });
});

describe("failed-attempt limiting", () => {
  it("refuses an IP after its failures (403 rate_limited on /authorize), while valid tokens from other IPs still work", async () => {
    const strict = deployment({ FAILED_ATTEMPTS: env.FAILED_ATTEMPTS_STRICT });
    const attacker = "203.0.113.66";
    const guess = () => ({ authorization: `Bearer ${generateToken((b) => crypto.getRandomValues(b))}`, "x-keycard-scope": "metrics:write", "cf-connecting-ip": attacker });
    const reasons: string[] = [];
    for (let i = 0; i < 8; i++) reasons.push((await strict("/authorize", { headers: guess() })).headers.get("x-keycard-reason")!);
    expect(reasons.slice(0, 5)).toEqual(Array(5).fill("invalid_token"));
    expect(reasons.at(-1)).toBe("rate_limited");
    const valid = { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" };
    const blocked = await strict("/authorize", { headers: { ...valid, "cf-connecting-ip": attacker } });
    expect([blocked.status, blocked.headers.get("x-keycard-reason")]).toEqual([403, "rate_limited"]);
    expect((await strict("/authorize", { headers: { ...valid, "cf-connecting-ip": "198.51.100.7" } })).status).toBe(200);
  });

  it("answers 429 with Retry-After on /api/* after repeated failed admin logins", async () => {
    const strict = deployment({ FAILED_ATTEMPTS: env.FAILED_ATTEMPTS_STRICT });
    const ip = "203.0.113.77";
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await strict(`/api/v1/accesspolicies?orgId=${org}`, { headers: { authorization: "Bearer kc_wrong", "cf-connecting-ip": ip } });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get("retry-after")).toBe("60");
    }
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("KEYCARD_ADMIN_API=off", () => {
  it("serves authorize, JWKS and health, and nothing of the admin surface", async () => {
    const pub = deployment({ KEYCARD_ADMIN_API: "off" });
    for (const path of ["/api/v1/orgs", "/docs", "/openapi.json", "/admin"]) {
      expect((await pub(path, { headers: { authorization: `Bearer ${OPERATOR}` } })).status).toBe(404);
    }
    expect((await pub("/.well-known/jwks.json")).status).toBe(200);
    expect((await pub("/authorize", { headers: { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" } })).status).toBe(200);
  });
});

/** `/authorize` against real D1: every deny reason, the allows, and the signed decision. */
import { createExecutionContext, env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { createApp } from "../../src/http/app.ts";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../src/core/token.ts";
import { BASE, basic, call, newOrg, newPolicyToken, newStack, ok } from "./helpers.ts";

let orgA: string, orgB: string, a1: string, a2: string, b1: string;
const t: Record<string, string> = {};
let deletedTokenBody: string;

beforeAll(async () => {
  [orgA, orgB] = [await newOrg(), await newOrg()];
  [a1, a2, b1] = [await newStack(orgA), await newStack(orgA), await newStack(orgB)];
  const stackRealm = (id: string) => [{ type: "stack", identifier: id, labelPolicies: [] }];
  const orgRealm = (id: string) => [{ type: "org", identifier: id, labelPolicies: [] }];
  t.stack = (await newPolicyToken(orgA, { scopes: ["metrics:write"], realms: stackRealm(a1) })).secret;
  t.org = (
    await newPolicyToken(orgA, {
      scopes: ["set:alloy-data-write", "metrics:read"],
      realms: [{ type: "org", identifier: orgA, labelPolicies: [{ selector: "{ env = 'dev' , }" }] }],
    })
  ).secret;
  t.ip = (
    await newPolicyToken(orgA, {
      scopes: ["metrics:write"],
      realms: orgRealm(orgA),
      conditions: { allowedSubnets: ["10.0.0.0/8", "2001:db8::/32"] },
    })
  ).secret;
  t.inactive = (await newPolicyToken(orgA, { scopes: ["metrics:write"], realms: orgRealm(orgA), status: "inactive" })).secret;
  const expired = await newPolicyToken(orgA, { scopes: ["metrics:write"], realms: orgRealm(orgA) });
  await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind("2020-01-01T00:00:00.000Z", expired.tokenId).run();
  t.expired = expired.secret;
  const deleted = await newPolicyToken(orgA, { scopes: ["metrics:write"], realms: orgRealm(orgA) });
  await ok("DELETE", `/api/v1/tokens/${deleted.tokenId}`, {}, 204);
  t.deleted = deleted.secret;
  t.unknown = generateToken((b) => crypto.getRandomValues(b));
  const res = await authorize({ authorization: `Bearer ${t.deleted}`, "x-keycard-scope": "metrics:write" });
  deletedTokenBody = await res.text();
});

function authorize(headers: Record<string, string>): Promise<Response> {
  return call("GET", "/authorize", { headers });
}

const bearer = (k: string) => `Bearer ${t[k]}`;
/** Changes the last character, always to a different one. */
const flipLast = (s: string) => s.slice(0, -1) + (s.endsWith("x") ? "y" : "x");

describe("denies, with one stable reason per check", () => {
  const cases: [string, number, string, () => Record<string, string>][] = [
    ["no credential at all", 401, "missing_credential", () => ({ "x-keycard-scope": "metrics:write" })],
    ["an unknown auth scheme", 401, "invalid_token", () => ({ authorization: "Digest abc", "x-keycard-scope": "metrics:write" })],
    ["a token without the kc_ format", 401, "invalid_token", () => ({ authorization: "Bearer glc_abc", "x-keycard-scope": "metrics:write" })],
    ["a token with a bad checksum", 401, "invalid_token", () => ({ authorization: flipLast(bearer("stack")), "x-keycard-scope": "metrics:write" })],
    ["a well-formed unknown token", 401, "invalid_token", () => ({ authorization: bearer("unknown"), "x-keycard-scope": "metrics:write" })],
    ["a deleted token", 401, "invalid_token", () => ({ authorization: bearer("deleted"), "x-keycard-scope": "metrics:write" })],
    ["an expired token", 401, "token_expired", () => ({ authorization: bearer("expired"), "x-keycard-scope": "metrics:write" })],
    ["no requested scope", 403, "scope_required", () => ({ authorization: basic(a1, t.stack!) })],
    ["an inactive policy", 403, "policy_inactive", () => ({ authorization: bearer("inactive"), "x-keycard-scope": "metrics:write", "x-keycard-stack": a1 })],
    ["subnets set and no client IP", 403, "ip_unknown", () => ({ authorization: bearer("ip"), "x-keycard-scope": "metrics:write" })],
    ["a client IP outside the subnets", 403, "ip_not_allowed", () => ({ authorization: bearer("ip"), "x-keycard-scope": "metrics:write", "cf-connecting-ip": "192.168.1.1" })],
    ["an unparseable client IP", 403, "ip_unknown", () => ({ authorization: bearer("ip"), "x-keycard-scope": "metrics:write", "cf-connecting-ip": "010.0.0.1" })],
    ["a stack policy used without a stack", 403, "stack_required", () => ({ authorization: bearer("stack"), "x-keycard-scope": "metrics:write" })],
    ["a stack policy used on another stack of its org", 403, "realm_denied", () => ({ authorization: basic(a2, t.stack!), "x-keycard-scope": "metrics:write" })],
    ["a stack policy used on another org's stack", 403, "realm_denied", () => ({ authorization: basic(b1, t.stack!), "x-keycard-scope": "metrics:write" })],
    ["an org policy used on another org's stack", 403, "realm_denied", () => ({ authorization: basic(b1, t.org!), "x-keycard-scope": "metrics:write" })],
    ["an org policy used on an unknown stack", 403, "realm_denied", () => ({ authorization: basic("nope", t.org!), "x-keycard-scope": "metrics:write" })],
    ["basic username and X-Keycard-Stack disagree", 403, "stack_conflict", () => ({ authorization: basic(a1, t.stack!), "x-keycard-stack": a2, "x-keycard-scope": "metrics:write" })],
    ["a scope the policy lacks", 403, "scope_denied", () => ({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:read" })],
    ["one granted and one missing scope", 403, "scope_denied", () => ({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write logs:write" })],
    ["an unknown scope", 403, "scope_denied", () => ({ authorization: basic(a1, t.stack!), "x-keycard-scope": "everything:all" })],
    ["a malformed scope header", 403, "scope_denied", () => ({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write;drop" })],
  ];
  it.each(cases)("%s → %i %s", async (_name, status, code, headers) => {
    const res = await authorize(headers());
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(code);
    expect(res.headers.get("x-keycard-decision")).toBeNull();
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe(code);
    expect(body.message).toEqual(expect.any(String));
    if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="keycard"/);
  });

  it("answers unknown, malformed, deleted and expired-then-deleted tokens byte-identically: status, headers, body", async () => {
    const expiredThenDeleted = await newPolicyToken(orgA, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: orgA }] });
    await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind("2020-01-01T00:00:00.000Z", expiredThenDeleted.tokenId).run();
    expect((await authorize({ authorization: `Bearer ${expiredThenDeleted.secret}`, "x-keycard-scope": "metrics:write" })).status).toBe(401);
    await ok("DELETE", `/api/v1/tokens/${expiredThenDeleted.tokenId}`, {}, 204);
    const answers = await Promise.all(
      [`Bearer ${t.unknown}`, "Bearer kc_short", `Bearer ${t.deleted}`, `Bearer ${expiredThenDeleted.secret}`].map(async (authorization) => {
        const res = await authorize({ authorization, "x-keycard-scope": "metrics:write" });
        const headers = [...res.headers].filter(([k]) => k !== "date").sort();
        return JSON.stringify({ status: res.status, headers, body: await res.text() });
      }),
    );
    expect(new Set(answers).size).toBe(1);
  });

  it("answers unknown, malformed and deleted tokens identically", async () => {
    const bodies = await Promise.all(
      ["unknown", "deleted"].map(async (k) => (await authorize({ authorization: bearer(k), "x-keycard-scope": "metrics:write" })).text()),
    );
    const malformed = await (await authorize({ authorization: "Bearer kc_short", "x-keycard-scope": "metrics:write" })).text();
    expect(new Set([...bodies, malformed, deletedTokenBody]).size).toBe(1);
  });
});

describe("allows, with a decision origins can verify", () => {
  async function verify(jwt: string, audience: string) {
    const jwks = (await (await call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
    return jwtVerify(jwt, createLocalJWKSet(jwks), {
      issuer: BASE,
      audience,
      typ: "kc-decision+jwt",
      algorithms: ["EdDSA"],
    });
  }

  it("allows Alloy-style basic auth on the policy's stack", async () => {
    const res = await authorize({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write" });
    expect(res.status).toBe(200);
    const jwt = res.headers.get("x-keycard-decision")!;
    expect(res.headers.get("x-keycard-stack")).toBe(a1);
    expect(res.headers.get("x-keycard-org")).toBe(orgA);
    const { payload, protectedHeader } = await verify(jwt, "metrics");
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "kc-decision+jwt" });
    expect(payload).toMatchObject({ org: orgA, stack: a1, scope: "metrics:write", aud: ["metrics"] });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.labels).toBeUndefined();
    expect(((await res.json()) as { decision: string }).decision).toBe(jwt);
  });

  it("expands set:alloy-data-write for the Fleet Management scope, on any stack of an org realm", async () => {
    const res = await authorize({ authorization: bearer("org"), "x-keycard-stack": a2, "x-keycard-scope": "fleet-management:read" });
    expect(res.status).toBe(200);
  });

  it("puts the realm's selectors, in canonical form, in `labels` for metrics:read, and not for writes", async () => {
    const read = await authorize({ authorization: basic(a2, t.org!), "x-keycard-scope": "metrics:read" });
    const { payload } = await verify(read.headers.get("x-keycard-decision")!, "metrics");
    expect(payload.labels).toEqual(['{env="dev"}']);
    const write = await authorize({ authorization: basic(a2, t.org!), "x-keycard-scope": "metrics:write" });
    expect((await verify(write.headers.get("x-keycard-decision")!, "metrics")).payload.labels).toBeUndefined();
  });

  it.each([
    ["10.1.2.3", "10.1.2.3"],
    ["::ffff:10.1.2.3", "10.1.2.3"],
    ["2001:db8::7", "2001:db8::7"],
  ])("allows client IP %s inside the subnets, and records it as %s", async (ip, recorded) => {
    const res = await authorize({ authorization: bearer("ip"), "x-keycard-scope": "metrics:write", "cf-connecting-ip": ip });
    expect(res.status).toBe(200);
    expect((await verify(res.headers.get("x-keycard-decision")!, "metrics")).payload.ip).toBe(recorded);
  });

  it("publishes a kid that is the key's RFC 7638 thumbprint", async () => {
    const res = await authorize({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write" });
    const { kid } = decodeProtectedHeader(res.headers.get("x-keycard-decision")!);
    const jwks = (await (await call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
    const { calculateJwkThumbprint } = await import("jose");
    expect(kid).toBe(await calculateJwkThumbprint(jwks.keys[0]!));
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("rejects a tampered decision", async () => {
    const res = await authorize({ authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write" });
    const [h, p, s] = res.headers.get("x-keycard-decision")!.split(".");
    const claims = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...claims, stack: b1 })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    await expect(verify(`${h}.${forged}.${s}`, "metrics")).rejects.toThrow(/signature/);
  });

  it("takes iss from KEYCARD_ISSUER, never from the request's Host", async () => {
    const res = await exports.default.fetch(
      new Request("http://evil.example/authorize", { headers: { authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write" } }),
    );
    const { payload } = await verify(res.headers.get("x-keycard-decision")!, "metrics");
    expect(payload.iss).toBe(BASE);
  });

  it("refuses to serve (503 misconfigured) without KEYCARD_ISSUER", async () => {
    const { KEYCARD_ISSUER: _, ...rest } = env;
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`${BASE}/authorize`), rest as Env, ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "misconfigured" });
  });

  it("never needs the request body, and ignores its own query string", async () => {
    const res = await call("POST", "/authorize?scope=metrics:read", {
      headers: { authorization: basic(a1, t.stack!), "x-keycard-scope": "metrics:write", "content-type": "text/plain" },
      body: "x".repeat(100_000),
    });
    expect(res.status).toBe(200);
  });
});

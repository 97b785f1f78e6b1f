/** `x-request-id` on POST and DELETE: a retry gets the first answer without a second write. */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_SCOPES, as, expectNoWrite, orgRealm, policy, token, tokenWith, world, type Json } from "./admin-helpers.ts";
import { newOrg, OPERATOR, uniq } from "./helpers.ts";

let org: string, s1: string;
beforeAll(async () => ({ org, s1 } = await world()));

const keyed = (key: string, method: string, path: string, body?: unknown, secret = OPERATOR) =>
  as(secret, method, path, { body, headers: { "x-request-id": key } });

describe("a retry with the same key replays the first answer and writes nothing", () => {
  const writes: [string, string, () => string, () => Promise<unknown>, number][] = [
    ["creating an org", "POST", () => "/api/v1/orgs", async () => ({ name: uniq("org") }), 200],
    ["creating a stack", "POST", () => "/api/v1/stacks", async () => ({ orgId: org, name: uniq("stack") }), 200],
    ["creating a policy", "POST", () => `/api/v1/accesspolicies?orgId=${org}`, async () => ({ name: uniq("p"), scopes: ["metrics:write"], realms: orgRealm(org) }), 200],
    ["updating a policy", "POST", () => `/api/v1/accesspolicies/${lastPolicy}`, async () => ({ displayName: uniq("d") }), 200],
    ["updating a token", "POST", () => `/api/v1/tokens/${lastToken}`, async () => ({ displayName: uniq("d") }), 200],
    ["deleting a token", "DELETE", () => `/api/v1/tokens/${lastToken}`, async () => undefined, 204],
    ["deleting a policy", "DELETE", () => `/api/v1/accesspolicies/${lastPolicy}`, async () => undefined, 204],
  ];
  let lastPolicy = "", lastToken = "";
  beforeAll(async () => {
    lastPolicy = (await policy(org)).id;
    lastToken = (await token(org, lastPolicy)).id;
  });
  it.each(writes)("%s", async (_n, method, path, makeBody, status) => {
    const key = uniq("key");
    const body = await makeBody();
    const first = await keyed(key, method, path(), body);
    expect(first.status).toBe(status);
    expect(first.res.headers.get("idempotent-replayed")).toBeNull();
    const again = await expectNoWrite(() => keyed(key, method, path(), body));
    expect(again.status).toBe(status);
    expect(again.body).toEqual(first.body);
    expect(again.res.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("token creation", () => {
  it("replays the token without its secret, saying it is shown only once, and stores no secret", async () => {
    const p = await policy(org);
    const key = uniq("tf");
    const body = { accessPolicyId: p.id, name: uniq("t") };
    const first = await keyed(key, "POST", `/api/v1/tokens?orgId=${org}`, body);
    expect(first.body.token).toMatch(/^kc_/);
    const again = await expectNoWrite(() => keyed(key, "POST", `/api/v1/tokens?orgId=${org}`, body));
    expect(again.status).toBe(200);
    expect(again.body).not.toHaveProperty("token");
    expect(again.body).toEqual({ ...first.body, token: undefined, secretOmitted: true });
    expect(again.res.headers.get("cache-control")).toBe("no-store");
    const stored = JSON.stringify((await env.DB.prepare("SELECT * FROM idempotency_keys").all()).results);
    expect(stored).not.toContain(first.body.token);
  });
});

describe("keys are scoped, checked and expire", () => {
  it("the same key with a different body is a 409 idempotency_key_reused", async () => {
    const key = uniq("k");
    await keyed(key, "POST", "/api/v1/stacks", { orgId: org, name: uniq("a") });
    const r = await expectNoWrite(() => keyed(key, "POST", "/api/v1/stacks", { orgId: org, name: uniq("b") }));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("idempotency_key_reused");
  });

  it("the same key with different query parameters is a 409 too", async () => {
    const key = uniq("k");
    const { s2 } = await world();
    await policy(org, { realms: [{ type: "stack", identifier: s1 }] });
    const refused = await keyed(key, "DELETE", `/api/v1/stacks/${s1}`);
    expect(refused.status).toBe(409);
    const forced = await keyed(key, "DELETE", `/api/v1/stacks/${s1}?force=true`);
    expect(forced.status).toBe(204);
    const elsewhere = await expectNoWrite(() => keyed(key, "DELETE", `/api/v1/stacks/${s1}?force=false`));
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.code).toBe("idempotency_key_reused");
    expect((await keyed(key, "DELETE", `/api/v1/stacks/${s2}`)).status).toBe(204);
  });

  it("key order and whitespace in the body do not make a retry look new", async () => {
    const key = uniq("k");
    const name = uniq("org");
    const first = await keyed(key, "POST", "/api/v1/orgs", `{"name":"${name}"}`);
    const again = await keyed(key, "POST", "/api/v1/orgs", `{ "name" : "${name}" }`);
    expect(again.body).toEqual(first.body);
  });

  it("a key belongs to its caller and method and path: others may use the same string", async () => {
    const key = uniq("shared");
    const other = await newOrg();
    const a = (await tokenWith(org, [...ADMIN_SCOPES, "metrics:write"])).secret;
    const b = (await tokenWith(other, [...ADMIN_SCOPES, "metrics:write"])).secret;
    const body = { name: "same-name", scopes: ["metrics:write"], realms: [] as unknown[] };
    const ra = await keyed(key, "POST", "/api/v1/accesspolicies", { ...body, realms: orgRealm(org) }, a);
    const rb = await keyed(key, "POST", "/api/v1/accesspolicies", { ...body, realms: orgRealm(other) }, b);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.body.id).not.toBe(rb.body.id);
    const rs = await keyed(key, "POST", "/api/v1/stacks", { name: uniq("s") }, a);
    expect(rs.status).toBe(200);
  });

  it("a failed request is not remembered: a retry with the same key runs again", async () => {
    const key = uniq("k");
    const p = await policy(org);
    const failed = await keyed(key, "POST", `/api/v1/tokens?orgId=${org}`, { accessPolicyId: p.id, name: "x", expiresAt: "2000-01-01T00:00:00Z" });
    expect(failed.status).toBe(400);
    const fixed = await keyed(key, "POST", `/api/v1/tokens?orgId=${org}`, { accessPolicyId: p.id, name: "x", expiresAt: "2000-01-01T00:00:00Z" });
    expect(fixed.status).toBe(400);
    const other = await keyed(key, "POST", `/api/v1/tokens?orgId=${org}`, { accessPolicyId: p.id, name: "x" });
    expect(other.status).toBe(200);
  });

  it("an expired key is forgotten after 24 hours", async () => {
    const key = uniq("k");
    const first = await keyed(key, "POST", "/api/v1/stacks", { orgId: org, name: uniq("s") });
    expect(first.status).toBe(200);
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE key = ?").bind(key).run();
    const fresh = await keyed(key, "POST", "/api/v1/stacks", { orgId: org, name: uniq("s") });
    expect(fresh.status).toBe(200);
    expect(fresh.body.id).not.toBe(first.body.id);
    const rows = await env.DB.prepare("SELECT expires_at FROM idempotency_keys WHERE key = ?").bind(key).all<Json>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].expires_at > new Date().toISOString()).toBe(true);
  });

  it("keeps a key for 24 hours", async () => {
    const key = uniq("k");
    await keyed(key, "POST", "/api/v1/orgs", { name: uniq("o") });
    const row = await env.DB.prepare("SELECT created_at, expires_at FROM idempotency_keys WHERE key = ?").bind(key).first<Json>();
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(24 * 3600 * 1000);
  });

  it("ignores the generated-client default openapi-x-request-id", async () => {
    const first = await keyed("openapi-x-request-id", "POST", "/api/v1/orgs", { name: uniq("o") });
    const second = await keyed("openapi-x-request-id", "POST", "/api/v1/orgs", { name: uniq("o") });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.id).not.toBe(second.body.id);
  });

  it("refuses a key that is not printable ASCII", async () => {
    const r = await expectNoWrite(() => keyed("has space", "POST", "/api/v1/orgs", { name: uniq("o") }));
    expect(r.status).toBe(400);
    expect(r.body.details[0].path).toBe("x-request-id");
  });

  it("concurrent requests with one key write once, and both get the same answer", async () => {
    const key = uniq("race");
    const body = { orgId: org, name: uniq("s") };
    const [a, b] = await Promise.all([keyed(key, "POST", "/api/v1/stacks", body), keyed(key, "POST", "/api/v1/stacks", body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM stacks WHERE name = ?").bind(body.name).first<Json>();
    expect(rows.n).toBe(1);
  });
});

/** Tokens, happy paths: partial updates, expiry reaching /authorize, list filters. */
import { beforeAll, describe, expect, it } from "vitest";
import { auditRows, policy, token, world, type Json } from "./admin-helpers.ts";
import { call, ok } from "./helpers.ts";

let org: string;
beforeAll(async () => ({ org } = await world()));

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe("POST /api/v1/tokens/{id} changes only the fields present", () => {
  it("updates displayName, then expiresAt, then clears the expiry, keeping everything else", async () => {
    const p = await policy(org);
    const t = await token(org, p.id, { displayName: "First" });
    const { token: _secret, ...before } = t;
    const renamed = await ok<Json>("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { displayName: "Second" } });
    expect(renamed).toEqual({ ...before, displayName: "Second", updatedAt: expect.any(String) });
    const expiring = await ok<Json>("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { expiresAt: "2099-01-01T01:00:00+01:00" } });
    expect(expiring).toMatchObject({ displayName: "Second", expiresAt: "2099-01-01T00:00:00.000Z" });
    const forever = await ok<Json>("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { expiresAt: null } });
    expect(forever.expiresAt).toBeNull();
    const reset = await ok<Json>("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { displayName: "", name: t.name, accessPolicyId: p.id } });
    expect(reset.displayName).toBe(t.name);
    expect(await ok("GET", `/api/v1/tokens/${t.id}?orgId=${org}`)).toEqual(reset);
    expect((await auditRows(t.id)).map((r) => r.action)).toEqual(["token.create", "token.update", "token.update", "token.update", "token.update"]);
  });

  it("an expiry moved into the near future takes effect at once, and so does its removal", async () => {
    const t = await token(org, (await policy(org)).id);
    const authorize = async () =>
      (await call("GET", "/authorize", { headers: { authorization: `Bearer ${t.token}`, "x-keycard-scope": "metrics:write" } })).status;
    expect(await authorize()).toBe(200);
    await ok("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { expiresAt: new Date(Date.now() + 1500).toISOString() } });
    await new Promise((r) => setTimeout(r, 1600));
    expect(await authorize()).toBe(401);
    await ok("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, { body: { expiresAt: null } });
    expect(await authorize()).toBe(200);
  });

  it("deleting a token revokes it at once and writes an audit event", async () => {
    const t = await token(org, (await policy(org)).id);
    await ok("DELETE", `/api/v1/tokens/${t.id}?orgId=${org}`, {}, 204);
    const res = await call("GET", "/authorize", { headers: { authorization: `Bearer ${t.token}`, "x-keycard-scope": "metrics:write" } });
    expect(res.status).toBe(401);
    expect((await auditRows(t.id)).at(-1)).toMatchObject({ action: "token.delete", actor: "operator" });
  });
});

describe("GET /api/v1/tokens filters", () => {
  let o: string, ids: Record<string, string>, pA: string;
  beforeAll(async () => {
    ({ org: o } = await world());
    pA = (await policy(o)).id;
    const pB = (await policy(o)).id;
    ids = {
      never: (await token(o, pA, { name: "never" })).id,
      soon: (await token(o, pA, { name: "soon", expiresAt: future(10) })).id,
      later: (await token(o, pB, { name: "later", expiresAt: future(400) })).id,
      lapsing: (await token(o, pB, { name: "lapsing", expiresAt: new Date(Date.now() + 1200).toISOString() })).id,
    };
    await new Promise((r) => setTimeout(r, 1300));
  });
  const cases: [string, () => string, string[]][] = [
    ["nothing: expired tokens are left out", () => "", ["never", "soon", "later"]],
    ["includeExpired=true", () => "includeExpired=true", ["never", "soon", "later", "lapsing"]],
    ["includeExpired=false", () => "includeExpired=false", ["never", "soon", "later"]],
    ["accessPolicyId", () => `accessPolicyId=${pA}`, ["never", "soon"]],
    ["name", () => "name=later", ["later"]],
    ["expiresBefore (a token that never expires does not count)", () => `expiresBefore=${future(100)}`, ["soon"]],
    ["expiresAfter (a token that never expires counts)", () => `expiresAfter=${future(100)}`, ["never", "later"]],
    ["expiresBefore and includeExpired", () => `expiresBefore=${future(100)}&includeExpired=true`, ["soon", "lapsing"]],
    ["an expiresAfter with an offset", () => `expiresAfter=${encodeURIComponent(future(300).replace("Z", "+00:00"))}`, ["never", "later"]],
  ];
  it.each(cases)("by %s", async (_n, query, expected) => {
    const page = await ok<Json>("GET", `/api/v1/tokens?orgId=${o}&region=us&${query()}`);
    expect(page.items.map((t: Json) => t.id)).toEqual(expected.map((k) => ids[k]));
    for (const t of page.items) expect(t).not.toHaveProperty("token");
  });
});

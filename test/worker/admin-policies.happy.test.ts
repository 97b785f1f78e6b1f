/** Access policies, happy paths: partial updates, filters, the catalogue, and updates reaching /authorize. */
import { beforeAll, describe, expect, it } from "vitest";
import { auditRows, expectNoWrite, orgRealm, policy, stackRealms, token, world, type Json } from "./admin-helpers.ts";
import { basic, call, ok, uniq } from "./helpers.ts";

let org: string, s1: string, s2: string;
beforeAll(async () => ({ org, s1, s2 } = await world()));

describe("POST /api/v1/accesspolicies/{id} changes only the fields present", () => {
  const cases: [string, () => Record<string, unknown>, (p: Json) => unknown][] = [
    ["displayName", () => ({ displayName: "New name" }), (p) => p.displayName === "New name"],
    ["an empty displayName, which resets it to the name", () => ({ displayName: "" }), (p) => p.displayName === p.name],
    ["scopes", () => ({ scopes: ["logs:write", "metrics:write"] }), (p) => p.scopes.join() === "logs:write,metrics:write"],
    ["realms", () => ({ realms: stackRealms(s2) }), (p) => p.realms[0].identifier === s2 && p.realms[0].labelPolicies.length === 0],
    ["conditions", () => ({ conditions: { allowedSubnets: ["10.0.0.0/8"] } }), (p) => p.conditions.allowedSubnets[0] === "10.0.0.0/8"],
    ["status", () => ({ status: "inactive" }), (p) => p.status === "inactive"],
    ["the unchanged name", () => ({ name: "SAME" }), () => true],
  ];
  it.each(cases)("updates %s and keeps the rest", async (_n, patch, holds) => {
    const before = await policy(org, { realms: stackRealms(s1), conditions: { allowedSubnets: ["192.0.2.0/24"] } });
    const body = JSON.parse(JSON.stringify(patch()).replace('"SAME"', JSON.stringify(before.name)));
    const after = await ok<Json>("POST", `/api/v1/accesspolicies/${before.id}?orgId=${org}`, { body });
    expect(holds(after)).toBe(true);
    for (const field of ["id", "orgId", "name", "createdAt"]) expect(after[field]).toEqual(before[field]);
    for (const field of ["displayName", "scopes", "realms", "conditions", "status"]) {
      if (!(field in body)) expect(after[field]).toEqual(before[field]);
    }
    expect(after.updatedAt >= before.updatedAt).toBe(true);
    expect(await ok("GET", `/api/v1/accesspolicies/${before.id}?orgId=${org}`)).toEqual(after);
  });

  it("clears allowed subnets with conditions {} or null, as Terraform sends them", async () => {
    for (const conditions of [{}, null]) {
      const p = await policy(org, { conditions: { allowedSubnets: ["10.0.0.0/8"] } });
      const after = await ok<Json>("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: { conditions } });
      expect(after.conditions).toEqual({ allowedSubnets: [] });
    }
  });

  it("an update that changes nothing writes nothing, not even an audit event", async () => {
    const p = await policy(org, { realms: stackRealms(s1) });
    const same = { name: p.name, displayName: p.displayName, scopes: p.scopes, realms: p.realms, conditions: p.conditions, status: p.status };
    const after = await expectNoWrite(() => ok<Json>("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: same }));
    expect(after).toEqual(p);
  });

  it("writes an audit event with before and after", async () => {
    const p = await policy(org);
    await ok("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: { displayName: "Renamed" }, headers: { "x-request-id": "req-audit-1" } });
    const rows = await auditRows(p.id);
    expect(rows.map((r) => r.action)).toEqual(["accesspolicy.create", "accesspolicy.update"]);
    expect(rows[1]).toMatchObject({ actor: "operator", org_id: org, target_type: "accesspolicy", request_id: "req-audit-1" });
    expect(JSON.parse(rows[1]!.before).displayName).toBe(p.displayName);
    expect(JSON.parse(rows[1]!.after).displayName).toBe("Renamed");
  });
});

describe("an update reaches /authorize on the next request", () => {
  it("deactivating, narrowing and widening a policy change the answers of its tokens", async () => {
    const p = await policy(org, { scopes: ["metrics:write"], realms: stackRealms(s1) });
    const t = await token(org, p.id);
    const authorize = async (scope: string, stack = s1) =>
      (await call("GET", "/authorize", { headers: { authorization: basic(stack, t.token), "x-keycard-scope": scope } })).status;
    expect(await authorize("metrics:write")).toBe(200);
    await ok("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: { status: "inactive" } });
    expect(await authorize("metrics:write")).toBe(403);
    await ok("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: { status: "active", scopes: ["logs:write"] } });
    expect(await authorize("metrics:write")).toBe(403);
    expect(await authorize("logs:write")).toBe(200);
    await ok("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { body: { realms: stackRealms(s2) } });
    expect(await authorize("logs:write", s1)).toBe(403);
    expect(await authorize("logs:write", s2)).toBe(200);
  });
});

describe("GET /api/v1/accesspolicies filters", () => {
  let o: string, a: string, b: string, ids: Record<string, string>;
  beforeAll(async () => {
    ({ org: o, s1: a, s2: b } = await world());
    ids = {
      orgWide: (await policy(o, { name: "org-wide" })).id,
      onA: (await policy(o, { name: "on-a", realms: stackRealms(a) })).id,
      onAB: (await policy(o, { name: "on-a-b", realms: stackRealms(a, b), status: "inactive" })).id,
    };
  });
  const cases: [string, () => string, string[]][] = [
    ["no filter", () => "", ["orgWide", "onA", "onAB"]],
    ["name", () => "name=on-a", ["onA"]],
    ["status", () => "status=inactive", ["onAB"]],
    ["realmType=org", () => "realmType=org", ["orgWide"]],
    ["realmType=stack", () => "realmType=stack", ["onA", "onAB"]],
    ["realmIdentifier", () => `realmIdentifier=${b}`, ["onAB"]],
    ["realmType and realmIdentifier", () => `realmType=stack&realmIdentifier=${a}`, ["onA", "onAB"]],
    ["realmType=org with a stack id", () => `realmType=org&realmIdentifier=${a}`, []],
    ["several filters", () => `status=active&realmIdentifier=${a}&region=eu`, ["onA"]],
  ];
  it.each(cases)("by %s", async (_n, query, expected) => {
    const page = await ok<Json>("GET", `/api/v1/accesspolicies?orgId=${o}&${query()}`);
    expect(page.items.map((p: Json) => p.id)).toEqual(expected.map((k) => ids[k]));
  });
});

describe("GET /api/v1/accesspolicies/config", () => {
  it("returns every scope with its description, the sets with their members, and the realm types", async () => {
    const c = await ok<Json>("GET", "/api/v1/accesspolicies/config?region=us");
    const scopes = Object.fromEntries(c.scopes.map((s: Json) => [s.name, s]));
    expect(scopes["metrics:write"].description).toEqual(expect.any(String));
    expect(scopes["metrics:read"].labelPolicies).toBe(true);
    expect(scopes["accesspolicies:write"]).toBeDefined();
    expect(c.sets).toContainEqual({
      name: "set:alloy-data-write",
      scopes: ["metrics:write", "logs:write", "traces:write", "profiles:write", "fleet-management:read"],
    });
    expect(c.realms.map((r: Json) => r.type)).toEqual(["org", "stack"]);
  });

  it("is not mistaken for a policy id, and needs no admin scope", async () => {
    const t = await token(org, (await policy(org, { scopes: ["metrics:write"] })).id);
    const res = await call("GET", "/api/v1/accesspolicies/config", { token: t.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("sets");
  });
});

describe("DELETE /api/v1/accesspolicies/{id}", () => {
  it("deletes the policy and its tokens, which stop working at once", async () => {
    const p = await policy(org, { realms: orgRealm(org), name: uniq("gone") });
    const t = await token(org, p.id);
    const auth = { authorization: `Bearer ${t.token}`, "x-keycard-scope": "metrics:write" };
    expect((await call("GET", "/authorize", { headers: auth })).status).toBe(200);
    await ok("DELETE", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, {}, 204);
    expect((await call("GET", "/authorize", { headers: auth })).status).toBe(401);
    await ok("GET", `/api/v1/tokens/${t.id}?orgId=${org}`, {}, 404);
    expect((await auditRows(p.id)).at(-1)).toMatchObject({ action: "accesspolicy.delete", after: null });
  });
});

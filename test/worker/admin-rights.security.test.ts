/**
 * Admin rights by Keycard's own policies: no escalation (an admin cannot grant a scope it does not hold),
 * and stack-limited admins (tokens whose realms are stacks) manage only what lies inside their stacks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_SCOPES, as, expectNoWrite, orgRealm, policy, stackRealms, token, tokenWith, world, type Json } from "./admin-helpers.ts";
import { uniq } from "./helpers.ts";

let org: string, s1: string, s2: string;
beforeAll(async () => ({ org, s1, s2 } = await world()));

describe("no escalation", () => {
  let admin: string;
  beforeAll(async () => {
    admin = (await tokenWith(org, [...ADMIN_SCOPES, "metrics:write", "logs:write"])).secret;
  });
  const create = (scopes: string[]) =>
    expectNoWrite(() => as(admin, "POST", "/api/v1/accesspolicies", { body: { name: uniq("esc"), scopes, realms: orgRealm(org) } }));

  it("refuses to create a policy with a scope the admin does not hold, naming it", async () => {
    const r = await create(["metrics:write", "metrics:delete"]);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: "forbidden", details: [{ path: "scopes" }] });
    expect(r.body.message).toContain("metrics:delete");
  });

  it("expands sets before checking: a set is only as good as its members", async () => {
    const r = await create(["set:alloy-data-write"]);
    expect(r.status).toBe(403);
    expect(r.body.details[0].message).toContain("traces:write");
  });

  it("cannot grant admin scopes beyond its own either", async () => {
    const limited = (await tokenWith(org, ["accesspolicies:read", "accesspolicies:write", "metrics:write"])).secret;
    const r = await expectNoWrite(() =>
      as(limited, "POST", "/api/v1/accesspolicies", { body: { name: uniq("esc"), scopes: ["accesspolicies:delete"], realms: orgRealm(org) } }),
    );
    expect(r.status).toBe(403);
    expect(r.body.message).toContain("accesspolicies:delete");
  });

  it("allows what it holds, set members included", async () => {
    const holder = (await tokenWith(org, [...ADMIN_SCOPES, "set:alloy-data-write"])).secret;
    const r = await as(holder, "POST", "/api/v1/accesspolicies", { body: { name: uniq("ok"), scopes: ["traces:write", "set:otel-data-write"], realms: orgRealm(org) } });
    expect(r.status).toBe(200);
  });

  it("refuses to widen a policy by update, and to touch a policy stronger than itself", async () => {
    const mine = await policy(org, { scopes: ["metrics:write"] });
    const widen = await expectNoWrite(() => as(admin, "POST", `/api/v1/accesspolicies/${mine.id}`, { body: { scopes: ["metrics:write", "alerts:write"] } }));
    expect(widen.status).toBe(403);
    expect(widen.body.message).toContain("alerts:write");
    const stronger = await policy(org, { scopes: ["metrics:delete"] });
    const touch = await expectNoWrite(() => as(admin, "POST", `/api/v1/accesspolicies/${stronger.id}`, { body: { status: "active" } }));
    expect(touch.status).toBe(403);
    expect((await as(admin, "POST", `/api/v1/accesspolicies/${mine.id}`, { body: { scopes: ["logs:write"] } })).status).toBe(200);
  });

  it("refuses to mint or extend a token of a policy stronger than itself, but may rename or delete it", async () => {
    const stronger = await policy(org, { scopes: ["metrics:delete"] });
    const mint = await expectNoWrite(() => as(admin, "POST", "/api/v1/tokens", { body: { accessPolicyId: stronger.id, name: uniq("t") } }));
    expect(mint.status).toBe(403);
    expect(mint.body.message).toContain("metrics:delete");
    const t = await token(org, stronger.id);
    const extend = await expectNoWrite(() => as(admin, "POST", `/api/v1/tokens/${t.id}`, { body: { expiresAt: "2099-01-01T00:00:00Z" } }));
    expect(extend.status).toBe(403);
    expect((await as(admin, "POST", `/api/v1/tokens/${t.id}`, { body: { displayName: "renamed" } })).status).toBe(200);
    expect((await as(admin, "DELETE", `/api/v1/tokens/${t.id}`)).status).toBe(204);
  });

  it("lets the operator grant anything", async () => {
    expect((await policy(org, { scopes: ["metrics:delete", "authorizer:delegate"] })).id).toEqual(expect.any(String));
  });
});

describe("a token whose realms are stacks manages only what lies inside them", () => {
  let admin: string, adminPolicy: string, inS1: Json, inS1S2: Json, orgWide: Json, tokenInS1: Json, tokenOrgWide: Json;
  beforeAll(async () => {
    const a = await tokenWith(org, [...ADMIN_SCOPES, "metrics:write"], stackRealms(s1));
    [admin, adminPolicy] = [a.secret, a.policyId];
    inS1 = await policy(org, { realms: stackRealms(s1) });
    inS1S2 = await policy(org, { realms: stackRealms(s1, s2) });
    orgWide = await policy(org);
    tokenInS1 = await token(org, inS1.id);
    tokenOrgWide = await token(org, orgWide.id);
  });

  it("lists only the policies, tokens and stacks inside its stacks", async () => {
    const policies = (await as(admin, "GET", "/api/v1/accesspolicies")).body.items.map((p: Json) => p.id);
    expect(policies.sort()).toEqual([adminPolicy, inS1.id].sort());
    const tokens = (await as(admin, "GET", "/api/v1/tokens")).body.items.map((t: Json) => t.accessPolicyId);
    expect(new Set(tokens)).toEqual(new Set([adminPolicy, inS1.id]));
    expect((await as(admin, "GET", "/api/v1/stacks")).body.items.map((s: Json) => s.id)).toEqual([s1]);
  });

  it("reads, updates and deletes inside its stacks", async () => {
    expect((await as(admin, "GET", `/api/v1/accesspolicies/${inS1.id}`)).status).toBe(200);
    expect((await as(admin, "GET", `/api/v1/tokens/${tokenInS1.id}`)).status).toBe(200);
    expect((await as(admin, "POST", `/api/v1/accesspolicies/${inS1.id}`, { body: { displayName: "mine" } })).status).toBe(200);
    const created = await as(admin, "POST", "/api/v1/accesspolicies", { body: { name: uniq("in-s1"), scopes: ["metrics:write"], realms: stackRealms(s1) } });
    expect(created.status).toBe(200);
    expect((await as(admin, "POST", "/api/v1/tokens", { body: { accessPolicyId: created.body.id, name: "t" } })).status).toBe(200);
    expect((await as(admin, "DELETE", `/api/v1/accesspolicies/${created.body.id}`)).status).toBe(204);
    expect((await as(admin, "POST", `/api/v1/stacks/${s1}`, { body: { name: uniq("renamed") } })).status).toBe(200);
  });

  const outside: [string, string, () => string, () => unknown][] = [
    ["reading an org-wide policy", "GET", () => `/api/v1/accesspolicies/${orgWide.id}`, () => undefined],
    ["reading a policy that also covers another stack", "GET", () => `/api/v1/accesspolicies/${inS1S2.id}`, () => undefined],
    ["creating an org-wide policy", "POST", () => "/api/v1/accesspolicies", () => ({ name: uniq("x"), scopes: ["metrics:write"], realms: orgRealm(org) })],
    ["creating a policy on another stack", "POST", () => "/api/v1/accesspolicies", () => ({ name: uniq("x"), scopes: ["metrics:write"], realms: stackRealms(s2) })],
    ["moving its own policy to another stack", "POST", () => `/api/v1/accesspolicies/${inS1.id}`, () => ({ realms: stackRealms(s1, s2) })],
    ["deleting an org-wide policy", "DELETE", () => `/api/v1/accesspolicies/${orgWide.id}`, () => undefined],
    ["reading a token of an org-wide policy", "GET", () => `/api/v1/tokens/${tokenOrgWide.id}`, () => undefined],
    ["minting a token of an org-wide policy", "POST", () => "/api/v1/tokens", () => ({ accessPolicyId: orgWide.id, name: uniq("t") })],
    ["deleting a token of an org-wide policy", "DELETE", () => `/api/v1/tokens/${tokenOrgWide.id}`, () => undefined],
    ["reading another stack", "GET", () => `/api/v1/stacks/${s2}`, () => undefined],
    ["creating a stack", "POST", () => "/api/v1/stacks", () => ({ name: uniq("s") })],
    ["deleting another stack", "DELETE", () => `/api/v1/stacks/${s2}`, () => undefined],
    ["reading the org's audit log", "GET", () => "/api/v1/auditevents", () => undefined],
  ];
  it.each(outside)("is refused %s (403)", async (_n, method, path, body) => {
    const r = await expectNoWrite(() => as(admin, method, path(), { body: body() }));
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("forbidden");
  });
});

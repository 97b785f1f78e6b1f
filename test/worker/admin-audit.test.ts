/** The audit log: one event per change in the change's transaction, listed newest first, never a secret. */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { as, expectNoWrite, policy, snapshot, token, tokenWith, world, type Json } from "./admin-helpers.ts";
import { call, ok, OPERATOR } from "./helpers.ts";

let org: string, s1: string, p: Json, t: Json, reader: { secret: string; tokenId: string }, start: string;
beforeAll(async () => {
  ({ org, s1 } = await world());
  start = new Date().toISOString();
  reader = await tokenWith(org, ["accesspolicies:read", "accesspolicies:write", "metrics:write"]);
  p = await as(reader.secret, "POST", "/api/v1/accesspolicies", {
    body: { name: "audited", scopes: ["metrics:write"], realms: [{ type: "stack", identifier: s1 }] },
    headers: { "x-request-id": "audit-req-1" },
  }).then((r) => r.body);
  await as(reader.secret, "POST", `/api/v1/accesspolicies/${p.id}`, { body: { displayName: "Audited" } });
  t = await token(org, p.id);
  await ok("DELETE", `/api/v1/tokens/${t.id}?orgId=${org}`, {}, 204);
});

describe("GET /api/v1/auditevents", () => {
  it("lists the org's events newest first, with actor, action, target, before/after, request id and time", async () => {
    const page = await ok<Json>("GET", `/api/v1/auditevents?orgId=${org}`);
    const ids = page.items.map((e: Json) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const [deleted, created, updated, policyCreated] = page.items;
    expect(deleted).toMatchObject({ action: "token.delete", actor: "operator", targetType: "token", targetId: t.id, after: null });
    expect(deleted.before).toMatchObject({ id: t.id, name: t.name });
    expect(created).toMatchObject({ action: "token.create", before: null });
    expect(updated).toMatchObject({ action: "accesspolicy.update", actor: reader.tokenId, before: { displayName: "audited" }, after: { displayName: "Audited" } });
    expect(policyCreated).toMatchObject({ action: "accesspolicy.create", actor: reader.tokenId, requestId: "audit-req-1", orgId: org });
    expect(policyCreated.createdAt >= start).toBe(true);
  });

  it("never holds a secret", async () => {
    const all = JSON.stringify((await env.DB.prepare("SELECT * FROM audit_events").all()).results);
    expect(all).not.toContain(t.token);
    expect(all).not.toContain(reader.secret);
    expect(all).not.toContain(OPERATOR);
    expect(all).not.toMatch(/"token":"kc_/);
  });

  const filters: [string, () => string, (e: Json) => boolean][] = [
    ["targetId", () => `targetId=${p.id}`, (e) => e.targetId === p.id],
    ["targetType", () => "targetType=token", (e) => e.targetType === "token"],
    ["action", () => "action=accesspolicy.update", (e) => e.action === "accesspolicy.update"],
    ["from", () => `from=${encodeURIComponent(start)}`, (e) => e.createdAt >= start],
    ["to (exclusive)", () => `to=${encodeURIComponent(start)}`, (e) => e.createdAt < start],
  ];
  it.each(filters)("filters by %s", async (_n, query, holds) => {
    const page = await ok<Json>("GET", `/api/v1/auditevents?orgId=${org}&${query()}`);
    const all = await ok<Json>("GET", `/api/v1/auditevents?orgId=${org}&pageSize=1000`);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items).toEqual(all.items.filter(holds));
  });

  it("pages newest first without repeating or skipping, following nextPage", async () => {
    const all = (await ok<Json>("GET", `/api/v1/auditevents?orgId=${org}&pageSize=1000`)).items.map((e: Json) => e.id);
    const seen: string[] = [];
    let path: string | null = `/api/v1/auditevents?orgId=${org}&pageSize=2`;
    while (path) {
      const page: Json = await ok("GET", path);
      seen.push(...page.items.map((e: Json) => e.id));
      path = page.metadata.pagination.nextPage;
    }
    expect(seen).toEqual(all);
  });

  it("needs accesspolicies:read on the whole org", async () => {
    const writer = await tokenWith(org, ["accesspolicies:write", "metrics:write"]);
    expect((await as(writer.secret, "GET", "/api/v1/auditevents")).status).toBe(403);
    expect((await as(reader.secret, "GET", "/api/v1/auditevents")).status).toBe(200);
  });
});

describe("if the audit event cannot be written, the change is not made", () => {
  const broken = async (f: () => Promise<Response>) => {
    const before = await snapshot();
    await env.DB.prepare("ALTER TABLE audit_events RENAME TO audit_events_gone").run();
    let res: Response;
    try {
      res = await f();
    } finally {
      await env.DB.prepare("ALTER TABLE audit_events_gone RENAME TO audit_events").run();
    }
    expect(res.status).toBe(503);
    expect(await snapshot()).toBe(before);
  };
  const op = (method: string, path: string, body?: unknown) => () =>
    call(method, path, { token: OPERATOR, body, headers: { "x-request-id": `broken-${method}-${path}` } });

  it("for every kind of change", async () => {
    const victim = await policy(org);
    const tok = await token(org, victim.id);
    await broken(op("POST", "/api/v1/orgs", { name: "never-org" }));
    await broken(op("POST", "/api/v1/stacks", { orgId: org, name: "never-stack" }));
    await broken(op("POST", `/api/v1/stacks/${s1}`, { name: "never-renamed" }));
    await broken(op("POST", `/api/v1/accesspolicies?orgId=${org}`, { name: "never", scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] }));
    await broken(op("POST", `/api/v1/accesspolicies/${victim.id}`, { status: "inactive" }));
    await broken(op("DELETE", `/api/v1/accesspolicies/${victim.id}`));
    await broken(op("POST", `/api/v1/tokens?orgId=${org}`, { accessPolicyId: victim.id, name: "never" }));
    await broken(op("POST", `/api/v1/tokens/${tok.id}`, { displayName: "never" }));
    await broken(op("DELETE", `/api/v1/tokens/${tok.id}`));
    await broken(op("DELETE", `/api/v1/orgs/${org}?force=true`));
    const auth = { authorization: `Bearer ${tok.token}`, "x-keycard-scope": "metrics:write" };
    expect((await call("GET", "/authorize", { headers: auth })).status).toBe(200);
  });

  it("and a refused change writes no audit event", async () => {
    await expectNoWrite(() => call("POST", `/api/v1/accesspolicies/${p.id}`, { token: OPERATOR, body: { name: "renamed" } }));
  });
});

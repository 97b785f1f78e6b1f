/** Access policies, errors: every bad request gets a clear answer and writes nothing, no audit event either. */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoWrite, orgRealm, policy, snapshot, stackRealms, world, type Json } from "./admin-helpers.ts";
import { call, newOrg, newStack, OPERATOR } from "./helpers.ts";

let org: string, s1: string, other: string, otherStack: string, p: Json;
beforeAll(async () => {
  ({ org, s1 } = await world());
  other = await newOrg();
  otherStack = await newStack(other);
  p = await policy(org, { scopes: ["metrics:read"], realms: stackRealms(s1) });
});

const send = (method: string, path: string, body?: unknown) =>
  expectNoWrite(async () => {
    const res = await call(method, path, { token: OPERATOR, body });
    return { status: res.status, body: (await res.json()) as Json };
  });

describe("POST /api/v1/accesspolicies/{id} refuses", () => {
  const cases: [string, () => unknown, number, string, string?][] = [
    ["a different name (names are immutable)", () => ({ name: "renamed" }), 400, "name"],
    ["an unknown scope", () => ({ scopes: ["metrics:read", "metrics:fly"] }), 400, "scopes.1"],
    ["no scopes", () => ({ scopes: [] }), 400, "scopes"],
    ["no realms", () => ({ realms: [] }), 400, "realms"],
    ["a stack of another org", () => ({ realms: stackRealms(otherStack) }), 400, "realms.0.identifier"],
    ["an org realm of another org", () => ({ realms: orgRealm(other) }), 400, "realms.0.identifier"],
    ["a realm listed twice", () => ({ realms: stackRealms(s1, s1) }), 400, "realms.1"],
    ["a bad selector, with its position", () => ({ realms: [{ type: "stack", identifier: s1, labelPolicies: [{ selector: '{env="a"' }] }] }), 400, "realms.0.labelPolicies.0.selector", "position"],
    ["label policies once metrics:read is gone", () => ({ scopes: ["metrics:write"], realms: [{ type: "stack", identifier: s1, labelPolicies: [{ selector: '{a="b"}' }] }] }), 400, "realms.0.labelPolicies.0.selector"],
    ["a bad CIDR", () => ({ conditions: { allowedSubnets: ["10.0.0.1/8"] } }), 400, "conditions.allowedSubnets.0"],
    ["a bad status", () => ({ status: "paused" }), 400, "status"],
    ["a field that is not writable", () => ({ orgId: other }), 400, ""],
    ["a non-object body", () => [1, 2], 400, ""],
  ];
  it.each(cases)("%s", async (_n, body, status, path, inMessage) => {
    const r = await send("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, body());
    expect(r.status).toBe(status);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.details.map((d: Json) => d.path)).toContain(path);
    if (inMessage) expect(JSON.stringify(r.body.details)).toContain(inMessage);
  });
});

describe("unknown ids are a 404", () => {
  const missing = "0190aaaa-0000-7000-8000-000000000000";
  it.each([
    ["GET", `/api/v1/accesspolicies/${missing}`],
    ["POST", `/api/v1/accesspolicies/${missing}`],
    ["DELETE", `/api/v1/accesspolicies/${missing}`],
  ])("%s %s", async (method, path) => {
    const r = await send(method, `${path}?orgId=${org}`, method === "POST" ? { displayName: "x" } : undefined);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: "not_found", message: "access policy not found" });
  });

  it("an unknown orgId is a 404 for the operator", async () => {
    const r = await send("GET", `/api/v1/accesspolicies?orgId=${missing}`);
    expect(r.status).toBe(404);
  });
});

describe("list parameters are checked", () => {
  it.each([
    ["pageSize=0", "pageSize"],
    ["pageSize=1001", "pageSize"],
    ["pageSize=ten", "pageSize"],
    ["realmType=galaxy", "realmType"],
    ["status=paused", "status"],
  ])("?%s is a 400 naming %s", async (query, path) => {
    const r = await send("GET", `/api/v1/accesspolicies?orgId=${org}&${query}`);
    expect(r.status).toBe(400);
    expect(r.body.details.map((d: Json) => d.path)).toContain(path);
  });

  it("pageSize defaults to 100 and may be 1000", async () => {
    const page = (await send("GET", `/api/v1/accesspolicies?orgId=${org}`)).body;
    expect(page.metadata.pagination.pageSize).toBe(100);
    expect((await send("GET", `/api/v1/accesspolicies?orgId=${org}&pageSize=1000`)).body.metadata.pagination.pageSize).toBe(1000);
  });
});

describe("a write that fails in storage changes nothing", () => {
  it("a policy update whose audit event cannot be written is not applied (503)", async () => {
    const before = await snapshot();
    await env.DB.prepare("ALTER TABLE audit_events RENAME TO audit_events_away").run();
    try {
      const res = await call("POST", `/api/v1/accesspolicies/${p.id}?orgId=${org}`, { token: OPERATOR, body: { displayName: "never" } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: "unavailable" });
    } finally {
      await env.DB.prepare("ALTER TABLE audit_events_away RENAME TO audit_events").run();
    }
    expect(await snapshot()).toBe(before);
    expect((await send("GET", `/api/v1/accesspolicies/${p.id}?orgId=${org}`)).body.displayName).toBe(p.displayName);
  });
});

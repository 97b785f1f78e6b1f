/** Orgs and stacks: list, get, update, delete; what a delete refuses, and what ?force=true takes with it. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, as, auditRows, expectNoWrite, orgRealm, policy, stackRealms, token, tokenWith, world, type Json } from "./admin-helpers.ts";
import { basic, call, newOrg, ok, uniq } from "./helpers.ts";

const count = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;

describe("orgs", () => {
  it("lists, gets and renames an org; a token sees only its own", async () => {
    const org = await newOrg();
    const name = uniq("renamed");
    const renamed = await ok<Json>("POST", `/api/v1/orgs/${org}`, { body: { name } });
    expect(renamed).toMatchObject({ id: org, name });
    expect(await ok("GET", `/api/v1/orgs/${org}`)).toEqual(renamed);
    const all = await ok<Json>("GET", "/api/v1/orgs?pageSize=1000");
    expect(all.items.map((o: Json) => o.id)).toContain(org);
    const { secret } = await tokenWith(org, ["accesspolicies:read"]);
    expect((await as(secret, "GET", "/api/v1/orgs")).body.items).toEqual([renamed]);
    expect((await auditRows(org)).map((r) => r.action)).toEqual(["org.create", "org.update"]);
  });

  it("refuses to delete an org that still owns things, naming them", async () => {
    const org = await newOrg();
    const stack = await (await call("POST", "/api/v1/stacks", { token: env.KEYCARD_OPERATOR_TOKEN!, body: { orgId: org, name: "s" } })).json<Json>();
    await token(org, (await policy(org, { realms: stackRealms(stack.id) })).id);
    const r = await expectNoWrite(() => as(env.KEYCARD_OPERATOR_TOKEN!, "DELETE", `/api/v1/orgs/${org}`));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("conflict");
    expect(r.body.message).toContain("1 stack, 1 access policy, 1 token");
    expect(r.body.details.map((d: Json) => d.path)).toEqual(["stacks", "accessPolicies", "tokens"]);
  });

  it("deletes an empty org, and with ?force=true an org with everything in it, whose tokens stop working", async () => {
    await ok("DELETE", `/api/v1/orgs/${await newOrg()}`, {}, 204);
    const { org, s1 } = await world();
    const p = await policy(org, { realms: stackRealms(s1) });
    const t = await token(org, p.id);
    const auth = { authorization: basic(s1, t.token), "x-keycard-scope": "metrics:write" };
    expect((await call("GET", "/authorize", { headers: auth })).status).toBe(200);
    await ok("DELETE", `/api/v1/orgs/${org}?force=true`, {}, 204);
    expect((await call("GET", "/authorize", { headers: auth })).status).toBe(401);
    for (const table of ["stacks", "access_policies", "tokens"]) expect(await count(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`, org)).toBe(0);
    await ok("GET", `/api/v1/orgs/${org}`, {}, 404);
    const [event] = (await auditRows(org)).filter((r) => r.action === "org.delete");
    expect(JSON.parse(event!.before).cascade).toEqual({ stacks: 2, accessPolicies: 1, tokens: 1 });
  });
});

describe("stacks", () => {
  it("lists, gets and renames stacks; a duplicate name is a 409", async () => {
    const { org, s1, s2 } = await world();
    const page = await ok<Json>("GET", `/api/v1/stacks?orgId=${org}&region=eu`);
    expect(page.items.map((s: Json) => s.id)).toEqual([s1, s2]);
    const name = uniq("prod");
    const renamed = await ok<Json>("POST", `/api/v1/stacks/${s1}`, { body: { name } });
    expect(renamed).toMatchObject({ id: s1, orgId: org, name });
    expect(await ok("GET", `/api/v1/stacks/${s1}?orgId=${org}`)).toEqual(renamed);
    const dup = await expectNoWrite(() => as(env.KEYCARD_OPERATOR_TOKEN!, "POST", `/api/v1/stacks/${s2}`, { body: { name } }));
    expect(dup.status).toBe(409);
    expect((await auditRows(s1)).map((r) => r.action)).toEqual(["stack.create", "stack.update"]);
  });

  it("refuses to delete a stack named in policies' realms, naming the policies", async () => {
    const { org, s1 } = await world();
    const p = await policy(org, { name: uniq("uses-s1"), realms: stackRealms(s1) });
    const r = await expectNoWrite(() => as(env.KEYCARD_OPERATOR_TOKEN!, "DELETE", `/api/v1/stacks/${s1}`));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("conflict");
    expect(r.body.message).toContain(p.name);
    expect(r.body.details).toEqual([{ path: "accessPolicies", message: expect.stringContaining(p.name) }]);
  });

  it("deletes an unused stack", async () => {
    const { org, s2 } = await world();
    await policy(org, { realms: orgRealm(org) });
    await ok("DELETE", `/api/v1/stacks/${s2}`, {}, 204);
    await ok("GET", `/api/v1/stacks/${s2}`, {}, 404);
  });

  it("with ?force=true strips the stack from policies that keep other realms, and deletes those it was the only realm of", async () => {
    const { org, s1, s2 } = await world();
    const both = await policy(org, { realms: stackRealms(s1, s2) });
    const only = await policy(org, { realms: stackRealms(s1) });
    const elsewhere = await policy(org, { realms: stackRealms(s2) });
    const [tBoth, tOnly] = [await token(org, both.id), await token(org, only.id)];
    const authorize = async (t: Json, stack: string) =>
      (await call("GET", "/authorize", { headers: { authorization: basic(stack, t.token), "x-keycard-scope": "metrics:write" } })).status;
    expect(await authorize(tBoth, s1)).toBe(200);
    expect(await authorize(tOnly, s1)).toBe(200);

    await ok("DELETE", `/api/v1/stacks/${s1}?force=true`, { headers: { "x-request-id": "force-1" } }, 204);

    expect((await ok<Json>("GET", `/api/v1/accesspolicies/${both.id}`)).realms).toEqual(stackRealms(s2).map((r) => ({ ...r, labelPolicies: [] })));
    await ok("GET", `/api/v1/accesspolicies/${only.id}`, {}, 404);
    await ok("GET", `/api/v1/tokens/${tOnly.id}`, {}, 404);
    expect((await ok<Json>("GET", `/api/v1/accesspolicies/${elsewhere.id}`)).updatedAt).toBe(elsewhere.updatedAt);
    expect(await authorize(tBoth, s1)).toBe(403);
    expect(await authorize(tBoth, s2)).toBe(200);
    expect(await authorize(tOnly, s1)).toBe(401);

    const events = await env.DB.prepare("SELECT action, target_id FROM audit_events WHERE request_id = 'force-1' ORDER BY id").all();
    expect(events.results).toEqual([
      { action: "stack.delete", target_id: s1 },
      { action: "accesspolicy.update", target_id: both.id },
      { action: "accesspolicy.delete", target_id: only.id },
    ]);
  });

  it("a forced cascade needs the access-policy scopes on the policies it touches", async () => {
    const { org, s1 } = await world();
    await policy(org, { realms: stackRealms(s1) });
    const stacksOnly = (await tokenWith(org, ["stacks:read", "stacks:delete"])).secret;
    const r = await expectNoWrite(() => as(stacksOnly, "DELETE", `/api/v1/stacks/${s1}?force=true`));
    expect(r.status).toBe(403);
    expect(r.body.message).toContain("accesspolicies:delete");
    const full = (await tokenWith(org, [...ADMIN_SCOPES, "metrics:write"])).secret;
    expect((await as(full, "DELETE", `/api/v1/stacks/${s1}?force=true`)).status).toBe(204);
  });
});

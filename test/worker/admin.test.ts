/** The admin API of issue #2 against real D1: happy paths, errors, and what they must not write. */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, newOrg, newPolicyToken, newStack, ok, OPERATOR, uniq } from "./helpers.ts";

let org: string, other: string, stack: string, otherStack: string;

beforeAll(async () => {
  [org, other] = [await newOrg(), await newOrg()];
  [stack, otherStack] = [await newStack(org), await newStack(other)];
});

const auditCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_events").first<{ n: number }>())!.n;

describe("happy paths", () => {
  it("creates a policy in Grafana's shape, with displayName defaulting to name", async () => {
    const name = uniq("metrics-writer");
    const p = await ok("POST", `/api/v1/accesspolicies?orgId=${org}&region=eu`, {
      body: { name, scopes: ["metrics:write"], realms: [{ type: "stack", identifier: stack, labelPolicies: [] }] },
    });
    expect(p).toMatchObject({
      orgId: org,
      name,
      displayName: name,
      scopes: ["metrics:write"],
      realms: [{ type: "stack", identifier: stack, labelPolicies: [] }],
      conditions: { allowedSubnets: [] },
      status: "active",
    });
    expect(await ok("GET", `/api/v1/accesspolicies/${p.id}?orgId=${org}`)).toEqual(p);
  });

  it("shows a token's secret once, at creation, and stores only its SHA-256", async () => {
    const { tokenId, secret } = await newPolicyToken(org, { scopes: ["logs:write"], realms: [{ type: "org", identifier: org }] });
    expect(secret).toMatch(/^kc_[0-9A-Za-z]{38}$/);
    const got = await ok("GET", `/api/v1/tokens/${tokenId}?orgId=${org}`);
    expect(got).not.toHaveProperty("token");
    expect(JSON.stringify(got)).not.toContain(secret);
    const row = await env.DB.prepare("SELECT * FROM tokens WHERE id = ?").bind(tokenId).first<Record<string, unknown>>();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
    expect(row!.token_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("lists with Grafana's pagination envelope, following nextPage to the end", async () => {
    const o = await newOrg();
    for (let i = 0; i < 5; i++) await newPolicyToken(o, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: o }] });
    const seen: string[] = [];
    let path: string | null = `/api/v1/accesspolicies?orgId=${o}&pageSize=2`;
    while (path) {
      const page: { items: { id: string }[]; metadata: { pagination: { pageSize: number; nextPage: string | null } } } = await ok("GET", path);
      expect(page.metadata.pagination.pageSize).toBe(2);
      seen.push(...page.items.map((x) => x.id));
      path = page.metadata.pagination.nextPage;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("deletes a policy together with its tokens", async () => {
    const { policyId, tokenId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
    await ok("DELETE", `/api/v1/accesspolicies/${policyId}?orgId=${org}`, {}, 204);
    await ok("GET", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 404);
  });

  it("writes an audit event with every change, never with a secret", async () => {
    const { secret, tokenId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
    const { results } = await env.DB.prepare("SELECT * FROM audit_events WHERE target_id = ?").bind(tokenId).all();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ action: "token.create", actor: "operator", org_id: org });
    const all = await env.DB.prepare("SELECT * FROM audit_events").all();
    expect(JSON.stringify(all.results)).not.toContain(secret);
    expect(JSON.stringify(all.results)).not.toContain(OPERATOR);
  });
});

describe("bad input gets a clear error and changes nothing", () => {
  const policy = (over: Record<string, unknown>) => ({
    name: uniq("p"),
    scopes: ["metrics:write"],
    realms: [{ type: "org", identifier: "ORG" }],
    ...over,
  });
  const cases: [string, Record<string, unknown>, string][] = [
    ["an unknown scope", { scopes: ["metrics:write", "metrics:fly"] }, "scopes.1"],
    ["no scopes", { scopes: [] }, "scopes"],
    ["no realms", { realms: [] }, "realms"],
    ["an org realm of another org", { realms: [{ type: "org", identifier: "OTHER" }] }, "realms.0.identifier"],
    ["a stack of another org", { realms: [{ type: "stack", identifier: "OTHER_STACK" }] }, "realms.0.identifier"],
    ["an unknown realm type", { realms: [{ type: "galaxy", identifier: "x" }] }, "realms.0.type"],
    ["a CIDR with host bits set", { conditions: { allowedSubnets: ["10.0.0.1/8"] } }, "conditions.allowedSubnets.0"],
    ["a non-dotted-quad address", { conditions: { allowedSubnets: ["010.0.0.1/32"] } }, "conditions.allowedSubnets.0"],
    ["a CIDR without prefix", { conditions: { allowedSubnets: ["10.0.0.1"] } }, "conditions.allowedSubnets.0"],
    ["an uppercase name", { name: "Bad Name" }, "name"],
    ["an unknown field", { owner: "me" }, ""],
    ["a bad status", { status: "paused" }, "status"],
    ["label policies without a read scope", { realms: [{ type: "org", identifier: "ORG", labelPolicies: [{ selector: '{a="b"}' }] }] }, "realms.0.labelPolicies.0.selector"],
  ];
  it.each(cases)("rejects %s with 400 naming %s", async (_n, over, path) => {
    const body = JSON.parse(
      JSON.stringify(policy(over)).replaceAll('"ORG"', JSON.stringify(org)).replaceAll('"OTHER"', JSON.stringify(other)).replaceAll('"OTHER_STACK"', JSON.stringify(otherStack)),
    );
    const before = await auditCount();
    const res = await call("POST", `/api/v1/accesspolicies?orgId=${org}`, { token: OPERATOR, body });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { code: string; message: string; details: { path: string; message: string }[] };
    expect(err.code).toBe("validation_failed");
    expect(err.message).toEqual(expect.any(String));
    expect(err.details.map((d) => d.path)).toContain(path);
    expect(await auditCount()).toBe(before);
  });

  it("answers 409 to a duplicate policy name in the same org, and allows it in another org", async () => {
    const name = uniq("dup");
    const body = (o: string) => ({ name, scopes: ["metrics:write"], realms: [{ type: "org", identifier: o }] });
    await ok("POST", `/api/v1/accesspolicies?orgId=${org}`, { body: body(org) });
    const res = await call("POST", `/api/v1/accesspolicies?orgId=${org}`, { token: OPERATOR, body: body(org) });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "conflict" });
    await ok("POST", `/api/v1/accesspolicies?orgId=${other}`, { body: body(other) });
  });

  it.each([
    ["GET", "/api/v1/accesspolicies/0190aaaa-0000-7000-8000-000000000000"],
    ["DELETE", "/api/v1/tokens/0190aaaa-0000-7000-8000-000000000000"],
    ["GET", "/api/v1/stacks/nope"],
  ])("answers 404 for %s %s", async (method, path) => {
    const res = await call(method, `${path}?orgId=${org}`, { token: OPERATOR });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found" });
  });

  it("answers 415 to a body that is not JSON", async () => {
    const res = await call("POST", "/api/v1/orgs", { token: OPERATOR, body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: "unsupported_media_type" });
  });

  it("answers 400 to malformed JSON", async () => {
    const res = await call("POST", "/api/v1/orgs", { token: OPERATOR, body: "{nope" });
    expect(res.status).toBe(400);
  });

  it("answers 401 without a credential, and to a wrong operator token", async () => {
    expect((await call("GET", `/api/v1/accesspolicies?orgId=${org}`)).status).toBe(401);
    const res = await call("GET", `/api/v1/accesspolicies?orgId=${org}`, { token: OPERATOR.slice(0, -1) + "0" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("requires the operator to name the org", async () => {
    const res = await call("GET", "/api/v1/accesspolicies", { token: OPERATOR });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ details: [{ path: "orgId" }] });
  });

  it("refuses a token whose expiry is in the past", async () => {
    const { policyId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
    const res = await call("POST", `/api/v1/tokens?orgId=${org}`, {
      token: OPERATOR,
      body: { accessPolicyId: policyId, name: uniq("t"), expiresAt: "2020-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ details: [{ path: "expiresAt" }] });
  });
});

describe("org tokens act in their own org only", () => {
  it("lets an org admin token manage its org, and shows other orgs' objects as 404", async () => {
    const { secret } = await newPolicyToken(org, {
      scopes: ["accesspolicies:read", "accesspolicies:write"],
      realms: [{ type: "org", identifier: org }],
    });
    const mine = await call("GET", "/api/v1/accesspolicies", { token: secret });
    expect(mine.status).toBe(200);
    const foreign = await newPolicyToken(other, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: other }] });
    expect((await call("GET", `/api/v1/accesspolicies/${foreign.policyId}`, { token: secret })).status).toBe(404);
    expect((await call("GET", `/api/v1/accesspolicies?orgId=${other}`, { token: secret })).status).toBe(404);
    expect((await call("POST", "/api/v1/orgs", { token: secret, body: { name: uniq("x") } })).status).toBe(403);
  });
});

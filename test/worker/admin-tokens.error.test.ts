/** Tokens, errors: clear answers, and nothing written. */
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoWrite, policy, token, world, type Json } from "./admin-helpers.ts";
import { call, newOrg, OPERATOR } from "./helpers.ts";

let org: string, t: Json, p: Json, foreignPolicy: Json;
beforeAll(async () => {
  ({ org } = await world());
  p = await policy(org);
  t = await token(org, p.id);
  const other = await newOrg();
  foreignPolicy = await policy(other);
});

const send = (method: string, path: string, body?: unknown) =>
  expectNoWrite(async () => {
    const res = await call(method, path, { token: OPERATOR, body });
    return { status: res.status, body: (await res.json()) as Json };
  });

describe("POST /api/v1/tokens refuses", () => {
  const cases: [string, () => unknown, number, string][] = [
    ["a policy of another org", () => ({ accessPolicyId: foreignPolicy.id, name: "x" }), 400, "accessPolicyId"],
    ["an unknown policy", () => ({ accessPolicyId: "0190aaaa-0000-7000-8000-000000000000", name: "x" }), 400, "accessPolicyId"],
    ["no name", () => ({ accessPolicyId: p.id }), 400, "name"],
    ["an uppercase name", () => ({ accessPolicyId: p.id, name: "Alloy" }), 400, "name"],
    ["an expiry in the past", () => ({ accessPolicyId: p.id, name: "x", expiresAt: "2020-01-01T00:00:00Z" }), 400, "expiresAt"],
    ["an expiry that is not a time", () => ({ accessPolicyId: p.id, name: "x", expiresAt: "tomorrow" }), 400, "expiresAt"],
    ["a secret chosen by the caller", () => ({ accessPolicyId: p.id, name: "x", token: "kc_mine" }), 400, ""],
  ];
  it.each(cases)("%s", async (_n, body, status, path) => {
    const r = await send("POST", `/api/v1/tokens?orgId=${org}`, body());
    expect(r.status).toBe(status);
    expect(r.body.details.map((d: Json) => d.path)).toContain(path);
  });

  it("a name taken in the same policy is a 409", async () => {
    const r = await send("POST", `/api/v1/tokens?orgId=${org}`, { accessPolicyId: p.id, name: t.name });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: "conflict" });
  });
});

describe("POST /api/v1/tokens/{id} refuses", () => {
  const cases: [string, () => unknown, string][] = [
    ["a new name", () => ({ name: "renamed" }), "name"],
    ["another policy", () => ({ accessPolicyId: foreignPolicy.id }), "accessPolicyId"],
    ["an expiry in the past", () => ({ expiresAt: "2001-01-01T00:00:00Z" }), "expiresAt"],
    ["a field that cannot change", () => ({ lastUsedAt: "2030-01-01T00:00:00Z" }), ""],
  ];
  it.each(cases)("%s", async (_n, body, path) => {
    const r = await send("POST", `/api/v1/tokens/${t.id}?orgId=${org}`, body());
    expect(r.status).toBe(400);
    expect(r.body.details.map((d: Json) => d.path)).toContain(path);
  });

  it("an unknown token is a 404", async () => {
    const r = await send("POST", `/api/v1/tokens/0190aaaa-0000-7000-8000-000000000000?orgId=${org}`, { displayName: "x" });
    expect(r.status).toBe(404);
  });
});

describe("GET /api/v1/tokens refuses bad filters", () => {
  it.each([
    ["expiresBefore=soon", "expiresBefore"],
    ["expiresAfter=2030-13-01T00:00:00Z", "expiresAfter"],
    ["includeExpired=yes", "includeExpired"],
    ["accessPolicyId=a%20b", "accessPolicyId"],
  ])("?%s is a 400 naming %s", async (query, path) => {
    const r = await send("GET", `/api/v1/tokens?orgId=${org}&${query}`);
    expect(r.status).toBe(400);
    expect(r.body.details.map((d: Json) => d.path)).toContain(path);
  });
});

/**
 * Token expiry at its exact boundary through the Worker (issue #7, item 6): `tokens.expires_at` is
 * set directly in D1, relative to the clock, and `/authorize`, the admin API and gateway delegation
 * are asked at −1 s, −1 ms, 0, +1 ms and +1 s around it.
 *
 * Two clocks: the real one (the Worker's `Date.now()` never runs behind the test's, so "expired"
 * cases are deterministic, and +1 s leaves a second to answer), and a frozen one (`vi.setSystemTime`,
 * which the Worker shares in this isolate), which makes ±1 ms exact.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

let org: string, stack: string;

beforeAll(async () => {
  org = await newOrg();
  stack = await newStack(org);
});

afterEach(() => {
  vi.useRealTimers();
});

/** A fresh token (so no cache has seen it) whose expiry is set in D1 to `expiresAt`. */
async function tokenExpiringAt(expiresAt: number, policy: Record<string, unknown> = {}): Promise<string> {
  const { tokenId, secret } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }], ...policy });
  await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind(new Date(expiresAt).toISOString(), tokenId).run();
  return secret;
}

async function authorize(headers: Record<string, string>): Promise<{ status: number; reason: string | null }> {
  const res = await call("GET", "/authorize", { headers: { "x-keycard-scope": "metrics:write", "x-keycard-stack": stack, ...headers } });
  await res.body?.cancel();
  return { status: res.status, reason: res.headers.get("x-keycard-reason") };
}

const freezeAt = (t: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(t);
};

const ALLOWED = { status: 200, reason: null };
const EXPIRED = { status: 401, reason: "token_expired" };

describe("/authorize enforces expiresAt at its exact boundary", () => {
  it.each([
    ["1 s ago", -1000],
    ["1 ms ago", -1],
    ["now", 0],
  ])("on the real clock, a token that expired %s is refused with token_expired", async (_w, offset) => {
    const secret = await tokenExpiringAt(Date.now() + offset);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(EXPIRED);
  });

  it("on the real clock, a token that expires in 1 s is allowed", async () => {
    const secret = await tokenExpiringAt(Date.now() + 1000);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(ALLOWED);
  });

  it.each([
    ["−1 s", -1000, ALLOWED],
    ["−1 ms", -1, ALLOWED],
    ["0", 0, EXPIRED],
    ["+1 ms", 1, EXPIRED],
    ["+1 s", 1000, EXPIRED],
  ])("on a frozen clock at expiresAt %s, the answer is %o", async (_w, offset, want) => {
    const expiresAt = Date.now() + 60_000;
    const secret = await tokenExpiringAt(expiresAt);
    freezeAt(expiresAt + offset);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(want);
  });

  it("keeps enforcing it after the token's record is cached: allowed 1 ms before, refused at the boundary", async () => {
    const expiresAt = Date.now() + 60_000;
    const secret = await tokenExpiringAt(expiresAt);
    freezeAt(expiresAt - 1);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(ALLOWED);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(ALLOWED);
    vi.setSystemTime(expiresAt);
    expect(await authorize({ authorization: `Bearer ${secret}` })).toEqual(EXPIRED);
  });
});

describe("the other surfaces that accept tokens enforce it too", () => {
  it.each([
    ["−1 ms", -1, 200],
    ["0", 0, 401],
    ["+1 ms", 1, 401],
  ])("an admin token at expiresAt %s gets %i from the admin API", async (_w, offset, status) => {
    const expiresAt = Date.now() + 60_000;
    const secret = await tokenExpiringAt(expiresAt, { scopes: ["accesspolicies:read"] });
    freezeAt(expiresAt + offset);
    const res = await call("GET", `/api/v1/accesspolicies?orgId=${org}`, { token: secret });
    await res.body?.cancel();
    expect(res.status).toBe(status);
  });

  it.each([
    ["−1 ms", -1, ALLOWED],
    ["0", 0, { status: 401, reason: "gateway_token_invalid" }],
    ["+1 ms", 1, { status: 401, reason: "gateway_token_invalid" }],
  ])("a gateway token at expiresAt %s gets %o when it delegates a client IP", async (_w, offset, want) => {
    const expiresAt = Date.now() + 60_000;
    const gateway = await tokenExpiringAt(expiresAt, { scopes: ["authorizer:delegate"] });
    const client = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }], conditions: { allowedSubnets: ["10.0.0.0/8"] } })).secret;
    freezeAt(expiresAt + offset);
    expect(await authorize({ authorization: `Bearer ${client}`, "x-keycard-gateway-token": gateway, "x-keycard-client-ip": "10.1.2.3" })).toEqual(want);
  });
});

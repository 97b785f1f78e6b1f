/** The pure evaluator: one case per deny reason, on a fixed clock. */
import { describe, expect, it } from "vitest";
import { parseIp } from "../../src/core/cidr.ts";
import type { TokenRecord } from "../../src/core/model.ts";
import { compileRecord, evaluate, type AccessQuery } from "../../src/core/policy.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");

const record = (over: Partial<TokenRecord> = {}): TokenRecord => ({
  tokenId: "tok",
  orgId: "org1",
  policyId: "pol",
  expiresAt: null,
  status: "active",
  scopes: ["set:alloy-data-write", "metrics:read"],
  realms: [
    { type: "stack", identifier: "s1", selectors: ['{env="dev"}'] },
    { type: "org", identifier: "org1", selectors: [] },
  ],
  allowedSubnets: [],
  ...over,
});

const ip = (s: string) => {
  const r = parseIp(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};

const query = (over: Partial<AccessQuery> = {}): AccessQuery => ({
  scopes: ["metrics:write"],
  stack: { id: "s1", orgId: "org1" },
  clientIp: null,
  ...over,
});

describe("evaluate denies", () => {
  it.each([
    ["token_expired", record({ expiresAt: NOW }), query()],
    ["token_expired", record({ expiresAt: NOW - 1 }), query()],
    ["policy_inactive", record({ status: "inactive" }), query()],
    ["ip_unknown", record({ allowedSubnets: ["10.0.0.0/8"] }), query()],
    ["ip_not_allowed", record({ allowedSubnets: ["10.0.0.0/8"] }), query({ clientIp: ip("11.0.0.1") })],
    ["stack_required", record({ realms: [{ type: "stack", identifier: "s1", selectors: [] }] }), query({ stack: null })],
    ["realm_denied", record(), query({ stack: { id: "s9", orgId: "org2" } })],
    ["realm_denied", record(), query({ stack: { id: "s9", orgId: null } })],
    ["realm_denied", record({ realms: [{ type: "stack", identifier: "s1", selectors: [] }] }), query({ stack: { id: "s2", orgId: "org1" } })],
    ["realm_denied", record({ realms: [{ type: "org", identifier: "org2", selectors: [] }] }), query()],
    ["scope_denied", record(), query({ scopes: ["logs:read"] })],
    ["scope_denied", record(), query({ scopes: [] })],
    ["scope_denied", record({ scopes: ["metrics:write"] }), query({ scopes: ["set:alloy-data-write"] })],
  ])("%s", (reason, r, q) => {
    expect(evaluate(compileRecord(r), q, NOW)).toEqual({ ok: false, error: reason });
  });

  it("checks in order: expiry before status before IP before realm before scope", () => {
    const worst = record({ expiresAt: NOW - 1, status: "inactive", allowedSubnets: ["10.0.0.0/8"], scopes: [] });
    expect(evaluate(compileRecord(worst), query({ stack: { id: "x", orgId: "other" } }), NOW)).toEqual({ ok: false, error: "token_expired" });
  });
});

describe("evaluate allows", () => {
  it("a token one millisecond before it expires", () => {
    expect(evaluate(compileRecord(record({ expiresAt: NOW + 1 })), query(), NOW).ok).toBe(true);
  });

  it("grants expanded set members, sorted, with the stack's selectors for label-limited reads only", () => {
    const c = compileRecord(record());
    expect(evaluate(c, query({ scopes: ["fleet-management:read"] }), NOW)).toEqual({
      ok: true,
      value: { scopes: ["fleet-management:read"], stackId: "s1", labels: null },
    });
    expect(evaluate(c, query({ scopes: ["metrics:read"] }), NOW)).toEqual({
      ok: true,
      value: { scopes: ["metrics:read"], stackId: "s1", labels: ['{env="dev"}'] },
    });
  });

  it("covers other stacks of the org through the org realm, at org level without a stack", () => {
    const c = compileRecord(record());
    expect(evaluate(c, query({ stack: { id: "s2", orgId: "org1" }, scopes: ["metrics:read"] }), NOW)).toEqual({
      ok: true,
      value: { scopes: ["metrics:read"], stackId: "s2", labels: null },
    });
    expect(evaluate(c, query({ stack: null }), NOW).ok).toBe(true);
  });

  it("an IPv4-mapped client against an IPv4 rule", () => {
    const c = compileRecord(record({ allowedSubnets: ["10.0.0.0/8"] }));
    expect(evaluate(c, query({ clientIp: ip("::ffff:10.9.9.9") }), NOW).ok).toBe(true);
  });
});

/**
 * Token expiry at its exact boundary (issue #7, item 6), on a fixed clock: a token is valid strictly
 * before `expiresAt` and expired from `expiresAt` on — at −1 s and −1 ms it stands, at 0, +1 ms and
 * +1 s it does not. Expiry is checked before anything else, so an expired token is never allowed
 * whatever else the request gets right.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIp } from "../../src/core/cidr.ts";
import type { TokenRecord } from "../../src/core/model.ts";
import { checkStanding, compileRecord, evaluate, type AccessQuery } from "../../src/core/policy.ts";

/** Generated cases; their sum with the other suites is reported in the issue. */
export const RUNS = { boundary: 1000 } as const;

const EXPIRES = Date.parse("2026-11-23T12:00:00.000Z");

const record = (expiresAt: number | null, over: Partial<TokenRecord> = {}): TokenRecord => ({
  tokenId: "tok",
  orgId: "org1",
  policyId: "pol",
  expiresAt,
  status: "active",
  scopes: ["metrics:write"],
  realms: [{ type: "org", identifier: "org1", selectors: [] }],
  allowedSubnets: [],
  ...over,
});

const query: AccessQuery = { scopes: ["metrics:write"], stack: { id: "s1", orgId: "org1" }, clientIp: null };

describe("token expiresAt at its boundary", () => {
  it.each([
    ["1 s before", -1000, true],
    ["1 ms before", -1, true],
    ["exactly at", 0, false],
    ["1 ms after", 1, false],
    ["1 s after", 1000, false],
  ])("%s expiresAt the token %s", (_when, offset, stands) => {
    const compiled = compileRecord(record(EXPIRES));
    const now = EXPIRES + offset;
    expect(evaluate(compiled, query, now)).toEqual(stands ? expect.objectContaining({ ok: true }) : { ok: false, error: "token_expired" });
    expect(checkStanding(compiled, null, now)).toBe(stands ? null : "token_expired");
  });

  it("holds for any expiry and any offset: allowed if and only if now < expiresAt", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: -5000, max: 5000 }), (expiresAt, offset) => {
        const outcome = evaluate(compileRecord(record(expiresAt)), query, expiresAt + offset);
        expect(outcome.ok).toBe(offset < 0);
        if (!outcome.ok) expect(outcome.error).toBe("token_expired");
      }),
      { numRuns: RUNS.boundary },
    );
  });

  it("reports expiry first, before an inactive policy, a refused IP, realm or scope", () => {
    const worst = compileRecord(record(EXPIRES, { status: "inactive", allowedSubnets: ["10.0.0.0/8"] }));
    const ip = parseIp("192.0.2.1");
    if (!ip.ok) throw new Error("bad ip");
    const q: AccessQuery = { scopes: ["logs:delete"], stack: { id: "other", orgId: "org2" }, clientIp: ip.value };
    expect(evaluate(worst, q, EXPIRES)).toEqual({ ok: false, error: "token_expired" });
    expect(evaluate(worst, q, EXPIRES - 1)).toEqual({ ok: false, error: "policy_inactive" });
  });

  it("never expires a token without expiresAt", () => {
    expect(evaluate(compileRecord(record(null)), query, Number.MAX_SAFE_INTEGER).ok).toBe(true);
  });

  it("reads the ISO-8601 expiry stored in D1 to the millisecond", () => {
    const stored = "2026-11-23T12:00:00.000Z";
    const compiled = compileRecord(record(Date.parse(stored)));
    expect(evaluate(compiled, query, Date.parse("2026-11-23T11:59:59.999Z")).ok).toBe(true);
    expect(evaluate(compiled, query, Date.parse("2026-11-23T12:00:00.000Z")).ok).toBe(false);
  });
});

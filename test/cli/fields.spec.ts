/** Turning flags into API bodies: realms, label selectors, subnets, expiry; and errors back into flags. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRealms, parseRealm, policyBody } from "../../src/cli/commands/policies.ts";
import { parseExpiry } from "../../src/cli/commands/tokens.ts";
import { ApiCallError, describeApiError, UsageError } from "../../src/cli/errors.ts";
import { NOW } from "./fake.ts";

const usage = (message: RegExp) => (e: unknown) => e instanceof UsageError && message.test(e.message);

describe("parseRealm", () => {
  it("reads stack:<id> and org:<id>", () => {
    assert.deepEqual(parseRealm("stack:s1", undefined), { type: "stack", identifier: "s1" });
    assert.deepEqual(parseRealm("org:o1", "other"), { type: "org", identifier: "o1" });
  });
  it("reads a bare org as the --org org", () => assert.deepEqual(parseRealm("org", "o1"), { type: "org", identifier: "o1" }));
  it("refuses a bare org without --org", () => assert.throws(() => parseRealm("org", undefined), usage(/needs the org's id/)));
  it("refuses other shapes", () => {
    for (const bad of ["stack", "team:x", "stack:", "stack:a b", "stack:a/b"]) assert.throws(() => parseRealm(bad, "o"), usage(/--realm/), bad);
  });
});

describe("buildRealms", () => {
  it("gives a bare selector to the only realm", () => {
    assert.deepEqual(buildRealms(["stack:s1"], ['{env="dev"}'], undefined), [
      { type: "stack", identifier: "s1", labelPolicies: [{ selector: '{env="dev"}' }] },
    ]);
  });
  it("gives a named selector to its realm, keeping order (ORed)", () => {
    const realms = buildRealms(["stack:s1", "stack:s2"], ['stack:s2={a="1"}', 'stack:s2 = {b=~"x|y"}'], undefined);
    assert.deepEqual(realms[0]!.labelPolicies, []);
    assert.deepEqual(realms[1]!.labelPolicies, [{ selector: '{a="1"}' }, { selector: '{b=~"x|y"}' }]);
  });
  it("keeps = and commas inside a selector", () => {
    assert.equal(buildRealms(["org:o"], ['org:o={a="x=y,z"}'], undefined)[0]!.labelPolicies[0]!.selector, '{a="x=y,z"}');
  });
  it("refuses a bare selector when there are several realms", () => {
    assert.throws(() => buildRealms(["stack:s1", "stack:s2"], ['{a="1"}'], undefined), usage(/must name its realm/));
  });
  it("refuses a selector for a realm not given", () => {
    assert.throws(() => buildRealms(["stack:s1"], ['stack:s9={a="1"}'], undefined), usage(/not one of the --realm values/));
  });
});

describe("policyBody", () => {
  const body = (values: Record<string, unknown>, env: Record<string, string> = {}) =>
    policyBody({ values: values as never, io: { env } as never }, ["policies", "update"]);

  it("sends only the fields whose flags are given", () => {
    assert.deepEqual(body({ status: "inactive" }), { status: "inactive" });
  });
  it("builds a full create body", () => {
    assert.deepEqual(
      body({ name: "alloy", scope: ["set:alloy-data-write"], realm: ["stack:s1"], subnet: ["10.0.0.0/8,192.168.0.0/16"], org: "o1" }),
      {
        name: "alloy",
        scopes: ["set:alloy-data-write"],
        realms: [{ type: "stack", identifier: "s1", labelPolicies: [] }],
        conditions: { allowedSubnets: ["10.0.0.0/8", "192.168.0.0/16"] },
      },
    );
  });
  it("takes a bare org realm from KEYCARD_ORG", () => {
    assert.deepEqual(body({ realm: ["org"] }, { KEYCARD_ORG: "o7" }).realms, [{ type: "org", identifier: "o7", labelPolicies: [] }]);
  });
  it("clears subnets with --clear-subnets", () => assert.deepEqual(body({ "clear-subnets": true }), { conditions: { allowedSubnets: [] } }));
  it("refuses --clear-subnets with --subnet", () => assert.throws(() => body({ "clear-subnets": true, subnet: ["10.0.0.0/8"] }), usage(/contradict/)));
  it("refuses selectors without realms (realms are replaced whole)", () => {
    assert.throws(() => body({ "label-selector": ['{a="1"}'] }), usage(/needs the policy's --realm/));
  });
});

describe("parseExpiry", () => {
  const cases: [string, string | null][] = [
    ["never", null],
    ["90m", "2026-11-23T19:30:00.000Z"],
    ["12h", "2026-11-24T06:00:00.000Z"],
    ["30d", "2026-12-23T18:00:00.000Z"],
    ["2w", "2026-12-07T18:00:00.000Z"],
    ["2027-01-31", "2027-01-31T00:00:00.000Z"],
    ["2027-01-31T12:00:00+02:00", "2027-01-31T10:00:00.000Z"],
  ];
  for (const [text, iso] of cases) it(`reads ${text}`, () => assert.equal(parseExpiry(text, NOW), iso));
  for (const bad of ["tomorrow", "30", "30y", "-1d", "2027-13-45", "1e3d"]) {
    it(`refuses ${bad}`, () => assert.throws(() => parseExpiry(bad, NOW), usage(/--expires/)));
  }
});

describe("describeApiError", () => {
  it("names the flag behind each bad field, without repeating the message", () => {
    const e = new ApiCallError(400, "validation_failed", 'scopes.0: unknown scope "x"', [
      { path: "scopes.0", message: 'unknown scope "x"' },
      { path: "realms.1.labelPolicies.0.selector", message: "unexpected } (at position 3)" },
      { path: "conditions.allowedSubnets.0", message: "bad CIDR" },
    ]);
    const flags = { scopes: "--scope", "realms.*.labelPolicies": "--label-selector", realms: "--realm", "conditions.allowedSubnets": "--subnet" };
    assert.equal(
      describeApiError(e, flags),
      '400 validation_failed: scopes.0 (--scope): unknown scope "x"; realms.1.labelPolicies.0.selector (--label-selector): unexpected } (at position 3); conditions.allowedSubnets.0 (--subnet): bad CIDR',
    );
  });
  it("points a 401 at the credential", () => {
    assert.match(describeApiError(new ApiCallError(401, "unauthenticated", "send a token")), /^401 unauthenticated: send a token \(check KEYCARD_TOKEN or --token\)$/);
  });
  it("exits 4 for a 401 and 1 otherwise", () => {
    assert.equal(new ApiCallError(401, "x", "y").exitCode, 4);
    assert.equal(new ApiCallError(403, "x", "y").exitCode, 1);
  });
});

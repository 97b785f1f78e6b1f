/**
 * End to end, against the real Worker: a policy with selectors written through the admin API → a decision from
 * /authorize → verified by `keycard/verify` against the Worker's JWKS → `mayRead` and `enforceQuery`.
 */
import { exports } from "cloudflare:workers";
import type { JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDecisionVerifier, enforceQuery, mayRead, QueryRejectedError, type DecisionClaims } from "../../src/verify/index.ts";
import { BASE, basic, call, newOrg, newPolicyToken, newStack } from "../worker/helpers.ts";

let stack: string;
let jwks: JSONWebKeySet;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  const realm = (selectors: string[]) => [{ type: "stack", identifier: stack, labelPolicies: selectors.map((selector) => ({ selector })) }];
  secrets.dev = (await newPolicyToken(org, {
    scopes: ["metrics:read", "metrics:write"],
    realms: realm(["{ env = 'dev' }", '{env=~"staging-.*"}']),
  })).secret;
  secrets.teams = (await newPolicyToken(org, { scopes: ["logs:read"], realms: realm(['{team="a"}', '{env="dev"}']) })).secret;
  secrets.open = (await newPolicyToken(org, { scopes: ["metrics:read"], realms: realm([]) })).secret;
  jwks = (await (await call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
});

async function decide(secret: string, scope: string): Promise<string> {
  const res = await call("GET", "/authorize", { headers: { authorization: basic(stack, secret), "x-keycard-scope": scope } });
  expect(res.status).toBe(200);
  return res.headers.get("x-keycard-decision")!;
}

const verifier = (audience: string) => createDecisionVerifier({ jwks, issuer: BASE, audience });

describe("a metrics:read decision limited to {env=\"dev\"} or {env=~\"staging-.*\"}", () => {
  let claims: DecisionClaims;
  beforeAll(async () => {
    claims = await verifier("metrics").verify(await decide(secrets.dev!, "metrics:read"));
  });

  it("verifies against the Worker's JWKS and carries the canonical selectors", () => {
    expect(claims).toMatchObject({ iss: BASE, aud: ["metrics"], stack, scope: "metrics:read" });
    expect(claims.labels).toEqual(['{env="dev"}', '{env=~"staging-.*"}']);
  });

  it.each([
    [{ __name__: "up", env: "dev" }, true],
    [{ __name__: "up", env: "staging-eu", job: "api" }, true],
    [{ __name__: "up", env: "prod" }, false],
    [{ __name__: "up", env: "staging" }, false],
    [{ __name__: "up" }, false],
  ])("mayRead %j → %s", (labels, expected) => {
    expect(mayRead(claims, labels, { scope: "metrics:read" })).toBe(expected);
  });

  it("is not a logs decision", () => {
    expect(mayRead(claims, { env: "dev" }, { scope: "logs:read" })).toBe(false);
    expect(() => enforceQuery(claims, '{app="api"}', { language: "logql" })).toThrow(QueryRejectedError);
  });

  it("rewrites a query with the merged selectors", () => {
    expect(enforceQuery(claims, 'sum by (job) (rate(http_requests_total{job="api"}[5m]))', { language: "promql" })).toBe(
      'sum by (job) (rate(http_requests_total{env=~"dev|(?:staging-.*)", job="api"}[5m]))',
    );
  });

  it("also verifies through a remote JWKS fetched from the Worker (a service binding)", async () => {
    const remote = createDecisionVerifier({
      jwksUrl: "https://keycard.internal/.well-known/jwks.json",
      fetch: (url, init) => exports.default.fetch(new Request(url, init)),
      issuer: BASE,
      audience: "metrics",
    });
    expect((await remote.verify(await decide(secrets.dev!, "metrics:read"))).labels).toEqual(claims.labels);
  });
});

describe("other decisions", () => {
  it("a write decision carries no labels and allows no reads", async () => {
    const write = await verifier("metrics").verify(await decide(secrets.dev!, "metrics:write"));
    expect(write.labels).toBeUndefined();
    expect(mayRead(write, { env: "dev" })).toBe(false);
  });

  it("selectors on two labels: mayRead applies the OR, enforceQuery refuses", async () => {
    const logs = await verifier("logs").verify(await decide(secrets.teams!, "logs:read"));
    expect(mayRead(logs, { team: "a", env: "prod" }, { scope: "logs:read" })).toBe(true);
    expect(mayRead(logs, { team: "b", env: "dev" }, { scope: "logs:read" })).toBe(true);
    expect(mayRead(logs, { team: "b", env: "prod" }, { scope: "logs:read" })).toBe(false);
    expect(() => enforceQuery(logs, '{app="api"}', { language: "logql" })).toThrow(expect.objectContaining({ code: "several_selectors" }));
  });

  it("a read without label policies is not limited", async () => {
    const open = await verifier("metrics").verify(await decide(secrets.open!, "metrics:read"));
    expect(open.labels).toBeUndefined();
    expect(mayRead(open, { env: "prod" }, { scope: "metrics:read" })).toBe(true);
    expect(enforceQuery(open, "up", { language: "promql" })).toBe("up");
  });

  it("a decision for another audience is refused", async () => {
    await expect(verifier("logs").verify(await decide(secrets.dev!, "metrics:read"))).rejects.toMatchObject({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
  });
});

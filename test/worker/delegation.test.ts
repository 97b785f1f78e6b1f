/** Client-IP delegation: only a gateway with its own `authorizer:delegate` token may report a client IP. */
import { env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../src/core/token.ts";
import { basic, call, newOrg, newPolicyToken, newStack, ok } from "./helpers.ts";

const INSIDE = "203.0.113.5";
const OUTSIDE = "198.51.100.1";
const GATEWAY_NET_IP = "192.0.2.10";

let stack: string;
const t: Record<string, string> = {};

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  const orgRealm = [{ type: "org", identifier: org, labelPolicies: [] }];
  const delegate = (extra: Record<string, unknown> = {}) => newPolicyToken(org, { scopes: ["authorizer:delegate"], realms: orgRealm, ...extra });
  t.client = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: orgRealm, conditions: { allowedSubnets: ["203.0.113.0/24"] } })).secret;
  t.gw = (await delegate({ conditions: { allowedSubnets: ["192.0.2.0/24"] } })).secret;
  t.gwOpen = (await delegate()).secret;
  const otherOrg = await newOrg();
  t.gwOtherOrg = (await newPolicyToken(otherOrg, { scopes: ["authorizer:delegate"], realms: [{ type: "org", identifier: otherOrg }] })).secret;
  t.gwNoScope = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: orgRealm })).secret;
  t.gwInactive = (await delegate({ status: "inactive" })).secret;
  const expired = await delegate();
  await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind("2020-01-01T00:00:00.000Z", expired.tokenId).run();
  t.gwExpired = expired.secret;
  const deleted = await delegate();
  await ok("DELETE", `/api/v1/tokens/${deleted.tokenId}`, {}, 204);
  t.gwDeleted = deleted.secret;
  t.unknown = generateToken((b) => crypto.getRandomValues(b));
});

function authorize(headers: Record<string, string>): Promise<Response> {
  return call("GET", "/authorize", { headers: { authorization: basic(stack, t.client!), "x-keycard-scope": "metrics:write", ...headers } });
}

describe("a client cannot choose its own IP", () => {
  const spoofable = ["x-forwarded-for", "x-real-ip", "true-client-ip", "x-keycard-client-ip", "forwarded"];
  const subsets = Array.from({ length: 2 ** spoofable.length }, (_, mask) => spoofable.filter((_, i) => mask & (1 << i)));

  it.each(subsets.map((s) => [s.join(" + ") || "(none)", s] as const))("CF-Connecting-IP outside, spoofed %s → refused", async (_name, names) => {
    const spoofed = Object.fromEntries(names.map((n) => [n, n === "forwarded" ? `for=${INSIDE}` : INSIDE]));
    const res = await authorize({ "cf-connecting-ip": OUTSIDE, ...spoofed });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-keycard-reason")).toBe("ip_not_allowed");
    const noPeer = await authorize(spoofed);
    expect(noPeer.headers.get("x-keycard-reason")).toBe("ip_unknown");
  });

  it("uses CF-Connecting-IP when no gateway speaks", async () => {
    const res = await authorize({ "cf-connecting-ip": INSIDE, "x-forwarded-for": OUTSIDE, "x-keycard-client-ip": OUTSIDE });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.headers.get("x-keycard-decision")!).ip).toBe(INSIDE);
  });
});

describe("a gateway token decides whether X-Keycard-Client-IP counts", () => {
  const gw = (who: string, prefix = "Bearer ") => () => `${prefix}${t[who]}`;
  it.each<[string, () => string, string | null, string | null, number, string | null]>([
    ["a delegate token from inside its subnets, client inside", gw("gw"), GATEWAY_NET_IP, INSIDE, 200, null],
    ["a delegate token from inside its subnets, client outside", gw("gw"), GATEWAY_NET_IP, OUTSIDE, 403, "ip_not_allowed"],
    ["a delegate token reporting no client IP (never its own)", gw("gw"), GATEWAY_NET_IP, null, 403, "ip_unknown"],
    ["a delegate token reporting a list of IPs", gw("gwOpen"), INSIDE, `${INSIDE}, ${OUTSIDE}`, 403, "ip_unknown"],
    ["a delegate token from outside its subnets", gw("gw"), OUTSIDE, INSIDE, 403, "gateway_not_allowed"],
    ["a delegate token whose own IP is unknown", gw("gw"), null, INSIDE, 403, "gateway_not_allowed"],
    ["an unrestricted delegate token from anywhere", gw("gwOpen"), OUTSIDE, INSIDE, 200, null],
    ["a bare delegate token, without Bearer", gw("gwOpen", ""), OUTSIDE, INSIDE, 200, null],
    ["a delegate token with a lower-case scheme", gw("gwOpen", "bearer  "), OUTSIDE, INSIDE, 200, null],
    ["the client's own token as gateway token", gw("client"), INSIDE, INSIDE, 403, "gateway_not_allowed"],
    ["another org's delegate token (never vouches across orgs)", gw("gwOtherOrg"), OUTSIDE, INSIDE, 403, "gateway_not_allowed"],
    ["a token without authorizer:delegate", gw("gwNoScope"), OUTSIDE, INSIDE, 403, "gateway_not_allowed"],
    ["a delegate token of an inactive policy", gw("gwInactive"), OUTSIDE, INSIDE, 403, "gateway_not_allowed"],
    ["an expired delegate token", gw("gwExpired"), OUTSIDE, INSIDE, 401, "gateway_token_invalid"],
    ["a deleted delegate token", gw("gwDeleted"), OUTSIDE, INSIDE, 401, "gateway_token_invalid"],
    ["an unknown token", gw("unknown"), OUTSIDE, INSIDE, 401, "gateway_token_invalid"],
    ["a malformed token", () => "Bearer kc_nope", OUTSIDE, INSIDE, 401, "gateway_token_invalid"],
    ["a Basic credential", () => `Basic ${btoa(`x:${t.gwOpen}`)}`, OUTSIDE, INSIDE, 401, "gateway_token_invalid"],
  ])("%s → %i", async (_name, token, peer, client, status, reason) => {
    const headers: Record<string, string> = { "x-keycard-gateway-token": token(), "x-forwarded-for": OUTSIDE };
    if (peer !== null) headers["cf-connecting-ip"] = peer;
    if (client !== null) headers["x-keycard-client-ip"] = client;
    const res = await authorize(headers);
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
    if (status === 200) expect(decodeJwt(res.headers.get("x-keycard-decision")!).ip).toBe(client);
    if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="keycard"/);
  });

  it("ignores a blank gateway token header, as if none were sent", async () => {
    const res = await authorize({ "x-keycard-gateway-token": " ", "x-keycard-client-ip": INSIDE, "cf-connecting-ip": OUTSIDE });
    expect(res.headers.get("x-keycard-reason")).toBe("ip_not_allowed");
  });

  it("refuses a bad gateway token before looking at the client's credential", async () => {
    const res = await call("GET", "/authorize", { headers: { "x-keycard-gateway-token": "Bearer kc_nope" } });
    expect(res.headers.get("x-keycard-reason")).toBe("gateway_token_invalid");
  });
});

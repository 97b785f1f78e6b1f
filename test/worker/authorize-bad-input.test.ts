/** Gateways sending garbage get a clear 401 or 403 from `/authorize`, never a 500 or a 404. */
import { beforeAll, describe, expect, it } from "vitest";
import { basic, call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

let stack: string, token: string, ipToken: string;

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  const realms = [{ type: "stack", identifier: stack, labelPolicies: [] }];
  token = (await newPolicyToken(org, { scopes: ["metrics:write"], realms })).secret;
  ipToken = (await newPolicyToken(org, { scopes: ["metrics:write"], realms, conditions: { allowedSubnets: ["10.0.0.0/8"] } })).secret;
});

const KiB = 1024;
const auth = () => ({ authorization: basic(stack, token) });
const push = { "x-original-method": "POST" };

describe("garbage from gateways", () => {
  it.each<[string, () => Record<string, string>, number, string]>([
    ["a path just over 8 KiB", () => ({ ...auth(), ...push, "x-original-uri": `/api/v1/push/${"a".repeat(8 * KiB)}` }), 403, "route_invalid"],
    ["a 64 KiB path", () => ({ ...auth(), ...push, "x-forwarded-uri": `/${"a/".repeat(32 * KiB)}` }), 403, "route_invalid"],
    ["a URI over 64 KiB", () => ({ ...auth(), ...push, "x-original-uri": `/api/v1/push?${"q".repeat(64 * KiB)}` }), 403, "route_invalid"],
    ["a URI with Latin-1 bytes", () => ({ ...auth(), ...push, "x-original-uri": "/api/v1/p\u00fcsh\u0080" }), 403, "route_invalid"],
    ["a URI with a tab", () => ({ ...auth(), ...push, "x-original-uri": "/api/v1/\tpush" }), 403, "route_invalid"],
    ["an absolute URL as URI", () => ({ ...auth(), ...push, "x-original-uri": "http://evil.example/api/v1/push" }), 403, "route_invalid"],
    ["a 4 KiB method", () => ({ ...auth(), "x-original-method": "P".repeat(4 * KiB), "x-original-uri": "/api/v1/push" }), 403, "route_invalid"],
    ["a method with punctuation", () => ({ ...auth(), "x-original-method": "PO(S)T", "x-original-uri": "/api/v1/push" }), 403, "route_invalid"],
    ["no original URI and no scope", () => ({ ...auth(), ...push }), 403, "scope_required"],
    ["empty original headers", () => ({ ...auth(), "x-original-method": "", "x-original-uri": "" }), 403, "scope_required"],
    ["a 64 KiB scope header", () => ({ ...auth(), "x-keycard-scope": "metrics:write ".repeat(5 * KiB) }), 403, "scope_denied"],
    ["a 64 KiB stack header", () => ({ authorization: `Bearer ${token}`, "x-keycard-scope": "metrics:write", "x-keycard-stack": "s".repeat(64 * KiB) }), 403, "realm_denied"],
    ["a 64 KiB Authorization", () => ({ authorization: `Bearer ${"k".repeat(64 * KiB)}`, "x-keycard-scope": "metrics:write" }), 401, "invalid_token"],
    ["Basic with bad base64", () => ({ authorization: "Basic !!!", "x-keycard-scope": "metrics:write" }), 401, "invalid_token"],
    ["Basic with Latin-1 bytes", () => ({ authorization: "Basic \u00ff\u00fe", "x-keycard-scope": "metrics:write" }), 401, "invalid_token"],
    ["a 64 KiB gateway token", () => ({ ...auth(), "x-keycard-scope": "metrics:write", "x-keycard-gateway-token": "g".repeat(64 * KiB) }), 401, "gateway_token_invalid"],
    ["a garbage client IP from a client", () => ({ authorization: basic(stack, ipToken), "x-keycard-scope": "metrics:write", "x-keycard-client-ip": "not an address!".repeat(64) }), 403, "ip_unknown"],
    ["a garbage CF-Connecting-IP", () => ({ authorization: basic(stack, ipToken), "x-keycard-scope": "metrics:write", "cf-connecting-ip": "10.0.0.1, 10.0.0.2" }), 403, "ip_unknown"],
  ])("%s", async (_name, headers, status, reason) => {
    const res = await call("GET", "/authorize", { headers: headers() });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
    expect(((await res.json()) as { code: string }).code).toBe(reason);
  });

  it("reads a long query (a large PromQL GET) without refusing it: only the path is bounded at 8 KiB", async () => {
    const res = await call("GET", "/authorize", { headers: { ...auth(), ...push, "x-original-uri": `/api/v1/push?q=${"a".repeat(16 * KiB)}` } });
    expect(res.status).toBe(200);
  });

  it("refuses repeated original-URI headers (joined by a comma) instead of picking one", async () => {
    const headers = new Headers(auth());
    headers.append("x-original-uri", "/api/v1/query");
    headers.append("x-original-uri", "/api/v1/push");
    const res = await call("GET", "/authorize", { headers: Object.fromEntries(headers) });
    expect(res.headers.get("x-keycard-reason")).toBe("route_invalid");
  });

  it.each(["PROPFIND", "PURGE", "MKCOL", "REPORT"])("answers the method %s like any other", async (method) => {
    const res = await call(method, "/authorize", { headers: { ...auth(), "x-keycard-scope": "metrics:write" } });
    expect(res.status).toBe(200);
  });
});

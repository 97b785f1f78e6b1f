/** The `KeycardAuthorizer` RPC entrypoint, called directly and by the example gateway Worker. */
import { createExecutionContext, env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { KeycardAuthorizer, type AuthorizeCall } from "../../src/entrypoint.ts";
import { BASE, basic, call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

let stack: string, writer: string, ipLimited: string;

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  const realms = [{ type: "stack", identifier: stack, labelPolicies: [] }];
  writer = (await newPolicyToken(org, { scopes: ["metrics:write"], realms })).secret;
  ipLimited = (await newPolicyToken(org, { scopes: ["metrics:write"], realms, conditions: { allowedSubnets: ["203.0.113.0/24"] } })).secret;
});

const rpc = () => exports.KeycardAuthorizer;

async function verify(jwt: string) {
  const jwks = (await (await call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
  return (await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: BASE, typ: "kc-decision+jwt", algorithms: ["EdDSA"] })).payload;
}

describe("authorize(input) answers as /authorize does", () => {
  const cases: [string, () => AuthorizeCall, Record<string, string>][] = [
    ["an allow by route", () => ({ authorization: basic(stack, writer), method: "POST", uri: "/api/v1/push", clientIp: null }), {}],
    ["an explicit scope", () => ({ authorization: basic(stack, writer), scope: "metrics:write", clientIp: null }), {}],
    ["a scope the policy lacks", () => ({ authorization: basic(stack, writer), method: "GET", uri: "/api/v1/query", clientIp: null }), {}],
    ["an unmapped route", () => ({ authorization: basic(stack, writer), method: "GET", uri: "/elsewhere", clientIp: null }), {}],
    ["a traversing URI", () => ({ authorization: basic(stack, writer), uri: "/api/v1/push/../query", clientIp: null }), {}],
    ["no credential", () => ({ authorization: null, uri: "/api/v1/push", clientIp: null }), {}],
    ["no scope and no URI", () => ({ authorization: basic(stack, writer), clientIp: null }), {}],
    ["a client IP outside the subnets", () => ({ authorization: basic(stack, ipLimited), uri: "/api/v1/push", clientIp: "198.51.100.1" }), {}],
    ["a client IP inside the subnets", () => ({ authorization: basic(stack, ipLimited), uri: "/api/v1/push", clientIp: "203.0.113.9" }), {}],
  ];

  it.each(cases)("%s", async (_name, input) => {
    const i = input();
    const headers: Record<string, string> = {};
    if (i.authorization) headers.authorization = i.authorization;
    if (i.scope) headers["x-keycard-scope"] = i.scope;
    if (i.method) headers["x-original-method"] = i.method;
    if (i.uri) headers["x-original-uri"] = i.uri;
    if (i.clientIp) headers["cf-connecting-ip"] = i.clientIp;
    const http = await call("POST", "/authorize", { headers });
    const httpBody = (await http.json()) as Record<string, unknown>;
    const result = await rpc().authorize(i);
    expect(result.status).toBe(http.status);
    expect(Object.keys(result.headers).map((k) => k.toLowerCase()).sort()).toEqual(
      [...http.headers.keys()].filter((k) => k.startsWith("x-keycard-") || k === "cache-control" || k === "www-authenticate").sort(),
    );
    if (result.allowed) {
      expect(result.headers["X-Keycard-Stack"]).toBe(http.headers.get("x-keycard-stack"));
      const claims = await verify(result.decision);
      expect(claims).toMatchObject({ scope: "metrics:write", stack });
      expect(claims.ip).toBe(i.clientIp ?? undefined);
      expect(result.claims.scope).toBe((httpBody.claims as { scope: string }).scope);
    } else {
      expect({ code: result.code, message: result.message }).toEqual(httpBody);
      expect(result.headers["X-Keycard-Reason"]).toBe(http.headers.get("x-keycard-reason"));
    }
  });

  it.each<[string, unknown]>([
    ["a missing clientIp", { authorization: "Bearer x" }],
    ["a number for a string", { authorization: 1, clientIp: null }],
    ["an unknown field", { authorization: null, clientIp: null, scopes: "metrics:write" }],
  ])("throws a TypeError for %s", async (_name, input) => {
    // Called in-process: over RPC the same throw reaches the caller, but the test pool also reports it as unhandled.
    const entrypoint = new KeycardAuthorizer(createExecutionContext(), env);
    await expect(entrypoint.authorize(input as AuthorizeCall)).rejects.toThrow(TypeError);
    await expect(entrypoint.authorize(input as AuthorizeCall)).rejects.toThrow(/^KeycardAuthorizer.authorize: /);
  });
});

describe("the example gateway Worker, over a service binding (two Workers, one Miniflare)", () => {
  const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => env.GATEWAY.fetch(`http://gateway.test${path}`, init);

  it("forwards an allowed push to the origin with a valid decision, without the client's credential", async () => {
    const body = new Uint8Array(256 * 1024).map((_, i) => i % 251);
    const res = await send("/api/v1/push?x=1", {
      method: "POST",
      headers: { authorization: basic(stack, ipLimited), "cf-connecting-ip": "203.0.113.7", "x-keycard-decision": "forged", "content-type": "application/x-protobuf" },
      body,
    });
    expect(res.status).toBe(207);
    const seen = (await res.json()) as { method: string; url: string; headers: Record<string, string>; bytes: number };
    expect(seen.method).toBe("POST");
    expect(new URL(seen.url).pathname + new URL(seen.url).search).toBe("/api/v1/push?x=1");
    expect(seen.bytes).toBe(body.length);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["content-type"]).toBe("application/x-protobuf");
    const claims = await verify(seen.headers["x-keycard-decision"]!);
    expect(claims).toMatchObject({ scope: "metrics:write", stack, ip: "203.0.113.7" });
  });

  it.each([
    ["a query with a write token", "/api/v1/query", "203.0.113.7", 403, "scope_denied"],
    ["a client outside the subnets", "/api/v1/push", "198.51.100.1", 403, "ip_not_allowed"],
    ["an unmapped path", "/admin", "203.0.113.7", 403, "route_unmapped"],
  ])("refuses %s without reaching the origin", async (_name, path, ip, status, reason) => {
    const res = await send(path, { method: "POST", headers: { authorization: basic(stack, ipLimited), "cf-connecting-ip": ip } });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
    expect(res.headers.get("x-origin")).toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe(reason);
  });

  it("refuses a request without a credential with 401", async () => {
    const res = await send("/api/v1/push", { method: "POST" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });
});

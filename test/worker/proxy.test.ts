/** Proxy mode: authorize, then stream to the origin (an auxiliary Worker here) and back. */
import { createExecutionContext, env } from "cloudflare:test";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { basic, call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

const ORIGIN = "http://origin.test/base";
const ROUTES = JSON.stringify([
  { path: "/first-chunk", scopes: ["metrics:write"] },
  { path: "/open-stream", scopes: ["metrics:write"] },
]);
const app = createApp();
const proxyEnv = { ...env, ORIGIN_URL: ORIGIN, KEYCARD_ROUTES: ROUTES } as Env;
const forwardingEnv = { ...proxyEnv, PROXY_FORWARD_AUTHORIZATION: "true" } as Env;

let stack: string, writer: string;

beforeAll(async () => {
  const org = await newOrg();
  stack = await newStack(org);
  writer = (await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "stack", identifier: stack, labelPolicies: [] }] })).secret;
});

/** Sends a request to Keycard running with `e`. The execution context is not awaited: bodies may still be streaming. */
function send(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(app.fetch(new Request(`http://keycard.test${path}`, init), e, createExecutionContext()));
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  bytes?: number;
  checksum?: number;
  first?: string;
}

function checksum(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c = (c * 31 + b) >>> 0;
  return c;
}

describe("proxy mode", () => {
  it("is off without ORIGIN_URL", async () => {
    const res = await call("POST", "/proxy/api/v1/push", { headers: { authorization: basic(stack, writer) } });
    expect(res.status).toBe(404);
  });

  it("streams an allowed push to the origin with the decision, and the answer back untouched", async () => {
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    const res = await send(proxyEnv, "/proxy/api/v1/push?tenant=a&x=%2F", {
      method: "POST",
      headers: {
        authorization: basic(stack, writer),
        "content-type": "application/x-protobuf",
        "x-keycard-decision": "forged",
        "x-keycard-scope": "metrics:read",
        "x-keycard-client-ip": "203.0.113.1",
        connection: "keep-alive, x-hop",
        "x-hop": "1",
      },
      body,
    });
    expect(res.status).toBe(207);
    expect(res.headers.get("x-origin")).toBe("yes");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("x-frame-options")).toBeNull();
    const seen = (await res.json()) as Seen;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe(`${ORIGIN}/api/v1/push?tenant=a&x=%2F`);
    expect([seen.bytes, seen.checksum]).toEqual([body.length, checksum(body)]);
    expect(seen.headers["content-type"]).toBe("application/x-protobuf");
    for (const h of ["authorization", "x-keycard-scope", "x-keycard-client-ip", "x-hop"]) expect(seen.headers[h]).toBeUndefined();
    expect(seen.headers["x-keycard-stack"]).toBe(stack);
    const jwks = (await (await call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(seen.headers["x-keycard-decision"]!, createLocalJWKSet(jwks), { audience: "metrics", typ: "kc-decision+jwt" });
    expect(payload).toMatchObject({ scope: "metrics:write", stack, sub: seen.headers["x-keycard-subject"] });
  });

  it("forwards the client's Authorization only when PROXY_FORWARD_AUTHORIZATION=true", async () => {
    const res = await send(forwardingEnv, "/proxy/api/v1/push", { method: "POST", headers: { authorization: basic(stack, writer) }, body: "x" });
    expect(((await res.json()) as Seen).headers.authorization).toBe(basic(stack, writer));
  });

  it.each<[string, string, string, Record<string, string>, number, string]>([
    ["no credential", "POST", "/proxy/api/v1/push", {}, 401, "missing_credential"],
    ["a read with a write token, whatever X-Keycard-Scope says", "GET", "/proxy/api/v1/query?query=up", { "x-keycard-scope": "metrics:write" }, 403, "scope_denied"],
    ["an unmapped path", "GET", "/proxy/admin", {}, 403, "route_unmapped"],
    ["the bare prefix", "GET", "/proxy", {}, 403, "route_unmapped"],
    ["an empty segment", "POST", "/proxy/api//v1/push", {}, 403, "route_invalid"],
    ["an encoded slash", "POST", "/proxy/api/v1%2Fpush", {}, 403, "route_invalid"],
  ])("refuses %s without reaching the origin", async (_name, method, path, headers, status, reason) => {
    const auth: Record<string, string> = reason === "missing_credential" ? {} : { authorization: basic(stack, writer) };
    const res = await send(proxyEnv, path, { method, headers: { ...auth, ...headers } });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-keycard-reason")).toBe(reason);
    expect(res.headers.get("x-origin")).toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe(reason);
  });

  it("leaves Keycard's own routes and other paths alone", async () => {
    expect((await send(proxyEnv, "/proxyx/api/v1/push", { method: "POST" })).status).toBe(404);
    expect((await send(proxyEnv, "/livez")).status).toBe(200);
    const auth = await send(proxyEnv, "/authorize", { headers: { authorization: basic(stack, writer), "x-keycard-scope": "metrics:write" } });
    expect(auth.status).toBe(200);
  });

  it("streams the request body: the origin sees the first chunk while the client is still sending", async () => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const w = writable.getWriter();
    const enc = new TextEncoder();
    void w.write(enc.encode("first"));
    const res = await send(proxyEnv, "/proxy/first-chunk", { method: "POST", headers: { authorization: basic(stack, writer) }, body: readable });
    const lines = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await lines.read()).value).toBe("first=first\n");
    await w.write(enc.encode("more"));
    await w.close();
    let rest = "";
    for (let r = await lines.read(); !r.done; r = await lines.read()) rest += r.value;
    expect(rest).toBe("rest=4\n");
  });

  it("streams the response body: the first chunk arrives while the origin has not finished", async () => {
    const res = await send(proxyEnv, "/proxy/open-stream", { headers: { authorization: basic(stack, writer) } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe("first chunk\n");
    await reader.cancel();
  });

  it.each([
    ["a prefix Keycard serves itself", { PROXY_PREFIX: "/api" }],
    ["a prefix with a trailing slash", { PROXY_PREFIX: "/proxy/" }],
    ["an origin with a query", { ORIGIN_URL: "http://origin.test/?a=b" }],
    ["an origin that is not http(s)", { ORIGIN_URL: "ftp://origin.test" }],
    ["a flag that is not a boolean", { PROXY_FORWARD_AUTHORIZATION: "yes" }],
  ])("refuses to start with %s", async (_name, vars) => {
    const res = await send({ ...proxyEnv, ...vars } as Env, "/authorize", { headers: { authorization: basic(stack, writer), "x-keycard-scope": "metrics:write" } });
    expect(res.status).toBe(503);
  });
});

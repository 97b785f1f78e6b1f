/**
 * Security cases of every admin endpoint, as one table: another org's ids (404, never 403), missing
 * scopes (403), `__proto__` keys, unknown fields, oversized bodies (413), wrong content type (415).
 * Each refused request writes nothing: no row, no audit event, no idempotency key.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_SCOPES, as, expectNoWrite, policy, stackRealms, token, tokenWith, type Json } from "./admin-helpers.ts";
import { exports } from "cloudflare:workers";
import { BASE, call, newOrg, newStack, OPERATOR } from "./helpers.ts";

/** The objects of one org. */
interface Side {
  org: string;
  stack: string;
  policy: string;
  token: string;
}

let mine: Side, theirs: Side, admin: string, nobody: string;

async function side(): Promise<Side> {
  const org = await newOrg();
  const stack = await newStack(org);
  const p = await policy(org, { realms: stackRealms(stack) });
  return { org, stack, policy: p.id, token: (await token(org, p.id)).id };
}

beforeAll(async () => {
  [mine, theirs] = [await side(), await side()];
  admin = (await tokenWith(mine.org, [...ADMIN_SCOPES, "metrics:write"])).secret;
  nobody = (await tokenWith(mine.org, ["metrics:write"])).secret;
});

/** One endpoint: how to call it on one side's objects, what it needs, and what it answers across orgs. */
interface Endpoint {
  method: "GET" | "POST" | "DELETE";
  path: (s: Side) => string;
  body?: (s: Side) => Record<string, unknown>;
  /** The scope it needs, or null when any authenticated caller may (403 only for the operator's routes). */
  scope: string | null;
  /** The answer to the admin of `mine` pointing at `theirs`. */
  foreign: number;
}

const ENDPOINTS: Endpoint[] = [
  { method: "POST", path: () => "/api/v1/orgs", body: () => ({ name: "x" }), scope: "operator", foreign: 403 },
  { method: "GET", path: (s) => `/api/v1/orgs/${s.org}`, scope: null, foreign: 404 },
  { method: "POST", path: (s) => `/api/v1/orgs/${s.org}`, body: () => ({ name: "renamed" }), scope: "operator", foreign: 404 },
  { method: "DELETE", path: (s) => `/api/v1/orgs/${s.org}?force=true`, scope: "operator", foreign: 404 },
  { method: "POST", path: () => "/api/v1/stacks", body: (s) => ({ orgId: s.org, name: "new-stack" }), scope: "stacks:write", foreign: 404 },
  { method: "GET", path: (s) => `/api/v1/stacks?orgId=${s.org}`, scope: "stacks:read", foreign: 404 },
  { method: "GET", path: (s) => `/api/v1/stacks/${s.stack}`, scope: "stacks:read", foreign: 404 },
  { method: "POST", path: (s) => `/api/v1/stacks/${s.stack}`, body: () => ({ name: "renamed" }), scope: "stacks:write", foreign: 404 },
  { method: "DELETE", path: (s) => `/api/v1/stacks/${s.stack}?force=true`, scope: "stacks:delete", foreign: 404 },
  {
    method: "POST",
    path: (s) => `/api/v1/accesspolicies?orgId=${s.org}`,
    body: (s) => ({ name: "new-policy", scopes: ["metrics:write"], realms: stackRealms(s.stack) }),
    scope: "accesspolicies:write",
    foreign: 404,
  },
  { method: "GET", path: (s) => `/api/v1/accesspolicies?orgId=${s.org}`, scope: "accesspolicies:read", foreign: 404 },
  { method: "GET", path: (s) => `/api/v1/accesspolicies/${s.policy}`, scope: "accesspolicies:read", foreign: 404 },
  { method: "POST", path: (s) => `/api/v1/accesspolicies/${s.policy}`, body: () => ({ displayName: "x" }), scope: "accesspolicies:write", foreign: 404 },
  { method: "DELETE", path: (s) => `/api/v1/accesspolicies/${s.policy}`, scope: "accesspolicies:delete", foreign: 404 },
  {
    method: "POST",
    path: () => "/api/v1/tokens",
    body: (s) => ({ accessPolicyId: s.policy, name: "new-token" }),
    scope: "accesspolicies:write",
    foreign: 400,
  },
  { method: "GET", path: (s) => `/api/v1/tokens?orgId=${s.org}`, scope: "accesspolicies:read", foreign: 404 },
  { method: "GET", path: (s) => `/api/v1/tokens/${s.token}`, scope: "accesspolicies:read", foreign: 404 },
  { method: "POST", path: (s) => `/api/v1/tokens/${s.token}`, body: () => ({ displayName: "x" }), scope: "accesspolicies:write", foreign: 404 },
  { method: "DELETE", path: (s) => `/api/v1/tokens/${s.token}`, scope: "accesspolicies:delete", foreign: 404 },
  { method: "GET", path: (s) => `/api/v1/auditevents?orgId=${s.org}`, scope: "accesspolicies:read", foreign: 404 },
];

const named = ENDPOINTS.map((e) => [`${e.method} ${e.path({ org: "{org}", stack: "{id}", policy: "{id}", token: "{id}" })}`, e] as const);
const withBody = named.filter(([, e]) => e.body);

const send = (secret: string, e: Endpoint, s: Side, o: { body?: unknown; headers?: Record<string, string> } = {}) =>
  expectNoWrite(() => as(secret, e.method, e.path(s), { body: o.body ?? e.body?.(s), headers: o.headers }));

describe("another org's objects are not found, so ids cannot be probed", () => {
  it.each(named)("%s", async (_n, e) => {
    const r = await send(admin, e, theirs);
    expect(r.status).toBe(e.foreign);
    if (e.foreign === 404) expect(r.body.code).toBe("not_found");
  });
});

describe("a token without the scope is refused with 403", () => {
  it.each(named.filter(([, e]) => e.scope !== null))("%s", async (_n, e) => {
    const r = await send(nobody, e, mine);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("forbidden");
    if (e.scope !== "operator") expect(r.body.message).toContain(e.scope);
  });
});

describe("no credential, or a bad one, is a 401", () => {
  it.each(named)("%s", async (_n, e) => {
    const r = await expectNoWrite(() => call(e.method, e.path(mine), { body: e.body?.(mine) }));
    expect(r.status).toBe(401);
    const bad = await expectNoWrite(() => as(OPERATOR.slice(0, -1) + (OPERATOR.endsWith("0") ? "1" : "0"), e.method, e.path(mine)));
    expect(bad.status).toBe(401);
  });
});

describe("bodies are strict JSON objects", () => {
  it.each(withBody)("%s refuses a __proto__ key (400), and nothing is polluted", async (_n, e) => {
    const raw = JSON.stringify(e.body!(mine)).replace(/^\{/, '{"__proto__":{"polluted":true,"status":"inactive"},');
    const r = await send(OPERATOR, e, mine, { body: raw });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(({} as Json).polluted).toBeUndefined();
  });

  it.each(withBody)("%s refuses an unknown field (400)", async (_n, e) => {
    const r = await send(OPERATOR, e, mine, { body: { ...e.body!(mine), isAdmin: true } });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining("isAdmin") })]));
  });

  it.each(withBody)("%s refuses a body over 64 KiB (413)", async (_n, e) => {
    const r = await send(OPERATOR, e, mine, { body: { ...e.body!(mine), pad: "x".repeat(70 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe("payload_too_large");
  });

  it.each(withBody)("%s refuses a body that is not application/json (415)", async (_n, e) => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await send(OPERATOR, e, mine, { body: JSON.stringify(e.body!(mine)), headers: { "content-type": type } });
      expect(r.status).toBe(415);
      expect(r.body.code).toBe("unsupported_media_type");
    }
  });

  it.each(withBody)("%s refuses malformed JSON (400)", async (_n, e) => {
    const r = await send(OPERATOR, e, mine, { body: '{"name": ' });
    expect(r.status).toBe(400);
  });
});

describe("a streamed body over the limit is refused too", () => {
  it("answers 413 without a content-length", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ name: "x".repeat(70 * 1024) }));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(big.slice(0, 1024));
        c.enqueue(big.slice(1024));
        c.close();
      },
    });
    const headers = { authorization: `Bearer ${OPERATOR}`, "content-type": "application/json" };
    const r = await expectNoWrite(() => exports.default.fetch(new Request(`${BASE}/api/v1/orgs`, { method: "POST", headers, body })));
    expect(r.status).toBe(413);
  });
});

/** Helpers of the admin API tests: admin tokens with chosen rights, and proof that a request wrote nothing. */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, newOrg, newStack, ok, uniq, type CallOptions } from "./helpers.ts";

/** A response body in a test: read field by field, so a loose type keeps the assertions short. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the reason is above
export type Json = any;

/** Every admin scope. */
export const ADMIN_SCOPES = [
  "accesspolicies:read",
  "accesspolicies:write",
  "accesspolicies:delete",
  "stacks:read",
  "stacks:write",
  "stacks:delete",
];

/** A realm of the whole org. */
export const orgRealm = (orgId: string) => [{ type: "org", identifier: orgId }];

/** Realms of single stacks. */
export const stackRealms = (...stackIds: string[]) => stackIds.map((identifier) => ({ type: "stack", identifier }));

/** Creates, as the operator, a policy and a token under it; returns the ids and the secret. */
export async function tokenWith(
  orgId: string,
  scopes: string[],
  realms: { type: string; identifier: string }[] = orgRealm(orgId),
): Promise<{ policyId: string; tokenId: string; secret: string }> {
  const p = await ok<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${orgId}`, { body: { name: uniq("policy"), scopes, realms } });
  const t = await ok<{ id: string; token: string }>("POST", `/api/v1/tokens?orgId=${orgId}`, {
    body: { accessPolicyId: p.id, name: uniq("token") },
  });
  return { policyId: p.id, tokenId: t.id, secret: t.token };
}

/** Calls as a given token and returns status and parsed body. */
export async function as(secret: string, method: string, path: string, o: CallOptions = {}): Promise<{ status: number; body: Json; res: Response }> {
  const res = await call(method, path, { token: secret, ...o });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, res };
}

const TABLES = ["orgs", "stacks", "access_policies", "tokens", "audit_events", "idempotency_keys"];

/** Every row of every admin table, as one string. */
export async function snapshot(): Promise<string> {
  const parts = await Promise.all(TABLES.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()));
  return JSON.stringify(parts.map((p) => p.results));
}

/** Runs `f` and fails unless it left every admin table exactly as it found it. */
export async function expectNoWrite<T>(f: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const out = await f();
  expect(await snapshot()).toBe(before);
  return out;
}

/** The audit rows about one target, oldest first. */
export async function auditRows(targetId: string): Promise<Json[]> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_events WHERE target_id = ? ORDER BY id").bind(targetId).all();
  return results as Json[];
}

/** A fresh org with two stacks. */
export async function world(): Promise<{ org: string; s1: string; s2: string }> {
  const org = await newOrg();
  return { org, s1: await newStack(org), s2: await newStack(org) };
}

/** Creates a policy as the operator and returns it. */
export async function policy(orgId: string, over: Record<string, unknown> = {}): Promise<Json> {
  return ok("POST", `/api/v1/accesspolicies?orgId=${orgId}`, {
    body: { name: uniq("p"), scopes: ["metrics:write"], realms: orgRealm(orgId), ...over },
  });
}

/** Creates a token as the operator and returns it (with its secret). */
export async function token(orgId: string, accessPolicyId: string, over: Record<string, unknown> = {}): Promise<Json> {
  return ok("POST", `/api/v1/tokens?orgId=${orgId}`, { body: { accessPolicyId, name: uniq("t"), ...over } });
}

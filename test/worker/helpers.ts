/** Test helpers: calls into the Worker under test, and a seeded world of orgs, stacks, policies, tokens. */
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";

/** The base URL requests are made against (the Worker never leaves workerd). */
export const BASE = "http://keycard.test";

/** The operator token of this test run. */
export const OPERATOR = env.KEYCARD_OPERATOR_TOKEN!;

/** Options of one call. */
export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request to the Worker. */
export function call(method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers = new Headers(o.headers);
  if (o.token !== undefined && !headers.has("authorization")) headers.set("authorization", `Bearer ${o.token}`);
  let body: BodyInit | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

/** Sends a request and returns its JSON body, failing the test on an unexpected status. */
export async function ok<T = Record<string, unknown>>(method: string, path: string, o: CallOptions = {}, status = 200): Promise<T> {
  const res = await call(method, path, { token: OPERATOR, ...o });
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${path} → ${res.status}, wanted ${status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A unique suffix, so tests sharing storage never collide on names. */
export function uniq(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Creates an org and returns its id. */
export async function newOrg(): Promise<string> {
  return (await ok<{ id: string }>("POST", "/api/v1/orgs", { body: { name: uniq("org") } })).id;
}

/** Creates a stack in an org and returns its id. */
export async function newStack(orgId: string): Promise<string> {
  return (await ok<{ id: string }>("POST", "/api/v1/stacks", { body: { orgId, name: uniq("stack") } })).id;
}

/** Creates a policy (with defaults filled) and a token under it; returns both ids and the secret. */
export async function newPolicyToken(
  orgId: string,
  policy: Record<string, unknown>,
  token: Record<string, unknown> = {},
): Promise<{ policyId: string; tokenId: string; secret: string }> {
  const p = await ok<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${orgId}`, { body: { name: uniq("policy"), ...policy } });
  const t = await ok<{ id: string; token: string }>("POST", `/api/v1/tokens?orgId=${orgId}`, {
    body: { accessPolicyId: p.id, name: uniq("token"), ...token },
  });
  return { policyId: p.id, tokenId: t.id, secret: t.token };
}

/** Basic credentials as Alloy and Prometheus send them. */
export function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

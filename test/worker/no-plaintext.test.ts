/**
 * No plaintext secret anywhere (issue #7, item 1). A full scenario runs through the Worker — an org,
 * stacks, policies and tokens created by the operator and by an admin token, an idempotent replay,
 * authorize allows and denies (bearer, basic, delegated), updates, revocations, a usage flush, and
 * injected D1, KV, feed and configuration faults — while every console line is captured. Then every
 * log line, every row of every D1 table, every KV key and value, the revocation feed's storage, every
 * admin response except each token's single create response, and every /authorize response are
 * searched: no token secret (nor its random part, nor its basic-auth encoding), no operator token and
 * no private signing key may appear.
 */
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { generateToken } from "../../src/core/token.ts";
import { getDeps } from "../../src/deps.ts";
import { createApp } from "../../src/http/app.ts";
import { sha256Hex } from "../../src/services/hash.ts";
import { BASE, basic, call, OPERATOR, uniq } from "./helpers.ts";

const logs: string[] = [];
const adminResponses: { what: string; text: string }[] = [];
const authorizeResponses: { what: string; text: string }[] = [];
const createResponses: { secret: string; text: string }[] = [];
const secrets: string[] = [];
const basicHeaders: string[] = [];
const spies: MockInstance[] = [];

const render = (v: unknown): string => {
  if (typeof v === "string") return v;
  if (v instanceof Error) return `${v.name}: ${v.message}\n${v.stack ?? ""}`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** An admin call whose response is kept for the search, unless it is a token's create response. */
async function admin<T = Record<string, unknown>>(method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}, create = false): Promise<T> {
  const res = await call(method, path, { token: OPERATOR, ...o });
  const text = await res.text();
  const headers = JSON.stringify([...res.headers]);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  const json = (text ? JSON.parse(text) : null) as T & { token?: string };
  if (create) {
    secrets.push(json.token!);
    createResponses.push({ secret: json.token!, text });
  } else adminResponses.push({ what: `${method} ${path}`, text: `${headers}\n${text}` });
  return json;
}

async function authorize(what: string, headers: Record<string, string>): Promise<number> {
  if (headers.authorization?.startsWith("Basic ")) basicHeaders.push(headers.authorization.slice(6));
  const res = await call("GET", "/authorize", { headers });
  authorizeResponses.push({ what, text: `${res.status}\n${JSON.stringify([...res.headers])}\n${await res.text()}` });
  return res.status;
}

/** A request to a fresh app over a modified environment, as a new isolate with that binding would see it. */
async function withEnv(over: Partial<Env>, path: string, headers: Record<string, string>): Promise<number> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}${path}`, { headers }), { ...env, ...over } as Env, ctx);
  authorizeResponses.push({ what: `fault ${path}`, text: `${res.status}\n${JSON.stringify([...res.headers])}\n${await res.text()}` });
  await waitOnExecutionContext(ctx);
  return res.status;
}

const failing = (what: string) => () => {
  throw new Error(`${what} is down (injected)`);
};

/** A binding whose `methods` throw; every other method still works (bound to the real binding). */
function broken<T extends object>(binding: T, what: string, methods: string[]): T {
  return new Proxy(binding, {
    get: (t, k) => {
      if (typeof k === "string" && methods.includes(k)) return failing(what);
      const v = Reflect.get(t, k) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

let org: string, s1: string, s2: string;
let dataToken: string, adminToken: string, gatewayToken: string, t2: string;

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    spies.push(vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(`${level}: ${args.map(render).join(" ")}`)));
  }

  // The operator builds the world.
  org = (await admin<{ id: string }>("POST", "/api/v1/orgs", { body: { name: uniq("org") } })).id;
  s1 = (await admin<{ id: string }>("POST", "/api/v1/stacks", { body: { orgId: org, name: uniq("stack") } })).id;
  s2 = (await admin<{ id: string }>("POST", "/api/v1/stacks", { body: { orgId: org, name: uniq("stack") } })).id;
  const orgRealm = [{ type: "org", identifier: org, labelPolicies: [] }];
  const adminPolicy = await admin<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${org}`, {
    body: { name: "admins", scopes: ["accesspolicies:read", "accesspolicies:write", "accesspolicies:delete", "metrics:write", "stacks:read"], realms: orgRealm },
  });
  const dataPolicy = await admin<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${org}`, {
    body: {
      name: "alloy",
      scopes: ["set:alloy-data-write", "metrics:read"],
      realms: [{ type: "stack", identifier: s1, labelPolicies: [{ selector: '{env="dev"}' }] }],
      conditions: { allowedSubnets: ["10.0.0.0/8", "2001:db8::/32"] },
    },
  });
  const gatewayPolicy = await admin<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${org}`, {
    body: { name: "gateway", scopes: ["authorizer:delegate"], realms: orgRealm },
  });
  const keyed = { "x-request-id": uniq("create-data-token") };
  const tokenBody = { accessPolicyId: dataPolicy.id, name: "alloy-eu-1", expiresAt: "2099-01-01T00:00:00Z" };
  dataToken = (await admin<{ token: string }>("POST", `/api/v1/tokens?orgId=${org}`, { body: tokenBody, headers: keyed }, true)).token;
  const replay = await admin<{ token?: string; secretOmitted?: boolean }>("POST", `/api/v1/tokens?orgId=${org}`, { body: tokenBody, headers: keyed });
  expect(replay.token).toBeUndefined();
  expect(replay.secretOmitted).toBe(true);
  adminToken = (await admin<{ token: string }>("POST", `/api/v1/tokens?orgId=${org}`, { body: { accessPolicyId: adminPolicy.id, name: "admin" } }, true)).token;
  gatewayToken = (await admin<{ token: string }>("POST", `/api/v1/tokens?orgId=${org}`, { body: { accessPolicyId: gatewayPolicy.id, name: "edge" } }, true)).token;

  // An admin token does its own work.
  const as = { token: adminToken };
  const p2 = await admin<{ id: string }>("POST", "/api/v1/accesspolicies", { ...as, body: { name: "writers", scopes: ["metrics:write"], realms: [{ type: "stack", identifier: s2 }] } });
  const created = await admin<{ id: string; token: string }>("POST", "/api/v1/tokens", { ...as, body: { accessPolicyId: p2.id, name: "writer-1" } }, true);
  t2 = created.token;
  await admin("POST", `/api/v1/tokens/${created.id}`, { ...as, body: { displayName: "Writer one" } });
  await admin("POST", `/api/v1/tokens/${created.id}`, { ...as, body: { expiresAt: "2098-01-01T00:00:00Z" } });
  await admin("POST", `/api/v1/accesspolicies/${dataPolicy.id}?orgId=${org}`, { body: { displayName: "Alloy collectors" } });
  for (const path of ["/api/v1/accesspolicies", "/api/v1/tokens", `/api/v1/tokens/${created.id}`, "/api/v1/auditevents", `/api/v1/accesspolicies/${p2.id}`, "/api/v1/accesspolicies/config"]) {
    await admin("GET", path, as);
  }
  await admin("GET", `/api/v1/auditevents?orgId=${org}&pageSize=1000`);
  await admin("GET", `/api/v1/tokens?orgId=${org}&includeExpired=true`);

  // Authorize: allows and denies, every credential shape.
  const s = "x-keycard-scope";
  expect(await authorize("basic allow", { authorization: basic(s1, dataToken), [s]: "metrics:write", "cf-connecting-ip": "10.1.2.3" })).toBe(200);
  expect(await authorize("bearer allow with labels", { authorization: `Bearer ${dataToken}`, "x-keycard-stack": s1, [s]: "metrics:read", "cf-connecting-ip": "2001:db8::7" })).toBe(200);
  expect(await authorize("delegated allow", { authorization: basic(s1, dataToken), [s]: "logs:write", "cf-connecting-ip": "192.0.2.1", "x-keycard-gateway-token": gatewayToken, "x-keycard-client-ip": "10.9.9.9" })).toBe(200);
  expect(await authorize("admin token allow", { authorization: `Bearer ${adminToken}`, [s]: "metrics:write" })).toBe(200);
  expect(await authorize("second token allow", { authorization: basic(s2, t2), [s]: "metrics:write" })).toBe(200);
  expect(await authorize("scope deny", { authorization: basic(s1, dataToken), [s]: "logs:read", "cf-connecting-ip": "10.1.2.3" })).toBe(403);
  expect(await authorize("ip deny", { authorization: basic(s1, dataToken), [s]: "metrics:write", "cf-connecting-ip": "192.0.2.1", "x-forwarded-for": "10.1.2.3" })).toBe(403);
  expect(await authorize("realm deny", { authorization: basic(s2, dataToken), [s]: "metrics:write", "cf-connecting-ip": "10.1.2.3" })).toBe(403);
  expect(await authorize("checksum deny", { authorization: `Bearer ${dataToken.slice(0, -1)}${dataToken.endsWith("a") ? "b" : "a"}`, [s]: "metrics:write" })).toBe(401);
  expect(await authorize("unknown deny", { authorization: `Bearer ${generateToken((b) => crypto.getRandomValues(b))}`, [s]: "metrics:write" })).toBe(401);
  expect(await authorize("operator on /authorize", { authorization: `Bearer ${OPERATOR}`, [s]: "metrics:write" })).toBe(401);
  expect(await authorize("gateway without delegate rights", { authorization: basic(s1, dataToken), [s]: "metrics:write", "x-keycard-gateway-token": adminToken, "x-keycard-client-ip": "10.1.2.3" })).toBe(403);
  const utf8 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  expect(await authorize("lookalike deny", { authorization: `Basic ${utf8(`${s1}:${dataToken.replace(/[a-z]/, "\u0430")}`)}`, [s]: "metrics:write" })).toBe(401);

  // Revoke, then the revoked token is refused; a policy delete takes its tokens along.
  const tokens = await admin<{ items: { id: string; name: string }[] }>("GET", `/api/v1/tokens?orgId=${org}`);
  await admin("DELETE", `/api/v1/tokens/${tokens.items.find((t) => t.name === "writer-1")!.id}`, { token: adminToken });
  expect(await authorize("revoked deny", { authorization: basic(s2, t2), [s]: "metrics:write" })).toBe(401);
  await admin("DELETE", `/api/v1/accesspolicies/${p2.id}?orgId=${org}`, { headers: { "x-request-id": uniq("delete-p2") } });

  // Flush usage and KV fills, as waitUntil would.
  await (await getDeps(env)).background();
  const used = await env.DB.prepare("SELECT count(*) AS n FROM tokens WHERE org_id = ? AND last_used_at IS NOT NULL").bind(org).first<{ n: number }>();
  expect(used!.n).toBeGreaterThan(0);

  // Faults: D1 down, KV down, the feed down, a broken configuration. Each is logged; none may log a secret.
  const headers = { authorization: basic(s1, dataToken), "x-keycard-scope": "metrics:write", "cf-connecting-ip": "10.1.2.3" };
  const DB = broken(env.DB, "D1", ["prepare", "batch", "withSession"]);
  const TOKENS_KV = broken(env.TOKENS_KV, "KV", ["get", "put", "delete"]);
  const REVOCATIONS = broken(env.REVOCATIONS, "feed", ["get"]);
  expect(await withEnv({ DB, TOKENS_KV, REVOCATIONS }, "/authorize", headers)).toBe(503);
  expect(await withEnv({ TOKENS_KV, REVOCATIONS }, "/authorize", headers)).toBe(200);
  expect(await withEnv({ DB }, "/api/v1/accesspolicies?orgId=" + org, { authorization: `Bearer ${OPERATOR}` })).toBe(503);
  const badKeys = JSON.stringify([{ kty: "OKP", crv: "Ed25519", x: "AAAA", d: signingKeyD() }]);
  expect(await withEnv({ KEYCARD_SIGNING_KEYS: badKeys } as Partial<Env>, "/authorize", headers)).toBe(503);
  expect(await withEnv({ KEYCARD_OPERATOR_TOKEN: `${OPERATOR}x` } as Partial<Env>, "/authorize", headers)).toBe(503);
  expect(logs.length).toBeGreaterThan(0);
}, 60_000);

afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

/** The private part of the configured signing key. */
function signingKeyD(): string {
  const keys = JSON.parse(env.KEYCARD_SIGNING_KEYS!) as { d?: string }[];
  return keys[0]!.d!;
}

/** Everything an observer of logs, D1, KV or the feed could read. */
async function everythingStored(): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
  const dumped: string[] = [];
  for (const { name } of tables.results) {
    try {
      const rows = await env.DB.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all();
      out.push({ where: `D1 ${name}`, text: JSON.stringify(rows.results) });
      dumped.push(name);
    } catch (e) {
      out.push({ where: `D1 ${name} (unreadable: ${String(e)})`, text: "" });
    }
  }
  for (const t of ["orgs", "stacks", "access_policies", "tokens", "audit_events", "idempotency_keys"]) expect(dumped).toContain(t);
  let cursor: string | undefined;
  do {
    const page = await env.TOKENS_KV.list(cursor === undefined ? {} : { cursor });
    for (const k of page.keys) out.push({ where: `KV ${k.name}`, text: `${k.name}\n${JSON.stringify(k.metadata ?? null)}\n${(await env.TOKENS_KV.get(k.name)) ?? ""}` });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  const feed = env.REVOCATIONS.get(env.REVOCATIONS.idFromName("global"));
  const stored = await runInDurableObject(feed, async (_instance, state) => {
    const sql = state.storage.sql;
    const names = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray();
    return names.map(({ name }) => `${name}: ${JSON.stringify(sql.exec(`SELECT * FROM "${name}"`).toArray())}`).join("\n");
  });
  out.push({ where: "revocation feed", text: stored });
  out.push(...logs.map((text, i) => ({ where: `log line ${i}`, text })));
  out.push(...adminResponses.map((r) => ({ where: `admin response ${r.what}`, text: r.text })));
  out.push(...authorizeResponses.map((r) => ({ where: `authorize response ${r.what}`, text: r.text })));
  return out;
}

describe("after a full scenario, no plaintext secret is anywhere but in its one create response", () => {
  it("each token's create response carried its secret (so the search looks for the right strings)", () => {
    expect(secrets).toHaveLength(4);
    for (const { secret, text } of createResponses) expect(text).toContain(secret);
  });

  it("stores token hashes where the secrets would have been, so the search looked in the right places", async () => {
    const stored = await everythingStored();
    const hashes = await Promise.all(secrets.map(sha256Hex));
    const holds = (where: (w: string) => boolean, hash: string) => stored.some((s) => where(s.where) && s.text.includes(hash));
    for (const hash of hashes) expect(holds((w) => w === "D1 tokens", hash) || hash === (await sha256Hex(t2))).toBe(true);
    expect(hashes.filter((hash) => holds((w) => w.startsWith("KV "), hash)).length).toBeGreaterThan(0);
    const revoked = await sha256Hex(t2);
    expect(stored.some((s) => s.where === "revocation feed" && s.text.includes(revoked))).toBe(true);
  });

  it("0 occurrences of any token secret, its random part, its basic-auth form, the operator token or the signing key", async () => {
    const stored = await everythingStored();
    const needles = [
      ...secrets.flatMap((t) => [t, t.slice(3, 35), t.slice(3)]),
      ...basicHeaders,
      OPERATOR,
      OPERATOR.slice(3, 35),
      signingKeyD(),
    ];
    const found = stored.flatMap(({ where, text }) => needles.filter((n) => text.includes(n)).map((n) => `${where}: ${n.slice(0, 8)}…`));
    expect(found).toEqual([]);
    expect(stored.length).toBeGreaterThan(40);
  });
});

/**
 * Hostile admin JSON (issue #7, item 8): generated bodies POSTed to `/api/v1/accesspolicies` and
 * `/api/v1/tokens` — near-valid bodies with one or more corruptions (wrong types, unknown keys,
 * `__proto__`, `constructor`, lookalike scopes, cross-org realms, bad subnets), arbitrary JSON, deep
 * nesting, huge arrays, bodies that are not JSON, wrong content types — by the operator and by an
 * admin token that holds fewer scopes. An independent schema oracle says which bodies are valid:
 * the answer is 200 only for those, a refusal is 400/403/409/413/415 (never 5xx), and the rows and
 * audit events written are exactly those of the 200s.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { mutation, oracleCidr } from "../core/hostile-oracle.ts";
import { exports } from "cloudflare:workers";
import { BASE, newOrg, newPolicyToken, newStack, OPERATOR } from "./helpers.ts";

/** Generated requests per property; their sum with the other suites is reported in the issue. */
export const RUNS = { policies: 700, tokens: 500, garbage: 300, operator: 300 } as const;

const KNOWN = [
  "metrics:read", "metrics:write", "metrics:delete", "logs:read", "logs:write", "logs:delete", "traces:read", "traces:write",
  "traces:delete", "profiles:read", "profiles:write", "alerts:read", "alerts:write", "rules:read", "rules:write",
  "accesspolicies:read", "accesspolicies:write", "accesspolicies:delete", "stacks:read", "stacks:write", "stacks:delete",
  "fleet-management:read", "fleet-management:write", "authorizer:delegate",
];
const DATA_WRITE = ["metrics:write", "logs:write", "traces:write", "profiles:write", "fleet-management:read"];
const SETS: Record<string, string[]> = { "set:alloy-data-write": DATA_WRITE, "set:otel-data-write": DATA_WRITE };
const expand = (scopes: readonly string[]) => new Set(scopes.flatMap((s) => SETS[s] ?? [s]));
const GOOD_SELECTORS = ['{env="dev"}', "{team=~\"a|b\"}", "up", '{env!="prod"}'];
const LIMITED_SCOPES = ["accesspolicies:read", "accesspolicies:write", "metrics:read", "logs:read", "set:alloy-data-write"];

let org: string, otherOrg: string, s1: string, s2: string, otherStack: string, policyId: string, otherPolicyId: string, limited: string;
let bigPolicyId: string;
const policyNames = new Set<string>();
const tokenNames = new Map<string, Set<string>>();

beforeAll(async () => {
  [org, otherOrg] = [await newOrg(), await newOrg()];
  [s1, s2, otherStack] = [await newStack(org), await newStack(org), await newStack(otherOrg)];
  ({ policyId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] }));
  ({ policyId: bigPolicyId } = await newPolicyToken(org, { scopes: ["metrics:delete"], realms: [{ type: "org", identifier: org }] }));
  ({ policyId: otherPolicyId } = await newPolicyToken(otherOrg, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: otherOrg }] }));
  ({ secret: limited } = await newPolicyToken(org, { scopes: LIMITED_SCOPES, realms: [{ type: "org", identifier: org }] }));
  const rows = await env.DB.prepare("SELECT p.name AS p, t.name AS t, p.id AS id FROM access_policies p LEFT JOIN tokens t ON t.access_policy_id = p.id WHERE p.org_id = ?").bind(org).all<{ p: string; t: string | null; id: string }>();
  for (const r of rows.results) {
    policyNames.add(r.p);
    if (r.t !== null) (tokenNames.get(r.id) ?? tokenNames.set(r.id, new Set()).get(r.id)!).add(r.t);
  }
});

// ---- the schema oracle --------------------------------------------------------------------------

type Verdict = { ok: true } | { ok: false; status: 400 | 403 | 409 | 413 | 415; or415?: true } | { ok: "unknown" };
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const only = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const isName = (v: unknown) => typeof v === "string" && v.length >= 1 && v.length <= 64 && NAME.test(v);
const isDisplay = (v: unknown) => v === undefined || (typeof v === "string" && v.trim().length <= 128);
const refuse = (status: 400 | 403 | 409 | 413 | 415): Verdict => ({ ok: false, status });
const OK: Verdict = { ok: true };

interface Sent {
  path: "/api/v1/accesspolicies" | "/api/v1/tokens";
  actor: "operator" | "limited";
  contentType: string | null;
  text: string;
  requestId: string | null;
}

function framing(s: Sent): Verdict | null {
  const type = (s.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (s.text !== "" && type !== "application/json") return refuse(415);
  if (new TextEncoder().encode(s.text).length > 64 * 1024) return refuse(413);
  if (s.requestId !== null && s.requestId !== "openapi-x-request-id" && !/^[\x21-\x7e]{1,255}$/.test(s.requestId)) return refuse(400);
  if (s.contentType !== null && !/^application\/json(;\s*charset=utf-8)?$/i.test(s.contentType.trim())) return { ok: "unknown" };
  return null;
}

function policyVerdict(body: unknown, actor: Sent["actor"]): Verdict {
  if (!isObj(body) || !only(body, ["name", "displayName", "scopes", "realms", "conditions", "status"])) return refuse(400);
  const { name, displayName, scopes, realms, conditions, status } = body;
  if (!isName(name) || !isDisplay(displayName)) return refuse(400);
  if (!Array.isArray(scopes) || scopes.length < 1 || scopes.length > 64 || !scopes.every((s) => typeof s === "string" && s.length <= 64)) return refuse(400);
  if (!Array.isArray(realms) || realms.length < 1 || realms.length > 32) return refuse(400);
  if (status !== undefined && status !== "active" && status !== "inactive") return refuse(400);
  let unknownSelector = false;
  for (const r of realms) {
    if (!isObj(r) || !only(r, ["type", "identifier", "labelPolicies"]) || (r.type !== "org" && r.type !== "stack")) return refuse(400);
    if (typeof r.identifier !== "string" || !ID.test(r.identifier)) return refuse(400);
    const lps = r.labelPolicies === undefined ? [] : r.labelPolicies;
    if (!Array.isArray(lps) || lps.length > 16) return refuse(400);
    for (const lp of lps) {
      if (!isObj(lp) || !only(lp, ["selector"]) || typeof lp.selector !== "string" || lp.selector.length < 1 || lp.selector.length > 4096) return refuse(400);
      if (!GOOD_SELECTORS.includes(lp.selector)) unknownSelector = true;
    }
  }
  if (conditions !== undefined && conditions !== null) {
    if (!isObj(conditions) || !only(conditions, ["allowedSubnets"])) return refuse(400);
    const subnets = conditions.allowedSubnets;
    if (subnets !== undefined && (!Array.isArray(subnets) || subnets.length > 64 || !subnets.every((c) => typeof c === "string" && c.length <= 64))) return refuse(400);
  }
  // Semantics: known scopes, realms of this org, no duplicates, label policies only with labelled scopes, valid subnets.
  const strings = scopes as string[];
  if (!strings.every((s) => KNOWN.includes(s) || s in SETS)) return refuse(400);
  const labelled = [...expand(strings)].some((s) => s === "metrics:read" || s === "logs:read");
  const seen = new Set<string>();
  for (const r of realms as { type: string; identifier: string; labelPolicies?: unknown[] }[]) {
    const key = `${r.type}:${r.identifier}`;
    if (seen.has(key)) return refuse(400);
    seen.add(key);
    if (r.type === "org" ? r.identifier !== org : r.identifier !== s1 && r.identifier !== s2) return refuse(400);
    if ((r.labelPolicies ?? []).length > 0 && !labelled) return refuse(400);
  }
  const subnets = (isObj(conditions) ? (conditions.allowedSubnets as string[] | undefined) : undefined) ?? [];
  if (subnets.some((c) => "code" in oracleCidr(c))) return refuse(400);
  if (unknownSelector) return { ok: "unknown" };
  if (actor === "limited") {
    const held = expand(LIMITED_SCOPES);
    if (![...expand(strings)].every((s) => held.has(s))) return refuse(403);
  }
  return policyNames.has(name as string) ? refuse(409) : OK;
}

function tokenVerdict(body: unknown, actor: Sent["actor"], now: number): Verdict {
  if (!isObj(body) || !only(body, ["accessPolicyId", "name", "displayName", "expiresAt"])) return refuse(400);
  const { accessPolicyId, name, displayName, expiresAt } = body;
  if (typeof accessPolicyId !== "string" || !ID.test(accessPolicyId) || !isName(name) || !isDisplay(displayName)) return refuse(400);
  if (expiresAt !== undefined && expiresAt !== null && typeof expiresAt !== "string") return refuse(400);
  if (typeof expiresAt === "string" && !ISO.test(expiresAt)) return /^\d{4}-\d\d-\d\dT/.test(expiresAt) ? { ok: "unknown" } : refuse(400);
  if (accessPolicyId !== policyId && accessPolicyId !== bigPolicyId) return refuse(400);
  if (typeof expiresAt === "string" && !(Date.parse(expiresAt) > now + 60_000)) return Date.parse(expiresAt) < now - 60_000 ? refuse(400) : { ok: "unknown" };
  if (actor === "limited" && accessPolicyId === bigPolicyId) return refuse(403);
  return tokenNames.get(accessPolicyId)?.has(name as string) ? refuse(409) : OK;
}

function verdict(s: Sent, now: number): Verdict {
  const framed = framing(s);
  if (framed !== null && framed.ok !== "unknown") return framed;
  let body: unknown;
  try {
    body = JSON.parse(s.text);
  } catch {
    return framed === null ? refuse(400) : { ok: false, status: 400, or415: true };
  }
  const v = s.path === "/api/v1/tokens" ? tokenVerdict(body, s.actor, now) : policyVerdict(body, s.actor);
  if (framed === null) return v;
  return v.ok === false ? { ...v, or415: true } : framed;
}

// ---- the generators -----------------------------------------------------------------------------

let counter = 0;
const fresh = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** A JSON object text with keys exactly as given (duplicates and `__proto__` included). */
const objectText = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;

const HOSTILE_KEYS: [string, unknown][] = [
  ["__proto__", { status: "inactive", scopes: ["accesspolicies:delete"] }],
  ["constructor", { prototype: { isAdmin: true } }],
  ["prototype", {}],
  ["toString", "x"],
  ["orgId", "someone-else"],
  ["id", "chosen-id"],
  ["token", "kc_chosen"],
  ["isAdmin", true],
];

const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1e308, "", " ", "\u0000", [], {}, [null], [[]], "x".repeat(5000), { $ne: null }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Bodies the oracle should accept, so that acceptance is tested as hard as refusal. */
const validPolicy = fc
  .record({
    scopes: fc.uniqueArray(fc.constantFrom(...KNOWN, ...Object.keys(SETS)), { minLength: 1, maxLength: 4 }),
    realm: fc.constantFrom("org", "s1", "s2", "both"),
    selector: fc.option(fc.constantFrom(...GOOD_SELECTORS), { freq: 2 }),
    subnets: fc.option(fc.subarray(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32", "::/0", "0.0.0.0/0"]), { freq: 2 }),
    status: fc.option(fc.constantFrom("active", "inactive"), { freq: 2 }),
    displayName: fc.option(fc.constantFrom("Nice name", "", "  ", "\u00e9t\u00e9 \u{1f600}"), { freq: 2 }),
    limitedScopes: fc.boolean(),
    taken: fc.integer({ min: 0, max: 9 }),
  })
  .map((g) => {
    const scopes = g.limitedScopes ? ["metrics:read", ...g.scopes.filter((x) => expand(LIMITED_SCOPES).has(x) || x in SETS)] : g.scopes;
    const labelled = [...expand(scopes)].some((x) => x === "metrics:read" || x === "logs:read");
    const labelPolicies = g.selector !== null && labelled ? [{ selector: g.selector }] : [];
    const realm = (type: string, identifier: string) => ({ type, identifier, labelPolicies });
    const realms = { org: [realm("org", org)], s1: [realm("stack", s1)], s2: [realm("stack", s2)], both: [realm("stack", s1), realm("stack", s2)] }[g.realm];
    const body: Record<string, unknown> = { name: g.taken === 0 ? [...policyNames][0] : fresh("v"), scopes: [...new Set(scopes)], realms };
    if (g.subnets !== null) body.conditions = { allowedSubnets: g.subnets };
    if (g.status !== null) body.status = g.status;
    if (g.displayName !== null) body.displayName = g.displayName;
    return JSON.stringify(body);
  });

const validToken = fc
  .record({
    policy: fc.constantFrom("mine", "big"),
    expiresAt: fc.option(fc.constantFrom("2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000+02:00", null), { freq: 2 }),
    displayName: fc.option(fc.constantFrom("Alloy", "", "\u{1f600}"), { freq: 2 }),
    taken: fc.integer({ min: 0, max: 9 }),
  })
  .map((g) => {
    const id = g.policy === "mine" ? policyId : bigPolicyId;
    const body: Record<string, unknown> = { accessPolicyId: id, name: g.taken === 0 ? [...(tokenNames.get(id) ?? [])][0] ?? fresh("vt") : fresh("vt") };
    if (g.expiresAt !== null) body.expiresAt = g.expiresAt;
    if (g.displayName !== null) body.displayName = g.displayName;
    return JSON.stringify(body);
  });

const nearValidPolicy = fc
  .record({
    scopes: fc.oneof(
      fc.uniqueArray(fc.constantFrom(...KNOWN, ...Object.keys(SETS)), { minLength: 1, maxLength: 4 }),
      fc.constantFrom(["metrics:read"], ["logs:read", "metrics:write"], ["metrics:wr\u0456te"], ["METRICS:WRITE"], ["metrics:write", "metrics:write"], ["set:everything"], Array(65).fill("metrics:read"), []),
    ),
    realm: fc.constantFrom("org", "s1", "s2", "both", "otherOrg", "otherStack", "dup", "nope", "bad-type", "extra-key", "many"),
    labels: fc.constantFrom<unknown[] | undefined>(undefined, [], [{ selector: '{env="dev"}' }], [{ selector: "up" }], [{ selector: "{}" }], [{ selector: "" }], [{ selector: 1 }], [{ sel: "x" }]),
    subnets: fc.option(fc.constantFrom<unknown>(["10.0.0.0/8"], ["2001:db8::/32", "0.0.0.0/0"], ["0177.0.0.1/32"], ["10.0.0.1/8"], ["::ffff:10.0.0.0/104"], ["fe80::/10%eth0"], "10.0.0.0/8", [null], [], Array(65).fill("10.0.0.0/8")), { freq: 2 }),
    conditionsShape: fc.constantFrom("normal", "normal", "null", "empty", "extra"),
    status: fc.option(fc.constantFrom<unknown>("active", "inactive", "ACTIVE", true), { freq: 3 }),
    displayName: fc.option(fc.constantFrom<unknown>("Nice name", "  ", "x".repeat(129), 42, "\u202eevil"), { freq: 3 }),
    name: fc.constantFrom("fresh", "fresh", "fresh", "taken", "UPPER", "-lead", "x".repeat(65), "na\u00efve", "", 7),
    corruptions: fc.array(fc.tuple(fc.constantFrom("name", "scopes", "realms", "conditions", "status", "displayName"), hostileValue), { maxLength: 1 }),
    extraKeys: fc.subarray(HOSTILE_KEYS, { maxLength: 2 }),
  })
  .map((g) => {
    const realmOf = (identifier: string, type = "stack"): Record<string, unknown> => ({ type, identifier, ...(g.labels === undefined ? {} : { labelPolicies: g.labels }) });
    const realms = {
      org: [realmOf(org, "org")], s1: [realmOf(s1)], s2: [realmOf(s2)], both: [realmOf(s1), realmOf(s2)], otherOrg: [realmOf(otherOrg, "org")],
      otherStack: [realmOf(otherStack)], dup: [realmOf(s1), realmOf(s1)], nope: [realmOf("nope")], "bad-type": [realmOf(s1, "team")],
      "extra-key": [{ ...realmOf(s1), extra: 1 }], many: Array.from({ length: 33 }, () => realmOf(s1)),
    }[g.realm];
    const entries: [string, unknown][] = [
      ["name", g.name === "fresh" ? fresh("p") : g.name === "taken" ? [...policyNames][0] : g.name],
      ["scopes", g.scopes],
      ["realms", realms],
    ];
    if (g.subnets !== null || g.conditionsShape !== "normal") {
      const conditions = { normal: { allowedSubnets: g.subnets ?? [] }, null: null, empty: {}, extra: { allowedSubnets: [], extra: 1 } }[g.conditionsShape];
      entries.push(["conditions", conditions]);
    }
    if (g.status !== null) entries.push(["status", g.status]);
    if (g.displayName !== null) entries.push(["displayName", g.displayName]);
    for (const [k, v] of g.corruptions) entries.push([k, v]);
    entries.push(...g.extraKeys);
    return objectText(entries);
  });

const nearValidToken = fc
  .record({
    policy: fc.constantFrom("mine", "mine", "big", "other", "nope", 12),
    name: fc.constantFrom("fresh", "fresh", "fresh", "taken", "Upper", "", "x".repeat(65)),
    expiresAt: fc.option(
      fc.constantFrom<unknown>("2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000+02:00", "2020-01-01T00:00:00Z", "tomorrow", 4102444800, "2099-13-01T00:00:00Z", null, "2099-01-01", "2099-01-01T00:00:00"),
      { freq: 2 },
    ),
    displayName: fc.option(fc.constantFrom<unknown>("Alloy", "", 3, "x".repeat(200)), { freq: 3 }),
    corruptions: fc.array(fc.tuple(fc.constantFrom("accessPolicyId", "name", "expiresAt", "displayName"), hostileValue), { maxLength: 1 }),
    extraKeys: fc.subarray(HOSTILE_KEYS, { maxLength: 2 }),
  })
  .map((g) => {
    const taken = [...(tokenNames.get(policyId) ?? [])][0] ?? "none";
    const entries: [string, unknown][] = [
      ["accessPolicyId", { mine: policyId, big: bigPolicyId, other: otherPolicyId, nope: "nope", 12: 12 }[g.policy]],
      ["name", g.name === "fresh" ? fresh("t") : g.name === "taken" ? taken : g.name],
    ];
    if (g.expiresAt !== null) entries.push(["expiresAt", g.expiresAt]);
    if (g.displayName !== null) entries.push(["displayName", g.displayName]);
    for (const [k, v] of g.corruptions) entries.push([k, v]);
    entries.push(...g.extraKeys);
    return objectText(entries);
  });

const deep = (n: number, open: string, close: string) => `${open.repeat(n)}${close.repeat(n)}`;
const garbageText = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 3 }).map((v) => {
    try {
      return JSON.stringify(v) ?? "undefined";
    } catch {
      return "{";
    }
  }),
  fc.constantFrom(
    "", "{", "}", "{'name':'x'}", "\u0000", "null", "[]", "true", "1e999", '{"name":"x"}garbage', '\ufeff{"name":"x"}', "NaN",
    deep(20000, "[", "]"), `{"name":${deep(15000, "[", "]")}}`, `${'{"a":'.repeat(6000)}1${"}".repeat(6000)}`,
    JSON.stringify({ scopes: Array(3000).fill("metrics:write"), name: "big", realms: [] }),
    JSON.stringify({ scopes: Array(20000).fill("metrics:write") }), JSON.stringify({ name: "a".repeat(70000) }),
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
);

const policyBodies = fc.oneof({ weight: 2, arbitrary: validPolicy }, { weight: 4, arbitrary: nearValidPolicy }, { weight: 1, arbitrary: garbageText });
const tokenBodies = fc.oneof({ weight: 2, arbitrary: validToken }, { weight: 4, arbitrary: nearValidToken }, { weight: 1, arbitrary: garbageText });

const CONTENT_TYPES = ["application/json", "application/json", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json-patch+json", "application/jsonx", "application/json, text/plain", "application/json; charset=utf-16"];

/** Mostly JSON; one request in seven gets another type, or none. */
const contentTypeArb: fc.Arbitrary<string | null> = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 8 }))
  .map(([roll, other]) => (roll > 0 ? "application/json" : other));

const sentArb = (path: Sent["path"], body: fc.Arbitrary<string>) =>
  fc
    .record({
      actor: fc.constantFrom<Sent["actor"]>("operator", "operator", "limited"),
      contentType: contentTypeArb,
      text: body,
      requestId: fc.option(fc.constantFrom("fresh", "fresh", "openapi-x-request-id", "has space", "x".repeat(256), ""), { freq: 3 }),
    })
    .map((r): Sent => ({ path, ...r, requestId: r.requestId === "fresh" ? fresh("rid") : r.requestId }));

// ---- the run ------------------------------------------------------------------------------------

const TABLES = ["orgs", "stacks", "access_policies", "tokens", "audit_events", "idempotency_keys"] as const;
async function counts(): Promise<Record<(typeof TABLES)[number], number>> {
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`SELECT count(*) AS n FROM ${t}`)));
  return Object.fromEntries(TABLES.map((t, i) => [t, (rows[i]!.results[0] as { n: number }).n])) as Record<(typeof TABLES)[number], number>;
}

async function send(s: Sent): Promise<{ status: number; body: string; replayed: boolean }> {
  const headers: Record<string, string> = { authorization: `Bearer ${s.actor === "operator" ? OPERATOR : limited}` };
  if (s.contentType !== null) headers["content-type"] = s.contentType;
  if (s.requestId !== null) headers["x-request-id"] = s.requestId;
  // Bytes, not a string: a string body would get a text/plain content type of its own.
  const body = s.text === "" ? undefined : new TextEncoder().encode(s.text);
  const res = await exports.default.fetch(new Request(`${BASE}${s.path}?orgId=${org}`, { method: "POST", headers, body }));
  return { status: res.status, body: await res.text(), replayed: res.headers.get("idempotent-replayed") === "true" };
}

interface Tally {
  policies: number;
  tokens: number;
  keyed: number;
  refused: number;
}

async function run(arb: fc.Arbitrary<Sent>, numRuns: number): Promise<Tally> {
  const tally: Tally = { policies: 0, tokens: 0, keyed: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(arb, async (s) => {
      const want = verdict(s, Date.now());
      const got = await send(s);
      expect([200, 400, 403, 409, 413, 415], `${got.status} ${got.body.slice(0, 200)} for ${s.text.slice(0, 200)}`).toContain(got.status);
      if (want.ok === true) expect({ text: s.text, ct: s.contentType, status: got.status, body: got.body.slice(0, 300) }).toMatchObject({ status: 200 });
      if (want.ok === false) {
        const status = want.or415 && got.status === 415 ? want.status : got.status;
        expect({ text: s.text.slice(0, 300), ct: s.contentType, rid: s.requestId, status, body: got.body.slice(0, 300) }).toMatchObject({ status: want.status });
      }
      if (got.status !== 200) {
        tally.refused++;
        return;
      }
      expect(got.replayed).toBe(false);
      tally[s.path === "/api/v1/tokens" ? "tokens" : "policies"]++;
      if (s.requestId !== null && s.requestId !== "openapi-x-request-id") tally.keyed++;
      const parsed = JSON.parse(s.text) as { name: string; accessPolicyId?: string };
      if (s.path === "/api/v1/accesspolicies") policyNames.add(parsed.name);
      else (tokenNames.get(parsed.accessPolicyId!) ?? tokenNames.set(parsed.accessPolicyId!, new Set()).get(parsed.accessPolicyId!)!).add(parsed.name);
    }),
    { numRuns },
  );
  return tally;
}

describe("hostile admin JSON", () => {
  it("the generators reach valid bodies and every kind of refusal", () => {
    const now = Date.now();
    const verdicts = [
      ...fc.sample(sentArb("/api/v1/accesspolicies", policyBodies), { numRuns: 600, seed: 1 }),
      ...fc.sample(sentArb("/api/v1/tokens", tokenBodies), { numRuns: 400, seed: 2 }),
    ].map((s) => verdict(s, now));
    const by = (p: (v: Verdict) => boolean) => verdicts.filter(p).length;
    expect(by((v) => v.ok === true)).toBeGreaterThan(100);
    for (const status of [400, 403, 409, 415]) expect(by((v) => v.ok === false && v.status === status)).toBeGreaterThan(5);
  });

  it(`${RUNS.policies + RUNS.tokens + RUNS.garbage} bodies: 200 only when the oracle allows, never a 5xx, and only the 200s write`, { timeout: 120_000 }, async () => {
    const before = await counts();
    const policies = await run(sentArb("/api/v1/accesspolicies", policyBodies), RUNS.policies);
    const tokens = await run(sentArb("/api/v1/tokens", tokenBodies), RUNS.tokens);
    const garbage = await run(
      fc.oneof(sentArb("/api/v1/accesspolicies", garbageText), sentArb("/api/v1/tokens", garbageText)),
      RUNS.garbage,
    );
    const after = await counts();
    const total = (k: keyof Tally) => policies[k] + tokens[k] + garbage[k];
    expect(policies.policies).toBeGreaterThan(50);
    expect(tokens.tokens).toBeGreaterThan(50);
    expect(garbage.policies + garbage.tokens).toBe(0);
    expect(after.orgs - before.orgs).toBe(0);
    expect(after.stacks - before.stacks).toBe(0);
    expect(after.access_policies - before.access_policies).toBe(total("policies"));
    expect(after.tokens - before.tokens).toBe(total("tokens"));
    expect(after.audit_events - before.audit_events).toBe(total("policies") + total("tokens"));
    expect(after.idempotency_keys - before.idempotency_keys).toBe(total("keyed"));
  });

  it(`${RUNS.operator} hostile edits of the operator token are refused with 401 (bearer and basic)`, { timeout: 60_000 }, async () => {
    const ascii = (v: string) => /^[\x20-\x7e]*$/.test(v);
    const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
    await fc.assert(
      fc.asyncProperty(mutation(OPERATOR).filter((m) => m.trim() !== OPERATOR), fc.boolean(), async (m, bearer) => {
        const authorization = bearer && ascii(m) ? `Bearer ${m}` : `Basic ${b64(`x:${m}`)}`;
        const res = await exports.default.fetch(new Request(`${BASE}/api/v1/accesspolicies?orgId=${org}`, { headers: { authorization } }));
        expect({ m, status: res.status }).toEqual({ m, status: 401 });
        await res.body?.cancel();
      }),
      { numRuns: RUNS.operator },
    );
  });

  const policyText = (name: string) => JSON.stringify({ name, scopes: ["metrics:read"], realms: [{ type: "org", identifier: org }] });
  it.each([
    ["an array nested 20,000 deep", 400, "application/json", () => deep(20000, "[", "]")],
    ["an object nested 6,000 deep", 400, "application/json", () => `${'{"a":'.repeat(6000)}1${"}".repeat(6000)}`],
    ["__proto__ next to a valid body", 400, "application/json", () => policyText(fresh("p")).replace("{", '{"__proto__":{"status":"inactive"},')],
    ["constructor.prototype next to a valid body", 400, "application/json", () => policyText(fresh("p")).replace("{", '{"constructor":{"prototype":{"x":1}},')],
    ["a body over 64 KiB", 413, "application/json", () => JSON.stringify({ name: fresh("p"), scopes: ["metrics:read"], realms: [{ type: "org", identifier: org }], displayName: "x".repeat(70_000) })],
    ["a valid body sent as text/plain", 415, "text/plain", () => policyText(fresh("p"))],
    ["a valid body sent as a form", 415, "application/x-www-form-urlencoded", () => policyText(fresh("p"))],
  ])("refuses %s with %i, keyed or not, and writes nothing", async (_name, status, contentType, text) => {
    for (const requestId of [null, fresh("rid")]) {
      const before = await counts();
      const got = await send({ path: "/api/v1/accesspolicies", actor: "operator", contentType, text: text(), requestId });
      expect(got.status).toBe(status);
      expect(await counts()).toEqual(before);
    }
  });
});

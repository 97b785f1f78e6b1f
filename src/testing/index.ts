/**
 * `keycard/testing`: Keycard inside your own test suite, from plain Node (no wrangler CLI, no
 * network). {@link startKeycard} bundles the Worker with esbuild, runs it in Miniflare with the
 * bindings of wrangler.toml (in-memory D1, KV and Durable Objects), applies the D1 migrations, and
 * generates a fresh operator token and signing key. It needs `miniflare`, `esbuild` and `wrangler`
 * (for reading wrangler.toml and splitting SQL), which Keycard's dev dependencies provide.
 *
 * ```ts
 * import { startKeycard } from "keycard/testing";
 * const keycard = await startKeycard();
 * const { token, stackId } = await keycard.createPolicyAndToken({ scopes: ["metrics:write"], stack: true });
 * await fetch(`${keycard.url}/authorize`, { headers: { authorization: `Bearer ${token}`, "x-keycard-stack": stackId!, "x-keycard-scope": "metrics:write" } });
 * await keycard.stop();
 * ```
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { unstable_readConfig, unstable_splitSqlQuery } from "wrangler";
import { newSecrets } from "../../scripts/secrets.ts";

/** Keycard's package root: the nearest directory above this file with a wrangler.toml (source or built layout). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "wrangler.toml")) && existsSync(join(dir, "migrations"))) return dir;
    if (dirname(dir) === dir) throw new Error(`keycard/testing: no wrangler.toml above ${from}`);
  }
}

const ROOT = findRoot(import.meta.dirname);

/** How to start Keycard. */
export interface StartOptions {
  /** The port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** The address to listen on; loopback by default. */
  host?: string;
  /** Extra variables, e.g. `KEYCARD_ROUTES`, `DECISION_TTL_SECONDS`, `ORIGIN_URL`. */
  vars?: Record<string, string>;
  /** The operator token; a fresh one by default. */
  operatorToken?: string;
}

/** A realm, as the admin API takes it. */
export interface RealmInput {
  type: "org" | "stack";
  identifier: string;
  labelPolicies?: { selector: string }[];
}

/** What {@link Keycard.createPolicyAndToken} creates. */
export interface PolicyAndTokenInput {
  scopes: string[];
  /** The org to create them in; a new org by default. */
  orgId?: string;
  /** `true` creates a stack, a string names an existing one; the default realm is then that stack. */
  stack?: boolean | string;
  /** The realms; by default the stack's realm when there is a stack, else the whole org. */
  realms?: RealmInput[];
  allowedSubnets?: string[];
  /** ISO-8601; never expires by default. */
  expiresAt?: string;
  status?: "active" | "inactive";
}

/** What {@link Keycard.createPolicyAndToken} returns. `token` is the secret, shown only now. */
export interface PolicyAndToken {
  orgId: string;
  stackId: string | null;
  policyId: string;
  tokenId: string;
  token: string;
}

/** A running Keycard. */
export interface Keycard {
  /** The base URL, e.g. `http://127.0.0.1:41234`. Decisions carry it as `iss`. */
  url: string;
  /** The operator token: it may call every admin API. */
  operatorToken: string;
  /** Calls the admin API as the operator; throws with the status and body on anything but 2xx. */
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Creates an org (and, when asked, a stack), a policy and a token under it, in one call. */
  createPolicyAndToken(input: PolicyAndTokenInput): Promise<PolicyAndToken>;
  /** Stops the Worker and drops its state. */
  stop(): Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** Bundles Keycard's Worker (src/index.ts) for Miniflare, as `wrangler deploy` would. */
export async function bundleWorker(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, "src/index.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

/** The parts of wrangler.toml Keycard uses (wrangler's own types for them are not exported). */
interface WranglerConfig {
  compatibility_date?: string;
  compatibility_flags: string[];
  vars?: Record<string, unknown>;
  d1_databases: { binding: string }[];
  kv_namespaces: { binding: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations?: { new_sqlite_classes?: string[] }[];
  ratelimits?: { name: string; simple: { limit: number; period: 10 | 60 } }[];
}

/** The bindings of wrangler.toml, in Miniflare's shape. Never reads `.dev.vars`. */
export function bindingsOf(configPath: string) {
  const c = unstable_readConfig({ config: configPath }) as WranglerConfig;
  const sqlite = new Set((c.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  return {
    compatibilityDate: c.compatibility_date,
    compatibilityFlags: c.compatibility_flags,
    vars: Object.fromEntries(Object.entries(c.vars ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    d1Databases: c.d1_databases.map((d) => d.binding),
    kvNamespaces: c.kv_namespaces.map((k) => k.binding),
    durableObjects: Object.fromEntries(
      c.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }]),
    ),
    /** Rate-limiting bindings; `startKeycard` leaves them out (tests are not throttled). */
    ratelimits: Object.fromEntries((c.ratelimits ?? []).map((r) => [r.name, { simple: r.simple }])),
  };
}

async function applyMigrations(mf: Miniflare, binding: string): Promise<void> {
  const db = await mf.getD1Database(binding);
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = unstable_splitSqlQuery(readFileSync(join(dir, file), "utf8"));
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/** A port that was free a moment ago, so the decision issuer can be known before Keycard starts. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Keycard in Miniflare and waits until it serves. Call `stop()` when done. */
export async function startKeycard(options: StartOptions = {}): Promise<Keycard> {
  const b = bindingsOf(join(ROOT, "wrangler.toml"));
  const secrets = newSecrets();
  const operatorToken = options.operatorToken ?? secrets.KEYCARD_OPERATOR_TOKEN!;
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const mf = new Miniflare({
    host,
    port,
    modules: [{ type: "ESModule", path: join(ROOT, "keycard.js"), contents: await bundleWorker() }],
    compatibilityDate: b.compatibilityDate,
    compatibilityFlags: b.compatibilityFlags,
    bindings: {
      KEYCARD_ISSUER: `http://${host}:${port}`,
      ...b.vars,
      ...options.vars,
      KEYCARD_SIGNING_KEYS: secrets.KEYCARD_SIGNING_KEYS!,
      KEYCARD_OPERATOR_TOKEN: operatorToken,
    },
    d1Databases: b.d1Databases,
    kvNamespaces: b.kvNamespaces,
    durableObjects: b.durableObjects,
  });
  let url: string;
  try {
    url = (await mf.ready).origin;
    for (const binding of b.d1Databases) await applyMigrations(mf, binding);
  } catch (e) {
    await mf.dispose();
    throw e;
  }

  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`keycard: ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function createPolicyAndToken(input: PolicyAndTokenInput): Promise<PolicyAndToken> {
    const orgId = input.orgId ?? (await admin<{ id: string }>("POST", "/api/v1/orgs", { name: unique("org") })).id;
    const stackId =
      input.stack === true
        ? (await admin<{ id: string }>("POST", "/api/v1/stacks", { orgId, name: unique("stack") })).id
        : typeof input.stack === "string" ? input.stack : null;
    const realms = input.realms ?? [stackId === null ? { type: "org", identifier: orgId } : { type: "stack", identifier: stackId }];
    const policy = await admin<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${orgId}`, {
      name: unique("policy"),
      scopes: input.scopes,
      realms: realms.map((r) => ({ labelPolicies: [], ...r })),
      conditions: { allowedSubnets: input.allowedSubnets ?? [] },
      ...(input.status ? { status: input.status } : {}),
    });
    const token = await admin<{ id: string; token: string }>("POST", `/api/v1/tokens?orgId=${orgId}`, {
      accessPolicyId: policy.id,
      name: unique("token"),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    });
    return { orgId, stackId, policyId: policy.id, tokenId: token.id, token: token.token };
  }

  return { url, operatorToken, admin, createPolicyAndToken, stop: () => mf.dispose() };
}

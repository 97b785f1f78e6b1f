/** The hot path: fail closed, usage batching, decision reuse, and no storage for malformed tokens. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../src/core/token.ts";
import { feedOf } from "../../src/deps.ts";
import { createApp } from "../../src/http/app.ts";
import { decide, type DecideDeps } from "../../src/services/decide.ts";
import { DecisionCache } from "../../src/services/decisions.ts";
import { sha256Hex } from "../../src/services/hash.ts";
import { createSigner } from "../../src/services/signer.ts";
import { UsageTracker, type UsageRow } from "../../src/services/usage.ts";
import { CachedRecords, DEFAULT_CACHE } from "../../src/storage/cached-records.ts";
import { D1TokenRecords } from "../../src/storage/d1-records.ts";
import { basic, BASE, call, newOrg, newPolicyToken, newStack } from "./helpers.ts";

let org: string, stack: string, secret: string, tokenId: string;
beforeAll(async () => {
  org = await newOrg();
  stack = await newStack(org);
  ({ secret, tokenId } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] }));
});

const failing = (what: string) => () => {
  throw new Error(`${what} is down (injected)`);
};

/** A binding whose `names` methods fail; every other member is the real one, bound to the binding. */
function faulty<T extends object>(binding: T, what: string, names: string[], replacement: () => unknown = failing(what)): T {
  return new Proxy(binding, {
    get: (t, k) => {
      if (names.includes(String(k))) return replacement;
      const v = Reflect.get(t, k);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
}

/** Sends /authorize to a fresh app over a modified env, as a new isolate with that binding would. */
async function authorizeWith(over: Partial<Env>, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}/authorize`, { headers }), { ...env, ...over } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const headers = () => ({ authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" });

describe("fails closed", () => {
  it("answers 503, never an allow, when D1 fails", async () => {
    const DB = faulty(env.DB, "D1", ["prepare", "withSession", "batch"]);
    const res = await authorizeWith({ DB, TOKENS_KV: env.TOKENS_KV }, headers());
    expect(res.status).toBe(503);
    expect(res.headers.get("x-keycard-decision")).toBeNull();
    expect(await res.json()).toMatchObject({ code: "unavailable" });
  });

  it("falls back to D1 when KV fails", async () => {
    const TOKENS_KV = faulty(env.TOKENS_KV, "KV", ["get", "put"]);
    expect((await authorizeWith({ TOKENS_KV }, headers())).status).toBe(200);
  });

  it("falls back to D1 when KV hangs, after the KV timeout", async () => {
    const TOKENS_KV = faulty(env.TOKENS_KV, "KV", ["get"], () => new Promise(() => {}));
    const started = Date.now();
    expect((await authorizeWith({ TOKENS_KV }, headers())).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(DEFAULT_CACHE.kvTimeoutMs + 1000);
  });

  it("answers 503 to a token lookup when both the feed and D1 fail", async () => {
    const DB = faulty(env.DB, "D1", ["prepare", "withSession", "batch"]);
    const REVOCATIONS = faulty(env.REVOCATIONS, "feed", ["get"]);
    expect((await authorizeWith({ DB, REVOCATIONS }, headers())).status).toBe(503);
  });
});

describe("usage", () => {
  it("coalesces uses into one write per token per minute", async () => {
    const writes: UsageRow[][] = [];
    const usage = new UsageTracker(async (rows) => void writes.push(rows), 60_000);
    const t0 = Date.parse("2026-11-23T12:00:00Z");
    for (let i = 0; i < 100; i++) {
      usage.note("a", t0 + i);
      await usage.flush(t0 + i);
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toEqual([{ tokenId: "a", firstUsedAt: new Date(t0).toISOString(), lastUsedAt: new Date(t0).toISOString() }]);
    usage.note("a", t0 + 30_000);
    expect(usage.flush(t0 + 30_000)).toBeNull();
    usage.note("b", t0 + 59_999);
    await usage.flush(t0 + 59_999);
    expect(writes.at(-1)!.map((r) => r.tokenId)).toEqual(["b"]);
    await usage.flush(t0 + 60_001);
    expect(writes.at(-1)).toEqual([{ tokenId: "a", firstUsedAt: new Date(t0 + 1).toISOString(), lastUsedAt: new Date(t0 + 30_000).toISOString() }]);
    expect(writes).toHaveLength(3);
  });

  it("eventually shows firstUsedAt and lastUsedAt on the token", async () => {
    const t = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
    for (let i = 0; i < 5; i++) await call("GET", "/authorize", { headers: { authorization: basic(stack, t.secret), "x-keycard-scope": "metrics:write" } });
    let row: { first_used_at: string | null; last_used_at: string | null } | null = null;
    for (let i = 0; i < 50 && !row?.first_used_at; i++) {
      row = await env.DB.prepare("SELECT first_used_at, last_used_at FROM tokens WHERE id = ?").bind(t.tokenId).first();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(row?.first_used_at).toEqual(expect.any(String));
    expect(row!.last_used_at! >= row!.first_used_at!).toBe(true);
  });
});

describe("decide", () => {
  function newCache() {
    return new CachedRecords(new D1TokenRecords(env.DB), env.TOKENS_KV, feedOf(env), DEFAULT_CACHE, () => Date.now());
  }
  /** Decide deps over a cache, counting every storage call. */
  async function deps(counter: { reads: number }, cache = newCache()): Promise<DecideDeps> {
    const counted = {
      byHash: (h: string) => (counter.reads++, cache.byHash(h)),
      orgOf: (s: string) => (counter.reads++, cache.orgOf(s)),
    };
    return {
      records: counted,
      stacks: counted,
      signer: await createSigner(JSON.parse(env.KEYCARD_SIGNING_KEYS!)),
      decisions: new DecisionCache(100, 300),
      usage: new UsageTracker(async () => {}),
      ttlSeconds: 60,
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
    };
  }
  const input = (authorization: string) => ({ authorization, scopes: { ok: true as const, value: ["metrics:write"] }, stack, clientIp: null, issuer: BASE });

  it.each([
    ["a bad prefix", "Bearer glc_" + "a".repeat(38)],
    ["a bad length", "Bearer kc_abc"],
    ["a bad checksum", "Bearer kc_" + "a".repeat(38)],
    ["a Unicode lookalike", "Bearer kc_" + "а".repeat(38)],
    ["no credential", ""],
  ])("refuses %s before any cache or storage access", async (_n, authorization) => {
    const counter = { reads: 0 };
    const outcome = await decide(await deps(counter), input(authorization));
    expect(outcome.allow).toBe(false);
    expect(counter.reads).toBe(0);
  });

  it("reuses a decision while half its life remains, and re-signs once the record changed", async () => {
    const cache = newCache();
    const d = await deps({ reads: 0 }, cache);
    const first = await decide(d, input(`Bearer ${secret}`));
    const second = await decide(d, input(`Bearer ${secret}`));
    expect(first.allow && second.allow).toBe(true);
    if (!first.allow || !second.allow) return;
    expect(second.decision).toBe(first.decision);
    await cache.invalidate([await sha256Hex(secret)], []);
    const third = await decide(d, input(`Bearer ${secret}`));
    expect(third.allow && third.decision !== first.decision).toBe(true);
  });

  it("serves a repeated unknown token from the negative cache", async () => {
    const cache = newCache();
    const hash = await sha256Hex(generateToken((b) => crypto.getRandomValues(b)));
    expect(await cache.byHash(hash)).toBeNull();
    expect(await cache.byHash(hash)).toBeNull();
    expect(cache.hits).toMatchObject({ d1: 1, negative: 1 });
  });

  it("never keeps a plaintext token in KV", async () => {
    await call("GET", "/authorize", { headers: headers() });
    const { keys } = await env.TOKENS_KV.list();
    for (const k of keys) {
      expect(k.name).not.toContain(secret);
      expect(await env.TOKENS_KV.get(k.name)).not.toContain(secret);
    }
    expect(tokenId).toBeTruthy();
  });
});

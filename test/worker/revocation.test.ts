/**
 * The revocation bound. Several independent cache instances (one per simulated isolate or location)
 * share the real D1, KV and revocation feed. KV is made stale on purpose; the bound still holds.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { feedOf } from "../../src/deps.ts";
import { sha256Hex } from "../../src/services/hash.ts";
import { CachedRecords, DEFAULT_CACHE, type Feed } from "../../src/storage/cached-records.ts";
import { D1TokenRecords } from "../../src/storage/d1-records.ts";
import { basic, call, newOrg, newPolicyToken, newStack, ok } from "./helpers.ts";

const POLL_MS = 250;

function instance(feed: Feed = feedOf(env)): CachedRecords {
  return new CachedRecords(new D1TokenRecords(env.DB), env.TOKENS_KV, feed, { ...DEFAULT_CACHE, pollIntervalMs: POLL_MS }, () => Date.now());
}

let org: string;
beforeAll(async () => {
  org = await newOrg();
});

async function newToken() {
  const t = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
  return { ...t, hash: await sha256Hex(t.secret) };
}

/** Milliseconds from `start` until `c` no longer finds the token (polling every 10 ms). */
async function timeToDeny(c: CachedRecords, hash: string, start: number, limitMs: number): Promise<number> {
  while (Date.now() - start < limitMs) {
    if ((await c.byHash(hash)) === null) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Number.POSITIVE_INFINITY;
}

describe("revocation", () => {
  it("is effective on the very next request in one location", async () => {
    const stack = await newStack(org);
    const { secret, tokenId } = await newToken();
    const headers = { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" };
    expect((await call("GET", "/authorize", { headers })).status).toBe(200);
    expect((await call("GET", "/authorize", { headers })).status).toBe(200);
    await ok("DELETE", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 204);
    expect((await call("GET", "/authorize", { headers })).status).toBe(401);
  });

  it("reaches other isolates within the poll interval, even when their KV still holds the old record", async () => {
    const { tokenId, hash } = await newToken();
    const [a, b] = [instance(), instance()];
    expect(await a.byHash(hash)).not.toBeNull();
    await a.drain();
    const stale = await env.TOKENS_KV.get(`t:${hash}`);
    expect(stale).not.toBeNull();
    expect(await b.byHash(hash)).not.toBeNull();

    await ok("DELETE", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 204);
    const revokedAt = Date.now();
    await env.TOKENS_KV.put(`t:${hash}`, stale!);

    const cold = instance();
    expect(await cold.byHash(hash)).toBeNull();
    const elapsed = await Promise.all([timeToDeny(a, hash, revokedAt, 5000), timeToDeny(b, hash, revokedAt, 5000)]);
    const worst = Math.max(...elapsed);
    console.log(`revoke→deny across isolates with stale KV: ${elapsed.join(" ms, ")} ms (poll interval ${POLL_MS} ms)`);
    expect(worst).toBeLessThanOrEqual(POLL_MS + 750);
  });

  it("would serve the stale KV record without the feed: the feed is what bounds revocation", async () => {
    const { tokenId, hash } = await newToken();
    const warm = instance();
    await warm.byHash(hash);
    await warm.drain();
    const stale = (await env.TOKENS_KV.get(`t:${hash}`))!;
    await ok("DELETE", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 204);
    await env.TOKENS_KV.put(`t:${hash}`, stale);
    const deaf: Feed = { since: async () => ({ head: 0, events: [], reset: false }), publish: async () => 0 };
    expect(await instance(deaf).byHash(hash)).not.toBeNull();
    expect(await instance().byHash(hash)).toBeNull();
  });

  it("never re-caches a token revoked while its read was in flight", async () => {
    const { tokenId, hash } = await newToken();
    const warm = instance();
    await warm.byHash(hash);
    await warm.drain();
    let hold = false;
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const kv = env.TOKENS_KV;
    const slowKv = {
      get: async (key: string) => {
        const value = await kv.get(key);
        if (hold) await gate;
        return value;
      },
      put: (key: string, value: string, o?: KVNamespacePutOptions) => kv.put(key, value, o),
      delete: (key: string) => kv.delete(key),
    } as unknown as KVNamespace;
    const c = new CachedRecords(new D1TokenRecords(env.DB), slowKv, feedOf(env), { ...DEFAULT_CACHE, pollIntervalMs: 60_000 }, () => Date.now());
    expect(await c.byHash("0".repeat(64))).toBeNull();
    hold = true;
    const inflight = c.byHash(hash);
    await new Promise((r) => setTimeout(r, 20));
    await ok("DELETE", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 204);
    await c.invalidate([hash], []);
    release();
    expect(await inflight).toBeNull();
    expect(await c.byHash(hash)).toBeNull();
  });

  it("reads D1 directly, with correct answers, while the feed is unreachable", async () => {
    const { tokenId, hash } = await newToken();
    const down: Feed = { since: () => Promise.reject(new Error("feed down")), publish: () => Promise.reject(new Error("feed down")) };
    const c = instance(down);
    expect(await c.byHash(hash)).not.toBeNull();
    await ok("DELETE", `/api/v1/tokens/${tokenId}?orgId=${org}`, {}, 204);
    expect(await c.byHash(hash)).toBeNull();
    expect(c.hits["d1-direct"]).toBe(2);
  });
});

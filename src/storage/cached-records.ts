/**
 * The hot-path record source: isolate LRU → KV → D1, with a negative cache for unknown hashes.
 *
 * Revocation: admin writes evict locally, delete the KV entries and publish to the revocation feed.
 * Every isolate polls the feed at most every `pollIntervalMs`; a request never uses the caches when
 * the last successful poll is older than that (it waits for a poll, or reads D1 directly when the
 * feed is unreachable). Hashes changed within `staleWindowMs` skip KV, whose other locations may lag.
 */
import { compileRecord, type CompiledRecord } from "../core/policy.ts";
import type { TokenRecord } from "../core/model.ts";
import type { StackDirectory, TokenRecords } from "../services/ports.ts";
import type { D1TokenRecords } from "./d1-records.ts";
import { Lru } from "./lru.ts";
import type { FeedPage } from "./revocation-feed.ts";

/** The feed as the cache sees it (the Durable Object stub, or a test double around it). */
export interface Feed {
  since(seq: number): Promise<FeedPage>;
  publish(tokenHashes: string[], stackIds: string[]): Promise<number>;
}

/** Cache bounds and timings. */
export interface CacheSettings {
  isolateMaxEntries: number;
  isolateTtlMs: number;
  negativeMaxEntries: number;
  negativeTtlMs: number;
  kvTtlSeconds: number;
  pollIntervalMs: number;
  staleWindowMs: number;
  kvTimeoutMs: number;
}

/** Defaults: 5 s revocation bound, 60 s isolate TTL, KV entries for 2 minutes. */
export const DEFAULT_CACHE: CacheSettings = {
  isolateMaxEntries: 50_000,
  isolateTtlMs: 60_000,
  negativeMaxEntries: 50_000,
  negativeTtlMs: 30_000,
  kvTtlSeconds: 120,
  pollIntervalMs: 5_000,
  staleWindowMs: 5 * 60_000,
  kvTimeoutMs: 1_000,
};

/** Where a record came from, for metrics and benchmarks. */
export type RecordSource = "isolate" | "negative" | "kv" | "d1" | "d1-direct";

const KV_PREFIX = "t:";
/** A stack's org never changes and stack deletions arrive through the feed, so stacks cache longer. */
const STACK_TTL_MS = 5 * 60_000;

/** Caches in front of D1. One instance per isolate. */
export class CachedRecords implements TokenRecords, StackDirectory {
  private readonly records: Lru<string, CompiledRecord>;
  private readonly unknown: Lru<string, true>;
  private readonly stacks: Lru<string, string | null>;
  private readonly changed = new Map<string, number>();
  private cursor = 0;
  private lastPoll = Number.NEGATIVE_INFINITY;
  private polling: Promise<boolean> | null = null;
  private pendingKv: Promise<unknown>[] = [];
  /** Bumped by every eviction: a read that overlaps one may have fetched what was just revoked. */
  private evictions = 0;
  /** Counts lookups by where they were answered. */
  readonly hits: Record<RecordSource, number> = { isolate: 0, negative: 0, kv: 0, d1: 0, "d1-direct": 0 };

  constructor(
    private readonly d1: D1TokenRecords,
    private readonly kv: KVNamespace,
    private readonly feed: Feed,
    private readonly s: CacheSettings,
    private readonly now: () => number,
  ) {
    this.records = new Lru(s.isolateMaxEntries, s.isolateTtlMs);
    this.unknown = new Lru(s.negativeMaxEntries, s.negativeTtlMs);
    this.stacks = new Lru(s.isolateMaxEntries, STACK_TTL_MS);
  }

  async byHash(hash: string): Promise<CompiledRecord | null> {
    const now = this.now();
    if (!(await this.fresh(now))) return this.direct(hash);
    const hit = this.records.get(hash, now);
    if (hit) return this.count("isolate", hit);
    if (this.unknown.get(hash, now)) return this.count("negative", null);
    const epoch = this.evictions;
    const viaKv = !this.changed.has(hash);
    let record = viaKv ? await this.fromKv(hash) : undefined;
    let source: RecordSource = "kv";
    if (record === undefined) {
      record = await this.d1.byHash(hash, !viaKv);
      source = "d1";
    }
    if (this.evictions !== epoch) {
      // Something was revoked or changed while this read was in flight, perhaps this very token: read
      // the primary again and cache nothing, so a revocation acknowledged meanwhile is never undone.
      const latest = await this.d1.byHash(hash, true);
      return this.count("d1-direct", latest && compileRecord(latest));
    }
    if (source === "d1" && record && viaKv) {
      const value = JSON.stringify(record);
      this.later(() => this.kv.put(KV_PREFIX + hash, value, { expirationTtl: this.s.kvTtlSeconds }));
    }
    if (record === null) {
      this.unknown.set(hash, true, now);
      return this.count(source, null);
    }
    const compiled = compileRecord(record);
    this.records.set(hash, compiled, now);
    return this.count(source, compiled);
  }

  async orgOf(stackId: string): Promise<string | null> {
    const now = this.now();
    if (!(await this.fresh(now))) return this.d1.orgOf(stackId);
    const hit = this.stacks.get(stackId, now);
    if (hit !== undefined) return hit;
    const epoch = this.evictions;
    const org = await this.d1.orgOf(stackId);
    if (this.evictions === epoch) this.stacks.set(stackId, org, now);
    return org;
  }

  /** After an admin change: evict here, delete from KV, and tell every other isolate through the feed. */
  async invalidate(tokenHashes: string[], stackIds: string[]): Promise<void> {
    this.evict(tokenHashes, stackIds, this.now());
    await Promise.all(tokenHashes.map((h) => this.kv.delete(KV_PREFIX + h)));
    await this.feed.publish(tokenHashes, stackIds);
  }

  /** Background work to hand to `waitUntil` (KV fills); null when there is none. */
  drain(): Promise<unknown> | null {
    if (this.pendingKv.length === 0) return null;
    const batch = this.pendingKv;
    this.pendingKv = [];
    return Promise.allSettled(batch);
  }

  /**
   * True when caches may be used: the feed was read within the poll interval. Concurrent requests
   * share one poll, but wait for another request's poll only briefly.
   */
  private async fresh(now: number): Promise<boolean> {
    if (now - this.lastPoll < this.s.pollIntervalMs) return true;
    if (this.polling) return Promise.race([this.polling, sleep(this.s.kvTimeoutMs).then(() => false)]);
    this.polling = this.poll().finally(() => (this.polling = null));
    return this.polling;
  }

  private async poll(): Promise<boolean> {
    try {
      for (let i = 0; i < 20; i++) {
        const page = await this.feed.since(this.cursor);
        const now = this.now();
        if (page.reset) {
          this.evictions++;
          this.records.clear();
          this.unknown.clear();
          this.stacks.clear();
        }
        for (const e of page.events) {
          this.evict(e.tokenHashes, e.stackIds, now);
          const until = Math.max(e.at, now) + this.s.staleWindowMs;
          if (e.at + this.s.staleWindowMs > now) for (const h of e.tokenHashes) this.changed.set(h, until);
        }
        this.cursor = page.events.at(-1)?.seq ?? page.head;
        if (this.cursor >= page.head) {
          this.lastPoll = now;
          this.forgetOldChanges(now);
          return true;
        }
      }
      return false;
    } catch (e) {
      console.error(JSON.stringify({ level: "error", msg: "revocation feed unreachable; reading D1 directly", error: String(e) }));
      return false;
    }
  }

  private evict(tokenHashes: string[], stackIds: string[], now: number): void {
    this.evictions++;
    for (const h of tokenHashes) {
      this.records.delete(h);
      this.unknown.delete(h);
      this.changed.set(h, now + this.s.staleWindowMs);
    }
    for (const id of stackIds) this.stacks.delete(id);
  }

  private forgetOldChanges(now: number): void {
    for (const [h, until] of this.changed) if (until <= now) this.changed.delete(h);
  }

  private async direct(hash: string): Promise<CompiledRecord | null> {
    const record = await this.d1.byHash(hash, true);
    return this.count("d1-direct", record && compileRecord(record));
  }

  private async fromKv(hash: string): Promise<TokenRecord | null | undefined> {
    try {
      const text = await timeout(this.kv.get(KV_PREFIX + hash), this.s.kvTimeoutMs);
      return text === null ? undefined : (JSON.parse(text) as TokenRecord);
    } catch (e) {
      console.error(JSON.stringify({ level: "warn", msg: "KV read failed; falling back to D1", error: String(e) }));
      return undefined;
    }
  }

  private later(write: () => Promise<unknown>): void {
    const failed = (e: unknown) => console.error(JSON.stringify({ level: "warn", msg: "KV write failed", error: String(e) }));
    try {
      this.pendingKv.push(write().catch(failed));
    } catch (e) {
      failed(e);
    }
  }

  private count<T>(source: RecordSource, value: T): T {
    this.hits[source]++;
    return value;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

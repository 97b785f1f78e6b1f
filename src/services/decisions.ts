/**
 * Decision reuse: a signed decision for the same token, scopes, stack, client IP and key is served
 * again while at least half of its lifetime remains, so most requests skip the signature. An entry
 * is tied to the compiled record it was issued from: when the record is refetched (changed, evicted
 * or revoked), the entry no longer matches and a new decision is signed.
 */
import type { DecisionClaims } from "../core/decision.ts";
import type { CompiledRecord } from "../core/policy.ts";
import { Lru } from "../storage/lru.ts";

interface Entry {
  record: CompiledRecord;
  decision: string;
  claims: DecisionClaims;
}

/** A bounded per-isolate cache of signed decisions. */
export class DecisionCache {
  private readonly lru: Lru<string, Entry>;

  constructor(maxEntries: number, maxTtlSeconds: number) {
    this.lru = new Lru(maxEntries, maxTtlSeconds * 1000);
  }

  /** A reusable decision issued from exactly this record, with at least half its life left. */
  get(key: string, record: CompiledRecord, now: number): { decision: string; claims: DecisionClaims } | null {
    const hit = this.lru.get(key, now);
    if (!hit || hit.record !== record) return null;
    const { iat, exp } = hit.claims;
    return now / 1000 < iat + (exp - iat) / 2 ? hit : null;
  }

  /** Remembers a freshly signed decision. */
  set(key: string, record: CompiledRecord, decision: string, claims: DecisionClaims, now: number): void {
    this.lru.set(key, { record, decision, claims }, now);
  }
}

/**
 * Usage tracking without a D1 write per request: uses are noted in memory, coalesced per token, and
 * written in one batch from `waitUntil`, at most once per token per `minIntervalMs` in each isolate.
 */
import { Lru } from "../storage/lru.ts";

/** One token's use to record: first and last use in this isolate since its last write. */
export interface UsageRow {
  tokenId: string;
  firstUsedAt: string;
  lastUsedAt: string;
}

/** Coalesces token uses and flushes them in batches. */
export class UsageTracker {
  private readonly pending = new Map<string, { first: number; last: number }>();
  private readonly written: Lru<string, number>;

  constructor(
    private readonly write: (rows: UsageRow[]) => Promise<void>,
    private readonly minIntervalMs = 60_000,
    maxTokens = 50_000,
  ) {
    this.written = new Lru(maxTokens, minIntervalMs);
  }

  /** Notes a use of `tokenId` at `now`. */
  note(tokenId: string, now: number): void {
    const p = this.pending.get(tokenId);
    if (p) p.last = now;
    else if (this.pending.size < 50_000) this.pending.set(tokenId, { first: now, last: now });
  }

  /** Writes every pending token not written within the interval; null when there is nothing due. */
  flush(now: number): Promise<void> | null {
    const rows: UsageRow[] = [];
    for (const [tokenId, p] of this.pending) {
      if (this.written.get(tokenId, now) !== undefined) continue;
      rows.push({ tokenId, firstUsedAt: new Date(p.first).toISOString(), lastUsedAt: new Date(p.last).toISOString() });
      this.pending.delete(tokenId);
      this.written.set(tokenId, now, now);
    }
    return rows.length === 0 ? null : this.write(rows);
  }
}

/**
 * The revocation feed: one Durable Object, strongly consistent, that admin writes publish to and
 * every isolate polls. It carries which token hashes and stack ids changed, so isolates everywhere
 * drop them within one poll interval, without waiting for KV to propagate.
 */
import { DurableObject } from "cloudflare:workers";

/** One published change. */
export interface FeedEvent {
  seq: number;
  at: number;
  tokenHashes: string[];
  stackIds: string[];
}

/**
 * What a poll returns: events after the cursor, oldest first, at most a page of them (poll again while
 * the last one is before `head`). `reset` means events after the cursor were pruned: drop every cache.
 */
export interface FeedPage {
  head: number;
  events: FeedEvent[];
  reset: boolean;
}

/** How long events are kept. Isolates that fall further behind reset their caches. */
export const FEED_RETENTION_MS = 15 * 60 * 1000;
const MAX_EVENTS_PER_POLL = 500;

/** The Durable Object class behind the `REVOCATIONS` binding. */
export class RevocationFeed extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, hashes TEXT NOT NULL, stacks TEXT NOT NULL)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS pruned (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL)");
  }

  /** Appends a change and returns its sequence number. */
  publish(tokenHashes: string[], stackIds: string[]): number {
    const now = Date.now();
    const cutoff = now - FEED_RETENTION_MS;
    const old = this.sql.exec<{ m: number | null }>("SELECT max(seq) AS m FROM events WHERE at < ?", cutoff).one().m;
    if (old !== null) {
      this.sql.exec("DELETE FROM events WHERE seq <= ?", old);
      this.sql.exec("INSERT INTO pruned (id, upto) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET upto = excluded.upto", old);
    }
    return this.sql
      .exec<{ seq: number }>(
        "INSERT INTO events (at, hashes, stacks) VALUES (?, ?, ?) RETURNING seq",
        now,
        JSON.stringify(tokenHashes),
        JSON.stringify(stackIds),
      )
      .one().seq;
  }

  /** The events after `since` (oldest first), and the head sequence number. */
  since(since: number): FeedPage {
    const head = this.sql.exec<{ m: number | null }>("SELECT max(seq) AS m FROM events").one().m ?? this.prunedUpto();
    const reset = since >= 0 && since < this.prunedUpto();
    const rows = this.sql
      .exec<{ seq: number; at: number; hashes: string; stacks: string }>(
        "SELECT seq, at, hashes, stacks FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        since,
        MAX_EVENTS_PER_POLL,
      )
      .toArray();
    const events = rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      tokenHashes: JSON.parse(r.hashes) as string[],
      stackIds: JSON.parse(r.stacks) as string[],
    }));
    return { head, events, reset };
  }

  private prunedUpto(): number {
    return this.sql.exec<{ upto: number }>("SELECT upto FROM pruned WHERE id = 1").toArray()[0]?.upto ?? 0;
  }
}

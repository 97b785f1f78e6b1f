/** Shared pieces of the D1 admin store: row mapping, one-batch commits with their journal, paging. */
import type { AccessPolicy, Org, Stack, Token } from "../core/model.ts";
import {
  ConflictError,
  IdempotencyRaceError,
  StaleWriteError,
  type AuditEvent,
  type Journal,
  type Page,
  type PageRequest,
} from "../services/ports.ts";

/** A D1 row. */
export type Row = Record<string, unknown>;

/** Maps an `orgs` row. */
export const toOrg = (r: Row): Org => ({
  id: r.id as string,
  name: r.name as string,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

/** Maps a `stacks` row. */
export const toStack = (r: Row): Stack => ({ ...toOrg(r), orgId: r.org_id as string });

/** Maps an `access_policies` row. */
export const toPolicy = (r: Row): AccessPolicy => ({
  id: r.id as string,
  orgId: r.org_id as string,
  name: r.name as string,
  displayName: r.display_name as string,
  scopes: JSON.parse(r.scopes as string) as string[],
  realms: JSON.parse(r.realms as string) as AccessPolicy["realms"],
  conditions: JSON.parse(r.conditions as string) as AccessPolicy["conditions"],
  status: r.status as AccessPolicy["status"],
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

/** Maps a `tokens` row (never its hash). */
export const toToken = (r: Row): Token => ({
  id: r.id as string,
  accessPolicyId: r.access_policy_id as string,
  orgId: r.org_id as string,
  name: r.name as string,
  displayName: r.display_name as string,
  expiresAt: (r.expires_at as string | null) ?? null,
  firstUsedAt: (r.first_used_at as string | null) ?? null,
  lastUsedAt: (r.last_used_at as string | null) ?? null,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

/** Maps an `audit_events` row. */
export const toAuditEvent = (r: Row): AuditEvent => ({
  id: r.id as string,
  orgId: (r.org_id as string | null) ?? null,
  actor: r.actor as string,
  action: r.action as string,
  targetType: r.target_type as string,
  targetId: r.target_id as string,
  before: parseJson(r.before),
  after: parseJson(r.after),
  requestId: (r.request_id as string | null) ?? null,
  createdAt: r.created_at as string,
});

/** The token columns an admin may see, qualified by the `t` alias; the hash is never among them. */
export const TOKEN_COLUMNS = ["id", "access_policy_id", "org_id", "name", "display_name", "expires_at", "first_used_at", "last_used_at", "created_at", "updated_at"];

/** `t.id, t.access_policy_id, …`. */
export const TOKEN_SELECT = TOKEN_COLUMNS.map((c) => `t.${c}`).join(", ");

/** JSON text of a value (null stays null). */
export function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

function parseJson(v: unknown): unknown {
  return typeof v === "string" ? (JSON.parse(v) as unknown) : null;
}

/** SQL: true when a policy's `realms` column names `?` as a stack realm. */
export const NAMES_STACK = `EXISTS (SELECT 1 FROM json_each(realms) r
  WHERE json_extract(r.value, '$.type') = 'stack' AND json_extract(r.value, '$.identifier') = ?)`;

/** SQL: true when every realm of a policy (column `col`) is a stack in the JSON array `?`. */
export function realmsWithin(col: string): string {
  return `NOT EXISTS (SELECT 1 FROM json_each(${col}) r WHERE json_extract(r.value, '$.type') <> 'stack'
    OR json_extract(r.value, '$.identifier') NOT IN (SELECT value FROM json_each(?)))`;
}

function auditInsert(db: D1Database, e: AuditEvent): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO audit_events (id, org_id, actor, action, target_type, target_id, before, after, request_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(e.id, e.orgId, e.actor, e.action, e.targetType, e.targetId, json(e.before), json(e.after), e.requestId, e.createdAt);
}

function replayStatements(db: D1Database, r: Journal["replay"]): D1PreparedStatement[] {
  if (r === null) return [];
  const scope = [r.orgId, r.actor, r.method, r.path, r.key];
  return [
    db
      .prepare("DELETE FROM idempotency_keys WHERE org_id = ? AND actor = ? AND method = ? AND path = ? AND key = ? AND expires_at <= ?")
      .bind(...scope, r.createdAt),
    db
      .prepare("DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT 50)")
      .bind(r.createdAt),
    db
      .prepare(
        `INSERT INTO idempotency_keys (org_id, actor, method, path, key, fingerprint, status, body, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(...scope, r.fingerprint, r.status, json(r.body), r.createdAt, r.expiresAt),
  ];
}

/** The message of the error a failed `guard` raises inside a batch. */
const STALE = "keycard: stale write";

/**
 * A batch statement that aborts the whole batch (so nothing of it is written: change, audit events,
 * replay record) unless the statement just before it changed exactly `expected` rows. This is how an
 * update conditional on `updated_at`, or a delete of a row that may be gone, commits its journal
 * exactly once with its change. `changes()` is the row count of the batch's previous INSERT, UPDATE
 * or DELETE (a SELECT in between does not reset it); a bad JSON path is a runtime error, and D1 rolls
 * the batch back on any error.
 */
export function guard(db: D1Database, expected = 1): D1PreparedStatement {
  return db.prepare(`SELECT json_extract('{}', CASE WHEN changes() <> ? THEN '${STALE}' ELSE '$' END) AS guard`).bind(expected);
}

/** Where a guarded write aims: `id` in `table`, so a failed guard can tell a changed row from a gone one. */
export interface Target {
  table: "orgs" | "stacks" | "access_policies" | "tokens";
  id: string;
}

/**
 * Runs a change and its journal as one D1 batch, which is one transaction: if any statement fails,
 * nothing is written. The replay record goes first, so that of two concurrent requests with one key the
 * second fails on the key (`IdempotencyRaceError`, then replayed) before anything else; a taken name
 * becomes `ConflictError`. The audit events go last. A failed `guard` in `change` becomes
 * `StaleWriteError`, `gone` when `target` no longer exists. Returns the results of the change's statements.
 */
export async function commit(db: D1Database, change: D1PreparedStatement[], journal: Journal, target?: Target): Promise<D1Result[]> {
  const before = replayStatements(db, journal.replay);
  try {
    const results = await db.batch([...before, ...change, ...journal.events.map((e) => auditInsert(db, e))]);
    return results.slice(before.length, before.length + change.length);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes("UNIQUE constraint failed: idempotency_keys")) throw new IdempotencyRaceError(message);
    if (message.includes("UNIQUE constraint failed")) throw new ConflictError(message);
    if (message.includes(STALE)) {
      const gone = target ? (await db.prepare(`SELECT 1 FROM ${target.table} WHERE id = ?`).bind(target.id).first()) === null : false;
      throw new StaleWriteError(gone, gone ? `${target?.table} ${target?.id} is gone` : "the row changed since it was read");
    }
    throw e;
  }
}

/** The `column` values of the first result set of a batch. */
export function column(results: D1Result[], index: number, name: string): string[] {
  return (results[index]?.results ?? []).map((r) => (r as Row)[name] as string);
}

/** A query of conditions ANDed together, with their arguments. */
export class Where {
  readonly parts: string[] = [];
  readonly args: unknown[] = [];

  /** Adds `sql` with its arguments when `when` holds. */
  add(when: boolean, sql: string, ...args: unknown[]): this {
    if (when) {
      this.parts.push(sql);
      this.args.push(...args);
    }
    return this;
  }

  toString(): string {
    return this.parts.length === 0 ? "1 = 1" : this.parts.join(" AND ");
  }
}

/**
 * One page of `select … WHERE <where>` by id: ascending (`id > cursor`) or descending (`id < cursor`).
 * Ids are UUIDv7, so rows inserted while a client pages land after its cursor and nothing is skipped.
 */
export async function page<T>(
  db: D1Database,
  select: string,
  where: Where,
  p: PageRequest,
  map: (r: Row) => T,
  opts: { idColumn?: string; order?: "asc" | "desc" } = {},
): Promise<Page<T>> {
  const col = opts.idColumn ?? "id";
  const desc = opts.order === "desc";
  where.add(p.cursor !== null, `${col} ${desc ? "<" : ">"} ?`, p.cursor);
  const { results } = await db
    .prepare(`${select} WHERE ${where} ORDER BY ${col} ${desc ? "DESC" : "ASC"} LIMIT ?`)
    .bind(...where.args, p.limit + 1)
    .all<Row>();
  const items = results.slice(0, p.limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: results.length > p.limit && last ? (last.id as string) : null };
}

/** One row by id, mapped, or null. */
export async function one<T>(db: D1Database, sql: string, id: string, map: (r: Row) => T): Promise<T | null> {
  const row = await db.prepare(sql).bind(id).first<Row>();
  return row ? map(row) : null;
}

/** The audit log and the idempotency keys in D1. */
import type { AuditEvent, AuditFilter, IdempotencyScope, Page, PageRequest, StoredResponse } from "../services/ports.ts";
import { page, toAuditEvent, Where } from "./d1-admin-sql.ts";

/** The audit events of an org that pass the filter, newest first. */
export function listAuditEvents(db: D1Database, orgId: string, f: AuditFilter, p: PageRequest): Promise<Page<AuditEvent>> {
  const where = new Where()
    .add(true, "org_id = ?", orgId)
    .add(f.targetId !== undefined, "target_id = ?", f.targetId)
    .add(f.targetType !== undefined, "target_type = ?", f.targetType)
    .add(f.action !== undefined, "action = ?", f.action)
    .add(f.from !== undefined, "created_at >= ?", f.from)
    .add(f.to !== undefined, "created_at < ?", f.to);
  return page(db, "SELECT * FROM audit_events", where, p, toAuditEvent, { order: "desc" });
}

/** The stored answer to a keyed request, unless it expired by `now`. */
export async function findReplay(db: D1Database, s: IdempotencyScope, now: string): Promise<StoredResponse | null> {
  const row = await db
    .prepare(
      `SELECT fingerprint, status, body FROM idempotency_keys
       WHERE org_id = ? AND actor = ? AND method = ? AND path = ? AND key = ? AND expires_at > ?`,
    )
    .bind(s.orgId, s.actor, s.method, s.path, s.key, now)
    .first<{ fingerprint: string; status: number; body: string | null }>();
  if (!row) return null;
  return { fingerprint: row.fingerprint, status: row.status, body: row.body === null ? null : (JSON.parse(row.body) as unknown) };
}

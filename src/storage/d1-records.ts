/** The hot-path SQL: a token's record by hash, a stack's org, and batched usage writes. */
import type { Realm, TokenRecord } from "../core/model.ts";
import type { UsageRow } from "../services/usage.ts";

interface RecordRow {
  id: string;
  org_id: string;
  access_policy_id: string;
  expires_at: string | null;
  status: "active" | "inactive";
  scopes: string;
  realms: string;
  conditions: string;
}

const RECORD_SQL = `SELECT t.id, t.org_id, t.access_policy_id, t.expires_at, p.status, p.scopes, p.realms, p.conditions
  FROM tokens t JOIN access_policies p ON p.id = t.access_policy_id WHERE t.token_hash = ?`;

/**
 * Reads token records straight from D1 (the caches in `cached-records.ts` sit in front), through the
 * Sessions API so that D1 read replicas near the caller can answer: a replica first, and the primary
 * when the replica does not know the token (it may be newer than the replica) or when the caller
 * needs the latest state (`fresh`, for hashes the revocation feed named).
 */
export class D1TokenRecords {
  constructor(private readonly db: D1Database) {}

  /** The plain record of the token with this hash, or null. */
  async byHash(hash: string, fresh = false): Promise<TokenRecord | null> {
    const row =
      (fresh ? null : await this.session("first-unconstrained").prepare(RECORD_SQL).bind(hash).first<RecordRow>()) ??
      (await this.session("first-primary").prepare(RECORD_SQL).bind(hash).first<RecordRow>());
    return row ? toRecord(row) : null;
  }

  /** The org of a stack, or null for an unknown stack. A stack's org never changes; replicas may answer. */
  async orgOf(stackId: string): Promise<string | null> {
    const sql = "SELECT org_id FROM stacks WHERE id = ?";
    const row =
      (await this.session("first-unconstrained").prepare(sql).bind(stackId).first<{ org_id: string }>()) ??
      (await this.session("first-primary").prepare(sql).bind(stackId).first<{ org_id: string }>());
    return row?.org_id ?? null;
  }

  private session(constraint: "first-primary" | "first-unconstrained"): D1DatabaseSession | D1Database {
    return typeof this.db.withSession === "function" ? this.db.withSession(constraint) : this.db;
  }
}

/** Writes coalesced usage in one batch; first use is kept, last use only moves forward. */
export async function writeUsage(db: D1Database, rows: UsageRow[]): Promise<void> {
  const sql = `UPDATE tokens SET first_used_at = coalesce(first_used_at, ?), last_used_at = max(coalesce(last_used_at, ''), ?)
    WHERE id = ?`;
  await db.batch(rows.map((r) => db.prepare(sql).bind(r.firstUsedAt, r.lastUsedAt, r.tokenId)));
}

function toRecord(row: RecordRow): TokenRecord {
  const realms = JSON.parse(row.realms) as Realm[];
  const conditions = JSON.parse(row.conditions) as { allowedSubnets?: string[] };
  return {
    tokenId: row.id,
    orgId: row.org_id,
    policyId: row.access_policy_id,
    expiresAt: row.expires_at === null ? null : Date.parse(row.expires_at),
    status: row.status,
    scopes: JSON.parse(row.scopes) as string[],
    realms: realms.map((r) => ({ type: r.type, identifier: r.identifier, selectors: r.labelPolicies.map((l) => l.selector) })),
    allowedSubnets: conditions.allowedSubnets ?? [],
  };
}

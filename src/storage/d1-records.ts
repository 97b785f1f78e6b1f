/** The hot-path reads from D1: a token's record by hash, and a stack's org. */
import type { Realm, TokenRecord } from "../core/model.ts";
import type { StackDirectory, TokenRecords } from "../services/ports.ts";

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

/** Reads token records straight from D1. */
export class D1TokenRecords implements TokenRecords, StackDirectory {
  constructor(private readonly db: D1Database) {}

  async byHash(hash: string): Promise<TokenRecord | null> {
    const row = await this.db.prepare(RECORD_SQL).bind(hash).first<RecordRow>();
    return row ? toRecord(row) : null;
  }

  async orgOf(stackId: string): Promise<string | null> {
    const row = await this.db.prepare("SELECT org_id FROM stacks WHERE id = ?").bind(stackId).first<{ org_id: string }>();
    return row?.org_id ?? null;
  }
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

/** Access policies and tokens in D1: their SQL, list filters included. */
import type { AccessPolicy, Token } from "../core/model.ts";
import type { Journal, Page, PageRequest, PolicyFilter, TokenFilter } from "../services/ports.ts";
import { column, commit, guard, json, one, page, realmsWithin, toPolicy, toToken, TOKEN_COLUMNS, TOKEN_SELECT, Where } from "./d1-admin-sql.ts";

const REALM_OF_TYPE = `EXISTS (SELECT 1 FROM json_each(realms) r WHERE json_extract(r.value, '$.type') = ?)`;
const REALM_NAMED = `EXISTS (SELECT 1 FROM json_each(realms) r WHERE json_extract(r.value, '$.identifier') = ?)`;
const REALM_OF_TYPE_NAMED = `EXISTS (SELECT 1 FROM json_each(realms) r
  WHERE json_extract(r.value, '$.type') = ? AND json_extract(r.value, '$.identifier') = ?)`;

/** Inserts a policy. */
export async function insertPolicy(db: D1Database, x: AccessPolicy, j: Journal): Promise<void> {
  await commit(
    db,
    [
      db
        .prepare(
          `INSERT INTO access_policies (id, org_id, name, display_name, scopes, realms, conditions, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(x.id, x.orgId, x.name, x.displayName, json(x.scopes), json(x.realms), json(x.conditions), x.status, x.createdAt, x.updatedAt),
    ],
    j,
  );
}

/** Reads a policy. */
export function getPolicy(db: D1Database, id: string): Promise<AccessPolicy | null> {
  return one(db, "SELECT * FROM access_policies WHERE id = ?", id, toPolicy);
}

/** Lists the policies of an org that pass the filter. */
export function listPolicies(db: D1Database, orgId: string, f: PolicyFilter, p: PageRequest): Promise<Page<AccessPolicy>> {
  const where = new Where()
    .add(true, "org_id = ?", orgId)
    .add(f.name !== undefined, "name = ?", f.name)
    .add(f.status !== undefined, "status = ?", f.status)
    .add(f.realmType !== undefined && f.realmIdentifier !== undefined, REALM_OF_TYPE_NAMED, f.realmType, f.realmIdentifier)
    .add(f.realmType !== undefined && f.realmIdentifier === undefined, REALM_OF_TYPE, f.realmType)
    .add(f.realmType === undefined && f.realmIdentifier !== undefined, REALM_NAMED, f.realmIdentifier)
    .add(f.withinStacks !== null, realmsWithin("realms"), JSON.stringify(f.withinStacks));
  return page(db, "SELECT * FROM access_policies", where, p, toPolicy);
}

/** Writes a policy's mutable fields if it still has `updated_at = readAt`; returns the hashes of its tokens. */
export async function updatePolicy(db: D1Database, x: AccessPolicy, readAt: string, j: Journal): Promise<string[]> {
  const results = await commit(
    db,
    [
      db.prepare("SELECT token_hash FROM tokens WHERE access_policy_id = ?").bind(x.id),
      db
        .prepare(
          `UPDATE access_policies SET display_name = ?, scopes = ?, realms = ?, conditions = ?, status = ?, updated_at = ?
           WHERE id = ? AND updated_at = ?`,
        )
        .bind(x.displayName, json(x.scopes), json(x.realms), json(x.conditions), x.status, x.updatedAt, x.id, readAt),
      guard(db),
    ],
    j,
    { table: "access_policies", id: x.id },
  );
  return column(results, 0, "token_hash");
}

/** Deletes a policy (which must exist) and its tokens; returns the tokens' hashes. */
export async function deletePolicy(db: D1Database, id: string, j: Journal): Promise<string[]> {
  const results = await commit(
    db,
    [
      db.prepare("SELECT token_hash FROM tokens WHERE access_policy_id = ?").bind(id),
      db.prepare("DELETE FROM tokens WHERE access_policy_id = ?").bind(id),
      db.prepare("DELETE FROM access_policies WHERE id = ?").bind(id),
      guard(db),
    ],
    j,
    { table: "access_policies", id },
  );
  return column(results, 0, "token_hash");
}

/** Inserts a token with the hash of its secret. */
export async function insertToken(db: D1Database, t: Token, hash: string, j: Journal): Promise<void> {
  await commit(
    db,
    [
      db
        .prepare(`INSERT INTO tokens (${TOKEN_COLUMNS.join(", ")}, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .bind(t.id, t.accessPolicyId, t.orgId, t.name, t.displayName, t.expiresAt, t.firstUsedAt, t.lastUsedAt, t.createdAt, t.updatedAt, hash),
    ],
    j,
  );
}

/** Reads a token (never its hash). */
export function getToken(db: D1Database, id: string): Promise<Token | null> {
  return one(db, `SELECT ${TOKEN_SELECT} FROM tokens t WHERE t.id = ?`, id, toToken);
}

/**
 * Lists the tokens of an org that pass the filter. Expired tokens are left out unless asked for;
 * `expiresAfter` counts a token that never expires as expiring after any time, `expiresBefore` does not.
 */
export function listTokens(db: D1Database, orgId: string, f: TokenFilter, p: PageRequest): Promise<Page<Token>> {
  const where = new Where()
    .add(true, "t.org_id = ?", orgId)
    .add(f.accessPolicyId !== undefined, "t.access_policy_id = ?", f.accessPolicyId)
    .add(f.name !== undefined, "t.name = ?", f.name)
    .add(f.expiresBefore !== undefined, "t.expires_at IS NOT NULL AND t.expires_at < ?", f.expiresBefore)
    .add(f.expiresAfter !== undefined, "(t.expires_at IS NULL OR t.expires_at > ?)", f.expiresAfter)
    .add(!f.includeExpired, "(t.expires_at IS NULL OR t.expires_at > ?)", f.now)
    .add(f.withinStacks !== null, realmsWithin("p.realms"), JSON.stringify(f.withinStacks));
  const from = `SELECT ${TOKEN_SELECT} FROM tokens t JOIN access_policies p ON p.id = t.access_policy_id`;
  return page(db, from, where, p, toToken, { idColumn: "t.id" });
}

/** Writes a token's display name and expiry if it still has `updated_at = readAt`; returns its hash. */
export async function updateToken(db: D1Database, t: Token, readAt: string, j: Journal): Promise<string> {
  const results = await commit(
    db,
    [
      db.prepare("SELECT token_hash FROM tokens WHERE id = ?").bind(t.id),
      db
        .prepare("UPDATE tokens SET display_name = ?, expires_at = ?, updated_at = ? WHERE id = ? AND updated_at = ?")
        .bind(t.displayName, t.expiresAt, t.updatedAt, t.id, readAt),
      guard(db),
    ],
    j,
    { table: "tokens", id: t.id },
  );
  return column(results, 0, "token_hash")[0]!;
}

/** Deletes a token (which must exist); returns its hash. */
export async function deleteToken(db: D1Database, id: string, j: Journal): Promise<string> {
  const results = await commit(
    db,
    [db.prepare("SELECT token_hash FROM tokens WHERE id = ?").bind(id), db.prepare("DELETE FROM tokens WHERE id = ?").bind(id), guard(db)],
    j,
    { table: "tokens", id },
  );
  return column(results, 0, "token_hash")[0]!;
}

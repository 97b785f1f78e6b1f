/** Orgs and stacks in D1: the SQL of the tenant boundary, with cascading deletes. */
import type { AccessPolicy, Org, Stack } from "../core/model.ts";
import type { Journal, OrgHoldings, Page, PageRequest, StackCascade, Within } from "../services/ports.ts";
import { column, commit, guard, json, NAMES_STACK, one, page, toOrg, toPolicy, toStack, Where, type Row } from "./d1-admin-sql.ts";

/** Inserts an org. */
export async function insertOrg(db: D1Database, o: Org, j: Journal): Promise<void> {
  await commit(
    db,
    [db.prepare("INSERT INTO orgs (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)").bind(o.id, o.name, o.createdAt, o.updatedAt)],
    j,
  );
}

/** Reads an org. */
export function getOrg(db: D1Database, id: string): Promise<Org | null> {
  return one(db, "SELECT * FROM orgs WHERE id = ?", id, toOrg);
}

/** Lists every org. */
export function listOrgs(db: D1Database, p: PageRequest): Promise<Page<Org>> {
  return page(db, "SELECT * FROM orgs", new Where(), p, toOrg);
}

/** Renames an org if it still has `updated_at = readAt`. */
export async function updateOrg(db: D1Database, o: Org, readAt: string, j: Journal): Promise<void> {
  await commit(
    db,
    [db.prepare("UPDATE orgs SET name = ?, updated_at = ? WHERE id = ? AND updated_at = ?").bind(o.name, o.updatedAt, o.id, readAt), guard(db)],
    j,
    { table: "orgs", id: o.id },
  );
}

/** Counts what an org still owns. */
export async function orgHoldings(db: D1Database, id: string): Promise<OrgHoldings> {
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM stacks WHERE org_id = ?) AS stacks,
              (SELECT count(*) FROM access_policies WHERE org_id = ?) AS policies,
              (SELECT count(*) FROM tokens WHERE org_id = ?) AS tokens`,
    )
    .bind(id, id, id)
    .first<{ stacks: number; policies: number; tokens: number }>();
  return { stacks: row?.stacks ?? 0, accessPolicies: row?.policies ?? 0, tokens: row?.tokens ?? 0 };
}

/** Deletes an org with its tokens, policies and stacks, in one batch. */
export async function deleteOrg(db: D1Database, id: string, j: Journal): Promise<{ tokenHashes: string[]; stackIds: string[] }> {
  const results = await commit(
    db,
    [
      db.prepare("SELECT token_hash FROM tokens WHERE org_id = ?").bind(id),
      db.prepare("SELECT id FROM stacks WHERE org_id = ?").bind(id),
      db.prepare("DELETE FROM tokens WHERE org_id = ?").bind(id),
      db.prepare("DELETE FROM access_policies WHERE org_id = ?").bind(id),
      db.prepare("DELETE FROM stacks WHERE org_id = ?").bind(id),
      db.prepare("DELETE FROM orgs WHERE id = ?").bind(id),
      guard(db),
    ],
    j,
    { table: "orgs", id },
  );
  return { tokenHashes: column(results, 0, "token_hash"), stackIds: column(results, 1, "id") };
}

/** Inserts a stack. */
export async function insertStack(db: D1Database, s: Stack, j: Journal): Promise<void> {
  await commit(
    db,
    [
      db
        .prepare("INSERT INTO stacks (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .bind(s.id, s.orgId, s.name, s.createdAt, s.updatedAt),
    ],
    j,
  );
}

/** Reads a stack. */
export function getStack(db: D1Database, id: string): Promise<Stack | null> {
  return one(db, "SELECT * FROM stacks WHERE id = ?", id, toStack);
}

/** Lists the stacks of an org, or only those a stack-limited admin manages. */
export function listStacks(db: D1Database, orgId: string, f: Within, p: PageRequest): Promise<Page<Stack>> {
  const where = new Where()
    .add(true, "org_id = ?", orgId)
    .add(f.withinStacks !== null, "id IN (SELECT value FROM json_each(?))", JSON.stringify(f.withinStacks));
  return page(db, "SELECT * FROM stacks", where, p, toStack);
}

/** Renames a stack if it still has `updated_at = readAt`. */
export async function updateStack(db: D1Database, s: Stack, readAt: string, j: Journal): Promise<void> {
  await commit(
    db,
    [db.prepare("UPDATE stacks SET name = ?, updated_at = ? WHERE id = ? AND updated_at = ?").bind(s.name, s.updatedAt, s.id, readAt), guard(db)],
    j,
    { table: "stacks", id: s.id },
  );
}

/** The policies of an org that name a stack in one of their realms. */
export async function policiesUsingStack(db: D1Database, orgId: string, stackId: string): Promise<AccessPolicy[]> {
  const { results } = await db
    .prepare(`SELECT * FROM access_policies WHERE org_id = ? AND ${NAMES_STACK} ORDER BY id`)
    .bind(orgId, stackId)
    .all<Row>();
  return results.map(toPolicy);
}

/**
 * Deletes a stack, rewriting or deleting the policies that named it, in one batch. Each rewrite needs its
 * policy unchanged since read (`cascade.readAt`), each removed policy and the stack must still exist.
 */
export async function deleteStack(db: D1Database, id: string, cascade: StackCascade, j: Journal): Promise<string[]> {
  const affected = JSON.stringify([...cascade.rewrite.map((p) => p.id), ...cascade.remove]);
  const removed = JSON.stringify(cascade.remove);
  const results = await commit(
    db,
    [
      db.prepare("SELECT token_hash FROM tokens WHERE access_policy_id IN (SELECT value FROM json_each(?))").bind(affected),
      ...cascade.rewrite.flatMap((p) => [
        db
          .prepare("UPDATE access_policies SET realms = ?, updated_at = ? WHERE id = ? AND updated_at = ?")
          .bind(json(p.realms), p.updatedAt, p.id, cascade.readAt[p.id] ?? null),
        guard(db),
      ]),
      db.prepare("DELETE FROM tokens WHERE access_policy_id IN (SELECT value FROM json_each(?))").bind(removed),
      db.prepare("DELETE FROM access_policies WHERE id IN (SELECT value FROM json_each(?))").bind(removed),
      guard(db, cascade.remove.length),
      db.prepare("DELETE FROM stacks WHERE id = ?").bind(id),
      guard(db),
    ],
    j,
    { table: "stacks", id },
  );
  return column(results, 0, "token_hash");
}

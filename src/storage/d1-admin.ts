/** The admin store over D1. All admin SQL lives here; every write is batched with its audit event. */
import type { AccessPolicy, Org, Stack, Token } from "../core/model.ts";
import {
  ConflictError,
  type AdminStore,
  type AuditEvent,
  type Page,
  type PageRequest,
} from "../services/ports.ts";

type Row = Record<string, unknown>;

const org = (r: Row): Org => ({
  id: r.id as string,
  name: r.name as string,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

const stack = (r: Row): Stack => ({ ...org(r), orgId: r.org_id as string });

const policy = (r: Row): AccessPolicy => ({
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

const token = (r: Row): Token => ({
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

const TOKEN_COLUMNS =
  "id, access_policy_id, org_id, name, display_name, expires_at, first_used_at, last_used_at, created_at, updated_at";

/** The admin store backed by D1. */
export class D1AdminStore implements AdminStore {
  constructor(private readonly db: D1Database) {}

  private audit(e: AuditEvent): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO audit_events (id, org_id, actor, action, target_type, target_id, before, after, request_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(e.id, e.orgId, e.actor, e.action, e.targetType, e.targetId, json(e.before), json(e.after), e.requestId, e.createdAt);
  }

  private async write(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    try {
      return await this.db.batch(statements);
    } catch (e) {
      if (e instanceof Error && e.message.includes("UNIQUE constraint failed")) throw new ConflictError(e.message);
      throw e;
    }
  }

  private async page<T>(sql: string, args: unknown[], p: PageRequest, map: (r: Row) => T): Promise<Page<T>> {
    const { results } = await this.db
      .prepare(`${sql} AND id > ? ORDER BY id LIMIT ?`)
      .bind(...args, p.cursor ?? "", p.limit + 1)
      .all<Row>();
    const items = results.slice(0, p.limit).map(map);
    const last = items.at(-1) as { id: string } | undefined;
    return { items, nextCursor: results.length > p.limit && last ? last.id : null };
  }

  private async one<T>(sql: string, id: string, map: (r: Row) => T): Promise<T | null> {
    const row = await this.db.prepare(sql).bind(id).first<Row>();
    return row ? map(row) : null;
  }

  async insertOrg(o: Org, audit: AuditEvent): Promise<void> {
    await this.write([
      this.db.prepare("INSERT INTO orgs (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)").bind(o.id, o.name, o.createdAt, o.updatedAt),
      this.audit(audit),
    ]);
  }

  getOrg(id: string): Promise<Org | null> {
    return this.one("SELECT * FROM orgs WHERE id = ?", id, org);
  }

  listOrgs(p: PageRequest): Promise<Page<Org>> {
    return this.page("SELECT * FROM orgs WHERE 1 = 1", [], p, org);
  }

  async insertStack(s: Stack, audit: AuditEvent): Promise<void> {
    await this.write([
      this.db
        .prepare("INSERT INTO stacks (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .bind(s.id, s.orgId, s.name, s.createdAt, s.updatedAt),
      this.audit(audit),
    ]);
  }

  getStack(id: string): Promise<Stack | null> {
    return this.one("SELECT * FROM stacks WHERE id = ?", id, stack);
  }

  listStacks(orgId: string, p: PageRequest): Promise<Page<Stack>> {
    return this.page("SELECT * FROM stacks WHERE org_id = ?", [orgId], p, stack);
  }

  async insertPolicy(x: AccessPolicy, audit: AuditEvent): Promise<void> {
    await this.write([
      this.db
        .prepare(
          `INSERT INTO access_policies (id, org_id, name, display_name, scopes, realms, conditions, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(x.id, x.orgId, x.name, x.displayName, json(x.scopes), json(x.realms), json(x.conditions), x.status, x.createdAt, x.updatedAt),
      this.audit(audit),
    ]);
  }

  getPolicy(id: string): Promise<AccessPolicy | null> {
    return this.one("SELECT * FROM access_policies WHERE id = ?", id, policy);
  }

  listPolicies(orgId: string, p: PageRequest): Promise<Page<AccessPolicy>> {
    return this.page("SELECT * FROM access_policies WHERE org_id = ?", [orgId], p, policy);
  }

  async deletePolicy(id: string, audit: AuditEvent): Promise<string[]> {
    const [hashes] = await this.write([
      this.db.prepare("SELECT token_hash FROM tokens WHERE access_policy_id = ?").bind(id),
      this.db.prepare("DELETE FROM tokens WHERE access_policy_id = ?").bind(id),
      this.db.prepare("DELETE FROM access_policies WHERE id = ?").bind(id),
      this.audit(audit),
    ]);
    return (hashes!.results as { token_hash: string }[]).map((r) => r.token_hash);
  }

  async insertToken(t: Token, hash: string, audit: AuditEvent): Promise<void> {
    await this.write([
      this.db
        .prepare(`INSERT INTO tokens (${TOKEN_COLUMNS}, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .bind(t.id, t.accessPolicyId, t.orgId, t.name, t.displayName, t.expiresAt, t.firstUsedAt, t.lastUsedAt, t.createdAt, t.updatedAt, hash),
      this.audit(audit),
    ]);
  }

  getToken(id: string): Promise<Token | null> {
    return this.one(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE id = ?`, id, token);
  }

  listTokens(orgId: string, f: { accessPolicyId: string | null }, p: PageRequest): Promise<Page<Token>> {
    return f.accessPolicyId === null
      ? this.page(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE org_id = ?`, [orgId], p, token)
      : this.page(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE org_id = ? AND access_policy_id = ?`, [orgId, f.accessPolicyId], p, token);
  }

  async deleteToken(id: string, audit: AuditEvent): Promise<string | null> {
    const [hash] = await this.write([
      this.db.prepare("SELECT token_hash FROM tokens WHERE id = ?").bind(id),
      this.db.prepare("DELETE FROM tokens WHERE id = ?").bind(id),
      this.audit(audit),
    ]);
    return (hash!.results[0] as { token_hash: string } | undefined)?.token_hash ?? null;
  }
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

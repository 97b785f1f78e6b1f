/**
 * The admin store over D1. All admin SQL lives in the `d1-admin*.ts` files; every write is one batch
 * holding the change, its audit events and, for keyed requests, the replay record. Updates and deletes
 * are optimistic (see `guard` in d1-admin-sql.ts): a write whose row changed or went since it was read
 * writes nothing and raises `StaleWriteError`.
 */
import type { AccessPolicy, Org, Stack, Token } from "../core/model.ts";
import type {
  AdminStore,
  AuditEvent,
  AuditFilter,
  IdempotencyScope,
  Journal,
  OrgHoldings,
  Page,
  PageRequest,
  PolicyFilter,
  StackCascade,
  StoredResponse,
  TokenFilter,
  Within,
} from "../services/ports.ts";
import * as audit from "./d1-admin-audit.ts";
import * as policies from "./d1-admin-policies.ts";
import * as tenants from "./d1-admin-tenants.ts";

/** The admin store backed by D1. */
export class D1AdminStore implements AdminStore {
  constructor(private readonly db: D1Database) {}

  insertOrg = (o: Org, j: Journal): Promise<void> => tenants.insertOrg(this.db, o, j);
  getOrg = (id: string): Promise<Org | null> => tenants.getOrg(this.db, id);
  listOrgs = (p: PageRequest): Promise<Page<Org>> => tenants.listOrgs(this.db, p);
  updateOrg = (o: Org, readAt: string, j: Journal): Promise<void> => tenants.updateOrg(this.db, o, readAt, j);
  orgHoldings = (id: string): Promise<OrgHoldings> => tenants.orgHoldings(this.db, id);
  deleteOrg = (id: string, j: Journal) => tenants.deleteOrg(this.db, id, j);

  insertStack = (s: Stack, j: Journal): Promise<void> => tenants.insertStack(this.db, s, j);
  getStack = (id: string): Promise<Stack | null> => tenants.getStack(this.db, id);
  listStacks = (orgId: string, f: Within, p: PageRequest): Promise<Page<Stack>> => tenants.listStacks(this.db, orgId, f, p);
  updateStack = (s: Stack, readAt: string, j: Journal): Promise<void> => tenants.updateStack(this.db, s, readAt, j);
  policiesUsingStack = (orgId: string, stackId: string): Promise<AccessPolicy[]> => tenants.policiesUsingStack(this.db, orgId, stackId);
  deleteStack = (id: string, c: StackCascade, j: Journal): Promise<string[]> => tenants.deleteStack(this.db, id, c, j);

  insertPolicy = (x: AccessPolicy, j: Journal): Promise<void> => policies.insertPolicy(this.db, x, j);
  getPolicy = (id: string): Promise<AccessPolicy | null> => policies.getPolicy(this.db, id);
  listPolicies = (orgId: string, f: PolicyFilter, p: PageRequest): Promise<Page<AccessPolicy>> => policies.listPolicies(this.db, orgId, f, p);
  updatePolicy = (x: AccessPolicy, readAt: string, j: Journal): Promise<string[]> => policies.updatePolicy(this.db, x, readAt, j);
  deletePolicy = (id: string, j: Journal): Promise<string[]> => policies.deletePolicy(this.db, id, j);

  insertToken = (t: Token, hash: string, j: Journal): Promise<void> => policies.insertToken(this.db, t, hash, j);
  getToken = (id: string): Promise<Token | null> => policies.getToken(this.db, id);
  listTokens = (orgId: string, f: TokenFilter, p: PageRequest): Promise<Page<Token>> => policies.listTokens(this.db, orgId, f, p);
  updateToken = (t: Token, readAt: string, j: Journal): Promise<string> => policies.updateToken(this.db, t, readAt, j);
  deleteToken = (id: string, j: Journal): Promise<string> => policies.deleteToken(this.db, id, j);

  listAuditEvents = (orgId: string, f: AuditFilter, p: PageRequest): Promise<Page<AuditEvent>> => audit.listAuditEvents(this.db, orgId, f, p);
  findReplay = (s: IdempotencyScope, now: string): Promise<StoredResponse | null> => audit.findReplay(this.db, s, now);
}

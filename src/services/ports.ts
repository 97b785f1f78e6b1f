/**
 * The storage interfaces the services depend on. `src/storage/` implements them over D1 (and, for
 * the hot path, caches in front of it); tests may use the in-memory twins.
 */
import type { AccessPolicy, Org, Stack, Token } from "../core/model.ts";
import type { CompiledRecord } from "../core/policy.ts";

/** Finds the hot-path record of a token, compiled, by the hash of its secret. */
export interface TokenRecords {
  byHash(hash: string): Promise<CompiledRecord | null>;
}

/** Tells which org a stack belongs to (null for an unknown stack). */
export interface StackDirectory {
  orgOf(stackId: string): Promise<string | null>;
}

/** One audit event, written in the same transaction as the change it describes. */
export interface AuditEvent {
  id: string;
  orgId: string | null;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: string;
}

/** Where an idempotency key lives: per org, actor, method and path. */
export interface IdempotencyScope {
  orgId: string;
  actor: string;
  method: string;
  path: string;
  key: string;
}

/** The first answer to a keyed request, replayed to its retries. Never holds a secret. */
export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** A stored response with its scope and lifetime, written in the batch of the change it answers. */
export interface ReplayRecord extends IdempotencyScope, StoredResponse {
  createdAt: string;
  expiresAt: string;
}

/** What every admin write carries besides the change: its audit events, and the answer a retry replays. */
export interface Journal {
  events: AuditEvent[];
  replay: ReplayRecord | null;
}

/** A page of a list, in id order (ascending, or descending for the audit log). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging of a list call. */
export interface PageRequest {
  cursor: string | null;
  limit: number;
}

/** Raised by a store when a unique name is taken. */
export class ConflictError extends Error {}

/**
 * Raised by a store when a write found its row no longer as the caller read it: changed by a concurrent
 * write (`gone` false) or deleted (`gone` true). Nothing was written: not the change, its audit events
 * nor its replay record.
 */
export class StaleWriteError extends Error {
  constructor(
    readonly gone: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Raised by a store when a concurrent request with the same idempotency key committed first. */
export class IdempotencyRaceError extends Error {}

/** Limits a list to what a stack-limited admin manages; null means the whole org. */
export interface Within {
  withinStacks: readonly string[] | null;
}

/** Filters of the policy list. */
export interface PolicyFilter extends Within {
  name?: string | undefined;
  realmType?: "org" | "stack" | undefined;
  realmIdentifier?: string | undefined;
  status?: "active" | "inactive" | undefined;
}

/** Filters of the token list. Times are ISO-8601; `now` decides what counts as expired. */
export interface TokenFilter extends Within {
  accessPolicyId?: string | undefined;
  name?: string | undefined;
  expiresBefore?: string | undefined;
  expiresAfter?: string | undefined;
  includeExpired: boolean;
  now: string;
}

/** Filters of the audit log; `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  targetId?: string | undefined;
  targetType?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** What an org still owns. */
export interface OrgHoldings {
  stacks: number;
  accessPolicies: number;
  tokens: number;
}

/** What a stack delete does to the policies whose realms name the stack. */
export interface StackCascade {
  /** Policies that keep other realms: rewritten without the stack. */
  rewrite: AccessPolicy[];
  /** Policies whose only realm was the stack: deleted with their tokens. */
  remove: string[];
  /** The `updatedAt` each rewritten policy had when read: the rewrite applies only if it is unchanged. */
  readAt: Record<string, string>;
}

/**
 * The admin store: every write carries its journal (audit events, replay record), in one transaction.
 * Writes are optimistic: an update applies only while the row still has the `updatedAt` the caller read
 * (`readAt`), a delete only while the row exists; otherwise nothing is written and `StaleWriteError`
 * is raised. The new `updatedAt` must be later than `readAt`.
 */
export interface AdminStore {
  insertOrg(org: Org, journal: Journal): Promise<void>;
  getOrg(id: string): Promise<Org | null>;
  listOrgs(page: PageRequest): Promise<Page<Org>>;
  updateOrg(org: Org, readAt: string, journal: Journal): Promise<void>;
  orgHoldings(id: string): Promise<OrgHoldings>;
  /** Deletes an org and everything in it; returns the token hashes and stack ids that went with it. */
  deleteOrg(id: string, journal: Journal): Promise<{ tokenHashes: string[]; stackIds: string[] }>;

  insertStack(stack: Stack, journal: Journal): Promise<void>;
  getStack(id: string): Promise<Stack | null>;
  listStacks(orgId: string, filter: Within, page: PageRequest): Promise<Page<Stack>>;
  updateStack(stack: Stack, readAt: string, journal: Journal): Promise<void>;
  /** The policies of `orgId` that name the stack in a realm. */
  policiesUsingStack(orgId: string, stackId: string): Promise<AccessPolicy[]>;
  /** Deletes a stack, applying the cascade; returns the hashes of the tokens of every affected policy. */
  deleteStack(id: string, cascade: StackCascade, journal: Journal): Promise<string[]>;

  insertPolicy(policy: AccessPolicy, journal: Journal): Promise<void>;
  getPolicy(id: string): Promise<AccessPolicy | null>;
  listPolicies(orgId: string, filter: PolicyFilter, page: PageRequest): Promise<Page<AccessPolicy>>;
  /** Writes a policy's new state; returns the hashes of its tokens. */
  updatePolicy(policy: AccessPolicy, readAt: string, journal: Journal): Promise<string[]>;
  /** Deletes a policy and its tokens; returns the hashes of the deleted tokens. */
  deletePolicy(id: string, journal: Journal): Promise<string[]>;

  insertToken(token: Token, hash: string, journal: Journal): Promise<void>;
  getToken(id: string): Promise<Token | null>;
  listTokens(orgId: string, filter: TokenFilter, page: PageRequest): Promise<Page<Token>>;
  /** Writes a token's new display name and expiry; returns its hash. */
  updateToken(token: Token, readAt: string, journal: Journal): Promise<string>;
  /** Deletes a token; returns its hash. */
  deleteToken(id: string, journal: Journal): Promise<string>;

  /** The audit log of an org, newest first. */
  listAuditEvents(orgId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>>;

  /** The stored answer to a keyed request, unless it has expired by `now`. */
  findReplay(scope: IdempotencyScope, now: string): Promise<StoredResponse | null>;
}

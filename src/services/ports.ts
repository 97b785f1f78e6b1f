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

/** A page of a list, in id order. */
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

/** The admin store: every write carries its audit event, in one transaction. */
export interface AdminStore {
  insertOrg(org: Org, audit: AuditEvent): Promise<void>;
  getOrg(id: string): Promise<Org | null>;
  listOrgs(page: PageRequest): Promise<Page<Org>>;

  insertStack(stack: Stack, audit: AuditEvent): Promise<void>;
  getStack(id: string): Promise<Stack | null>;
  listStacks(orgId: string, page: PageRequest): Promise<Page<Stack>>;

  insertPolicy(policy: AccessPolicy, audit: AuditEvent): Promise<void>;
  getPolicy(id: string): Promise<AccessPolicy | null>;
  listPolicies(orgId: string, page: PageRequest): Promise<Page<AccessPolicy>>;
  /** Deletes a policy and its tokens; returns the hashes of the deleted tokens. */
  deletePolicy(id: string, audit: AuditEvent): Promise<string[]>;

  insertToken(token: Token, hash: string, audit: AuditEvent): Promise<void>;
  getToken(id: string): Promise<Token | null>;
  listTokens(orgId: string, filter: { accessPolicyId: string | null }, page: PageRequest): Promise<Page<Token>>;
  /** Deletes a token; returns its hash, or null when it did not exist. */
  deleteToken(id: string, audit: AuditEvent): Promise<string | null>;
}

/** What every admin operation needs, and the checks they share: acting org, rights, escalation, journal. */
import type { AccessPolicy } from "../../core/model.ts";
import { expandScopes } from "../../core/scopes.ts";
import type { Actor } from "../actor.ts";
import { managedStacks, mayAct, missingScopes } from "../actor.ts";
import { ApiError, notFound, validationError } from "../errors.ts";
import { ConflictError, StaleWriteError, type AdminStore, type AuditEvent, type IdempotencyScope, type Journal } from "../ports.ts";

/** What an admin change made stale. */
export interface Invalidation {
  tokenHashes?: string[];
  stackIds?: string[];
}

/** The idempotency key of a call, with the fingerprint of its request. */
export interface IdempotencyKey extends IdempotencyScope {
  fingerprint: string;
}

/** How long a keyed answer is replayed. */
export const REPLAY_TTL_MS = 24 * 60 * 60 * 1000;

/** The context of one admin call. */
export interface AdminContext {
  store: AdminStore;
  actor: Actor;
  /** The time of the call, ISO-8601. */
  now: string;
  newId: () => string;
  requestId: string | null;
  /** Set when the call carries an `x-request-id` that makes it idempotent: its answer is stored with the change. */
  idempotency: IdempotencyKey | null;
  /**
   * Called after every committed change that can alter an authorize result: token delete or update,
   * policy update, delete or deactivation, stack or org delete. Names the affected token hashes and
   * stack ids so the caches in front of D1 drop them (and other locations learn of it).
   */
  invalidate: (change: Invalidation) => Promise<void>;
}

/** The org a call acts in: the operator names it; a token acts in its own org (another org is a 404). */
export async function actingOrg(ctx: AdminContext, orgId: string | undefined): Promise<string> {
  if (ctx.actor.kind === "token") {
    if (orgId !== undefined && orgId !== ctx.actor.orgId) throw notFound("org");
    return ctx.actor.orgId;
  }
  if (orgId === undefined) throw validationError([{ path: "orgId", message: "the operator token must name the org (?orgId=)" }]);
  if (!(await ctx.store.getOrg(orgId))) throw notFound("org");
  return orgId;
}

/**
 * Loads one object by id in the acting org, or 404: also for another org's object, so ids cannot be
 * probed. The operator may omit `orgId`; the object's own org is then the acting org.
 */
export async function loadInOrg<T extends { orgId: string }>(
  ctx: AdminContext,
  kind: string,
  orgId: string | undefined,
  load: () => Promise<T | null>,
): Promise<T> {
  const acting = ctx.actor.kind === "operator" && orgId === undefined ? null : await actingOrg(ctx, orgId);
  const found = await load();
  if (!found || (acting !== null && found.orgId !== acting)) throw notFound(kind);
  return found;
}

/**
 * Refuses the call unless the actor holds `scope` in `orgId` over `within` (the stacks the call touches,
 * or null for the whole org). `what` names the object in the message.
 */
export function need(ctx: AdminContext, scope: string, orgId: string, within: readonly string[] | null = null, what = "the whole org"): void {
  if (mayAct(ctx.actor, scope, orgId, within)) return;
  if (ctx.actor.kind === "token" && !ctx.actor.scopes.has(scope)) {
    throw new ApiError(403, "forbidden", `this token does not hold ${scope}`);
  }
  throw new ApiError(403, "forbidden", `this token's realms do not cover ${what}; it needs ${scope} there`);
}

/** Refuses the call unless the actor holds `scope` in `orgId` over what it manages (lists, early checks). */
export function needInOwnReach(ctx: AdminContext, scope: string, orgId: string): void {
  need(ctx, scope, orgId, managedStacks(ctx.actor));
}

/** The stacks a policy's realms touch, or null when one of them is an org realm. */
export function reachOf(policy: Pick<AccessPolicy, "realms">): string[] | null {
  if (policy.realms.some((r) => r.type !== "stack")) return null;
  return policy.realms.map((r) => r.identifier);
}

/**
 * No escalation: an admin cannot grant, in a policy it writes or a token it mints or extends, a scope
 * it does not hold itself (sets expanded). 403 naming the first missing scope.
 */
export function forbidEscalation(ctx: AdminContext, scopes: readonly string[], doing: string): void {
  const missing = missingScopes(ctx.actor, [...expandScopes(scopes)].sort());
  if (missing.length > 0) {
    throw new ApiError(403, "forbidden", `this token cannot ${doing} with ${missing[0]}, which it does not hold itself`, [
      { path: "scopes", message: `not held by this token: ${missing.join(", ")}` },
    ]);
  }
}

/** True when `after` equals `before` in every one of `fields`: such an update is answered without a write. */
export function unchanged<T>(before: T, after: T, fields: (keyof T)[]): boolean {
  return fields.every((f) => JSON.stringify(before[f]) === JSON.stringify(after[f]));
}

/** Builds the audit event of a change. Callers pass objects without secrets. */
export function auditEvent(
  ctx: AdminContext,
  e: { orgId: string | null; action: string; targetType: string; targetId: string; before?: unknown; after?: unknown },
): AuditEvent {
  return {
    id: ctx.newId(),
    orgId: e.orgId,
    actor: ctx.actor.id,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: ctx.requestId,
    createdAt: ctx.now,
  };
}

/**
 * The journal of a change: its audit events and, when the call is keyed, the answer its retries get.
 * `response.body` is stored as is, so it must never hold a secret.
 */
export function journal(ctx: AdminContext, events: AuditEvent[], response: { status: 200 | 204; body: unknown }): Journal {
  const key = ctx.idempotency;
  if (key === null) return { events, replay: null };
  const expiresAt = new Date(Date.parse(ctx.now) + REPLAY_TTL_MS).toISOString();
  return { events, replay: { ...key, status: response.status, body: response.body, createdAt: ctx.now, expiresAt } };
}

/** Runs a store write, turning a unique-name clash into a 409 `conflict`. */
export async function conflictAs<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof ConflictError) throw new ApiError(409, "conflict", message);
    throw e;
  }
}

/**
 * The `updatedAt` of an update: the call's time, or 1 ms past the one read when that is not earlier
 * (same millisecond, clock skew), so every update moves it forward and the store's check on it holds.
 */
export function nextUpdatedAt(ctx: AdminContext, readAt: string): string {
  const read = Date.parse(readAt);
  return Date.parse(ctx.now) > read ? ctx.now : new Date(read + 1).toISOString();
}

/**
 * Runs an optimistic store write on a `kind` object: when the object changed since it was read, a 409
 * `conflict`; when it is gone, a 404. Nothing was written either way.
 */
export async function fresh<T>(kind: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof StaleWriteError)) throw e;
    if (e.gone) throw notFound(kind);
    throw new ApiError(409, "conflict", `the ${kind} changed concurrently; read it again and retry`);
  }
}

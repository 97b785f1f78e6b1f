/** What every admin operation needs, and the checks they share: acting org, rights, audit. */
import type { Actor } from "../actor.ts";
import { mayAct } from "../actor.ts";
import { ApiError, notFound, validationError } from "../errors.ts";
import type { AdminStore, AuditEvent } from "../ports.ts";

/** What an admin change made stale. */
export interface Invalidation {
  tokenHashes?: string[];
  stackIds?: string[];
}

/** The context of one admin call. */
export interface AdminContext {
  store: AdminStore;
  actor: Actor;
  /** The time of the call, ISO-8601. */
  now: string;
  newId: () => string;
  requestId: string | null;
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

/** Refuses the call unless the actor holds `scope` in `orgId`. */
export function need(ctx: AdminContext, scope: string, orgId: string): void {
  if (!mayAct(ctx.actor, scope, orgId)) {
    throw new ApiError(403, "forbidden", `this token does not hold ${scope} for the whole org`);
  }
}

/** Loads an object of the acting org, or 404 (also for another org's object, so ids cannot be probed). */
export async function inOrg<T extends { orgId: string }>(
  ctx: AdminContext,
  kind: string,
  load: Promise<T | null>,
  orgId: string,
): Promise<T> {
  const found = await load;
  if (!found || found.orgId !== orgId) throw notFound(kind);
  return found;
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

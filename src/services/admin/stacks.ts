/** Stacks: the sets of services inside an org, governed by `stacks:read|write|delete`. */
import type { AccessPolicy, Stack } from "../../core/model.ts";
import { managedStacks } from "../actor.ts";
import { ApiError } from "../errors.ts";
import type { Page, PageRequest, StackCascade } from "../ports.ts";
import {
  actingOrg,
  auditEvent,
  conflictAs,
  fresh,
  journal,
  loadInOrg,
  need,
  needInOwnReach,
  nextUpdatedAt,
  reachOf,
  unchanged,
  type AdminContext,
} from "./context.ts";

/** Creates a stack in the acting org (`orgId` from the body or the query). Needs `stacks:write` on the whole org. */
export async function createStack(ctx: AdminContext, input: { orgId?: string | undefined; name: string }): Promise<Stack> {
  const orgId = await actingOrg(ctx, input.orgId);
  need(ctx, "stacks:write", orgId);
  const stack: Stack = { id: ctx.newId(), orgId, name: input.name, createdAt: ctx.now, updatedAt: ctx.now };
  const event = auditEvent(ctx, { orgId, action: "stack.create", targetType: "stack", targetId: stack.id, after: stack });
  await conflictAs(`a stack named "${input.name}" already exists in this org`, () =>
    ctx.store.insertStack(stack, journal(ctx, [event], { status: 200, body: stack })),
  );
  return stack;
}

/** Reads a stack of the acting org. */
export async function getStack(ctx: AdminContext, orgId: string | undefined, id: string): Promise<Stack> {
  const stack = await loadInOrg(ctx, "stack", orgId, () => ctx.store.getStack(id));
  need(ctx, "stacks:read", stack.orgId, [id], "this stack");
  return stack;
}

/** Lists the stacks of the acting org: all of them, or those a stack-limited token manages. */
export async function listStacks(ctx: AdminContext, orgId: string | undefined, page: PageRequest): Promise<Page<Stack>> {
  const acting = await actingOrg(ctx, orgId);
  needInOwnReach(ctx, "stacks:read", acting);
  return ctx.store.listStacks(acting, { withinStacks: managedStacks(ctx.actor) }, page);
}

/** Renames a stack. */
export async function updateStack(ctx: AdminContext, orgId: string | undefined, id: string, input: { name?: string | undefined }): Promise<Stack> {
  const before = await loadInOrg(ctx, "stack", orgId, () => ctx.store.getStack(id));
  need(ctx, "stacks:write", before.orgId, [id], "this stack");
  const after: Stack = { ...before, name: input.name ?? before.name, updatedAt: nextUpdatedAt(ctx, before.updatedAt) };
  if (unchanged(before, after, ["name"])) return before;
  const event = auditEvent(ctx, { orgId: before.orgId, action: "stack.update", targetType: "stack", targetId: id, before, after });
  await conflictAs(`a stack named "${after.name}" already exists in this org`, () =>
    fresh("stack", () => ctx.store.updateStack(after, before.updatedAt, journal(ctx, [event], { status: 200, body: after }))),
  );
  return after;
}

/**
 * Deletes a stack. A stack still named in the realms of access policies is refused with a 409 naming
 * them, unless `force`: then, in the same transaction, the stack is removed from those policies' realms,
 * and a policy whose only realm it was is deleted with its tokens (a policy needs a realm). The cascade
 * also needs `accesspolicies:write` (rewrites) and `accesspolicies:delete` (deletions) on those policies.
 */
export async function deleteStack(ctx: AdminContext, orgId: string | undefined, id: string, force: boolean): Promise<void> {
  const stack = await loadInOrg(ctx, "stack", orgId, () => ctx.store.getStack(id));
  const org = stack.orgId;
  need(ctx, "stacks:delete", org, [id], "this stack");
  const using = await ctx.store.policiesUsingStack(org, id);
  if (using.length > 0 && !force) {
    const names = using.slice(0, 10).map((p) => p.name);
    const more = using.length > names.length ? `, and ${using.length - names.length} more` : "";
    throw new ApiError(
      409,
      "conflict",
      `stack "${stack.name}" is in the realms of ${using.length} access polic${using.length === 1 ? "y" : "ies"} (${names.join(", ")}${more}); ` +
        "remove it from them first, or delete with ?force=true (which also deletes the policies whose only realm it is, with their tokens)",
      [{ path: "accessPolicies", message: `still used by ${names.join(", ")}${more}` }],
    );
  }
  const cascade = planCascade(ctx, using, id);
  for (const p of using) {
    const scope = cascade.remove.includes(p.id) ? "accesspolicies:delete" : "accesspolicies:write";
    need(ctx, scope, org, reachOf(p), `access policy "${p.name}"`);
  }
  const events = [
    auditEvent(ctx, {
      orgId: org,
      action: "stack.delete",
      targetType: "stack",
      targetId: id,
      before: { ...stack, cascade: { rewrittenPolicies: cascade.rewrite.map((p) => p.id), deletedPolicies: cascade.remove } },
    }),
    ...using.map((before) => {
      const after = cascade.rewrite.find((p) => p.id === before.id);
      const action = after ? "accesspolicy.update" : "accesspolicy.delete";
      return auditEvent(ctx, { orgId: org, action, targetType: "accesspolicy", targetId: before.id, before, after: after ?? null });
    }),
  ];
  const hashes = await fresh("stack", () => ctx.store.deleteStack(id, cascade, journal(ctx, events, { status: 204, body: null })));
  await ctx.invalidate({ tokenHashes: hashes, stackIds: [id] });
}

function planCascade(ctx: AdminContext, using: AccessPolicy[], stackId: string): StackCascade {
  const cascade: StackCascade = { rewrite: [], remove: [], readAt: {} };
  for (const p of using) {
    const realms = p.realms.filter((r) => !(r.type === "stack" && r.identifier === stackId));
    if (realms.length === 0) cascade.remove.push(p.id);
    else {
      cascade.rewrite.push({ ...p, realms, updatedAt: nextUpdatedAt(ctx, p.updatedAt) });
      cascade.readAt[p.id] = p.updatedAt;
    }
  }
  return cascade;
}

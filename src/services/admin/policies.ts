/** Access policies: scopes, realms with label policies, allowed subnets, status. */
import type { AccessPolicy, PolicyStatus, Realm } from "../../core/model.ts";
import { managedStacks } from "../actor.ts";
import { validationError } from "../errors.ts";
import type { Page, PageRequest, PolicyFilter } from "../ports.ts";
import {
  actingOrg,
  auditEvent,
  conflictAs,
  forbidEscalation,
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
import { checkPolicyRules } from "./policy-rules.ts";

/** The writable fields of a new policy, as validated by the HTTP schema. */
export interface PolicyInput {
  name: string;
  displayName?: string | undefined;
  scopes: string[];
  realms: Realm[];
  conditions?: { allowedSubnets?: string[] | undefined } | null | undefined;
  status: PolicyStatus;
}

/** A partial update: only the fields present change. `name` may be sent, but only unchanged. */
export type PolicyPatch = Partial<Omit<PolicyInput, "status">> & { status?: PolicyStatus | undefined };

/**
 * Creates a policy in the acting org. Needs `accesspolicies:write` over its realms, and every scope it
 * grants held by the caller (no escalation).
 */
export async function createPolicy(ctx: AdminContext, orgId: string | undefined, input: PolicyInput): Promise<AccessPolicy> {
  const acting = await actingOrg(ctx, orgId);
  needInOwnReach(ctx, "accesspolicies:write", acting);
  need(ctx, "accesspolicies:write", acting, reachOf(input), "these realms");
  const policy: AccessPolicy = {
    id: ctx.newId(),
    orgId: acting,
    name: input.name,
    displayName: input.displayName || input.name,
    scopes: [...new Set(input.scopes)],
    realms: input.realms,
    conditions: { allowedSubnets: input.conditions?.allowedSubnets ?? [] },
    status: input.status,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await validate(ctx, policy, "create a policy");
  const event = auditEvent(ctx, { orgId: acting, action: "accesspolicy.create", targetType: "accesspolicy", targetId: policy.id, after: policy });
  await conflictAs(`an access policy named "${input.name}" already exists in this org`, () =>
    ctx.store.insertPolicy(policy, journal(ctx, [event], { status: 200, body: policy })),
  );
  return policy;
}

/** Reads a policy of the acting org. */
export async function getPolicy(ctx: AdminContext, orgId: string | undefined, id: string): Promise<AccessPolicy> {
  const policy = await loadInOrg(ctx, "access policy", orgId, () => ctx.store.getPolicy(id));
  need(ctx, "accesspolicies:read", policy.orgId, reachOf(policy), "this access policy");
  return policy;
}

/** Lists the policies of the acting org that pass the filter (for a stack-limited token, those inside its stacks). */
export async function listPolicies(
  ctx: AdminContext,
  orgId: string | undefined,
  filter: Omit<PolicyFilter, "withinStacks">,
  page: PageRequest,
): Promise<Page<AccessPolicy>> {
  const acting = await actingOrg(ctx, orgId);
  needInOwnReach(ctx, "accesspolicies:read", acting);
  return ctx.store.listPolicies(acting, { ...filter, withinStacks: managedStacks(ctx.actor) }, page);
}

/**
 * Changes the fields present in `patch` (a request that changes nothing writes nothing). The caller needs `accesspolicies:write` over the policy's
 * realms before and after, and must hold every scope the policy grants afterwards. Every token of the
 * policy is invalidated.
 */
export async function updatePolicy(ctx: AdminContext, orgId: string | undefined, id: string, patch: PolicyPatch): Promise<AccessPolicy> {
  const before = await loadInOrg(ctx, "access policy", orgId, () => ctx.store.getPolicy(id));
  need(ctx, "accesspolicies:write", before.orgId, reachOf(before), "this access policy");
  if (patch.name !== undefined && patch.name !== before.name) {
    throw validationError([{ path: "name", message: `is immutable (this policy is "${before.name}")` }]);
  }
  const after: AccessPolicy = {
    ...before,
    displayName: patch.displayName === undefined ? before.displayName : patch.displayName || before.name,
    scopes: patch.scopes ? [...new Set(patch.scopes)] : before.scopes,
    realms: patch.realms ?? before.realms,
    conditions: patch.conditions === undefined ? before.conditions : { allowedSubnets: patch.conditions?.allowedSubnets ?? [] },
    status: patch.status ?? before.status,
    updatedAt: nextUpdatedAt(ctx, before.updatedAt),
  };
  need(ctx, "accesspolicies:write", before.orgId, reachOf(after), "these realms");
  await validate(ctx, after, "write a policy");
  if (unchanged(before, after, ["displayName", "scopes", "realms", "conditions", "status"])) return before;
  const event = auditEvent(ctx, { orgId: after.orgId, action: "accesspolicy.update", targetType: "accesspolicy", targetId: id, before, after });
  const hashes = await fresh("access policy", () => ctx.store.updatePolicy(after, before.updatedAt, journal(ctx, [event], { status: 200, body: after })));
  await ctx.invalidate({ tokenHashes: hashes });
  return after;
}

/** Deletes a policy and its tokens, and drops their cached records. */
export async function deletePolicy(ctx: AdminContext, orgId: string | undefined, id: string): Promise<void> {
  const before = await loadInOrg(ctx, "access policy", orgId, () => ctx.store.getPolicy(id));
  need(ctx, "accesspolicies:delete", before.orgId, reachOf(before), "this access policy");
  const event = auditEvent(ctx, { orgId: before.orgId, action: "accesspolicy.delete", targetType: "accesspolicy", targetId: id, before });
  const hashes = await fresh("access policy", () => ctx.store.deletePolicy(id, journal(ctx, [event], { status: 204, body: null })));
  await ctx.invalidate({ tokenHashes: hashes });
}

async function validate(ctx: AdminContext, policy: AccessPolicy, doing: string): Promise<void> {
  const problems = await checkPolicyRules(ctx.store, policy.orgId, policy);
  if (problems.length > 0) throw validationError(problems);
  forbidEscalation(ctx, policy.scopes, doing);
}

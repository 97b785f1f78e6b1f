/** Access policies: scopes, realms with label policies, allowed subnets, status. */
import { compileCidrs } from "../../core/cidr.ts";
import { validateLabelPolicySelector } from "../../core/labels/index.ts";
import type { AccessPolicy, PolicyStatus, Realm } from "../../core/model.ts";
import { expandScopes, isKnownScope, LABEL_SCOPES } from "../../core/scopes.ts";
import { validationError, type ErrorDetail } from "../errors.ts";
import type { Page, PageRequest } from "../ports.ts";
import { actingOrg, auditEvent, inOrg, need, type AdminContext } from "./context.ts";
import { conflictAs } from "./orgs.ts";

/** The writable fields of a policy, as validated by the HTTP schema. */
export interface PolicyInput {
  name: string;
  displayName?: string;
  scopes: string[];
  realms: Realm[];
  conditions?: { allowedSubnets: string[] };
  status: PolicyStatus;
}

/** Creates a policy in the acting org, after checking every rule against the org's stacks. */
export async function createPolicy(ctx: AdminContext, orgId: string | undefined, input: PolicyInput): Promise<AccessPolicy> {
  const acting = await actingOrg(ctx, orgId);
  need(ctx, "accesspolicies:write", acting);
  const problems = await checkPolicy(ctx, acting, input);
  if (problems.length > 0) throw validationError(problems);
  const policy: AccessPolicy = {
    id: ctx.newId(),
    orgId: acting,
    name: input.name,
    displayName: input.displayName ?? input.name,
    scopes: [...new Set(input.scopes)],
    realms: input.realms,
    conditions: { allowedSubnets: input.conditions?.allowedSubnets ?? [] },
    status: input.status,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await conflictAs(`an access policy named "${input.name}" already exists in this org`, () =>
    ctx.store.insertPolicy(
      policy,
      auditEvent(ctx, { orgId: acting, action: "accesspolicy.create", targetType: "accesspolicy", targetId: policy.id, after: policy }),
    ),
  );
  return policy;
}

/** Reads a policy of the acting org. */
export async function getPolicy(ctx: AdminContext, orgId: string | undefined, id: string): Promise<AccessPolicy> {
  const acting = await actingOrgOf(ctx, orgId, () => ctx.store.getPolicy(id));
  need(ctx, "accesspolicies:read", acting);
  return inOrg(ctx, "access policy", ctx.store.getPolicy(id), acting);
}

/** Lists the policies of the acting org. */
export async function listPolicies(ctx: AdminContext, orgId: string | undefined, page: PageRequest): Promise<Page<AccessPolicy>> {
  const acting = await actingOrg(ctx, orgId);
  need(ctx, "accesspolicies:read", acting);
  return ctx.store.listPolicies(acting, page);
}

/** Deletes a policy and its tokens, and drops their cached records. */
export async function deletePolicy(ctx: AdminContext, orgId: string | undefined, id: string): Promise<void> {
  const acting = await actingOrgOf(ctx, orgId, () => ctx.store.getPolicy(id));
  need(ctx, "accesspolicies:delete", acting);
  const before = await inOrg(ctx, "access policy", ctx.store.getPolicy(id), acting);
  const hashes = await ctx.store.deletePolicy(
    id,
    auditEvent(ctx, { orgId: acting, action: "accesspolicy.delete", targetType: "accesspolicy", targetId: id, before }),
  );
  await ctx.invalidate({ tokenHashes: hashes });
}

/**
 * For reads and deletes by id, the operator may omit `orgId`: the object's own org is used. A token
 * always acts in its own org.
 */
export async function actingOrgOf(
  ctx: AdminContext,
  orgId: string | undefined,
  load: () => Promise<{ orgId: string } | null>,
): Promise<string> {
  if (ctx.actor.kind === "operator" && orgId === undefined) return (await load())?.orgId ?? "";
  return actingOrg(ctx, orgId);
}

/** Every semantic fault of a policy body, as field details. */
async function checkPolicy(ctx: AdminContext, orgId: string, input: PolicyInput): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  input.scopes.forEach((s, i) => {
    if (!isKnownScope(s)) problems.push({ path: `scopes.${i}`, message: `unknown scope "${s}" (see GET /api/v1/accesspolicies/config)` });
  });
  const labelled = [...expandScopes(input.scopes)].some((s) => LABEL_SCOPES.has(s));
  const seen = new Set<string>();
  for (const [i, realm] of input.realms.entries()) {
    const path = `realms.${i}`;
    const key = `${realm.type}:${realm.identifier}`;
    if (seen.has(key)) problems.push({ path, message: `realm ${key} is listed twice` });
    seen.add(key);
    if (realm.type === "org" && realm.identifier !== orgId) {
      problems.push({ path: `${path}.identifier`, message: "an org realm must name the policy's own org" });
    }
    if (realm.type === "stack") {
      const stack = await ctx.store.getStack(realm.identifier);
      if (!stack || stack.orgId !== orgId) problems.push({ path: `${path}.identifier`, message: "no such stack in this org" });
    }
    for (const [j, lp] of realm.labelPolicies.entries()) {
      const lpPath = `${path}.labelPolicies.${j}.selector`;
      if (!labelled) {
        problems.push({ path: lpPath, message: "label policies apply only to metrics:read and logs:read, which this policy does not grant" });
        continue;
      }
      const v = validateLabelPolicySelector(lp.selector);
      if (!v.ok) problems.push({ path: lpPath, message: `${v.error.message} (at position ${v.error.position})` });
    }
  }
  const subnets = input.conditions?.allowedSubnets ?? [];
  subnets.forEach((cidr, i) => {
    const one = compileCidrs([cidr]);
    if (!one.ok) problems.push({ path: `conditions.allowedSubnets.${i}`, message: one.error.error.message });
  });
  return problems;
}

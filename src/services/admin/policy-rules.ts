/** The semantic rules of a policy body, checked when it is written: scopes, realms, label policies, subnets. */
import { compileCidrs } from "../../core/cidr.ts";
import { validateLabelPolicySelector } from "../../core/labels/index.ts";
import type { Realm } from "../../core/model.ts";
import { expandScopes, isKnownScope, LABEL_SCOPES } from "../../core/scopes.ts";
import type { ErrorDetail } from "../errors.ts";
import type { AdminStore } from "../ports.ts";

/** The rule-bearing fields of a policy. */
export interface PolicyRules {
  scopes: string[];
  realms: Realm[];
  conditions: { allowedSubnets: string[] };
}

/** Every semantic fault of a policy's rules in `orgId`, as field details (empty when it is sound). */
export async function checkPolicyRules(store: AdminStore, orgId: string, input: PolicyRules): Promise<ErrorDetail[]> {
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
      const stack = await store.getStack(realm.identifier);
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
  input.conditions.allowedSubnets.forEach((cidr, i) => {
    const one = compileCidrs([cidr]);
    if (!one.ok) problems.push({ path: `conditions.allowedSubnets.${i}`, message: one.error.error.message });
  });
  return problems;
}

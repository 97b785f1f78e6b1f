/** The audit log: who changed what, when, and with which request id; never a secret. */
import type { AuditEvent, AuditFilter, Page, PageRequest } from "../ports.ts";
import { actingOrg, need, type AdminContext } from "./context.ts";

/**
 * Lists the audit events of the acting org, newest first. Needs `accesspolicies:read` over the whole
 * org: events name objects across all its stacks.
 */
export async function listAuditEvents(
  ctx: AdminContext,
  orgId: string | undefined,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<AuditEvent>> {
  const acting = await actingOrg(ctx, orgId);
  need(ctx, "accesspolicies:read", acting);
  return ctx.store.listAuditEvents(acting, filter, page);
}

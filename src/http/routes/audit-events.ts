/** `GET /api/v1/auditevents`: the audit log of an org, newest first. */
import { createRoute } from "@hono/zod-openapi";
import { listAuditEvents } from "../../services/admin/audit.ts";
import type { App } from "../context.ts";
import { listBody, pageOf, utc } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { AuditEvent, AuditListQuery, listOf } from "../schemas.ts";
import { errorResponses, jsonResponse, security } from "./common.ts";

const list = createRoute({
  method: "get",
  path: "/api/v1/auditevents",
  tags: ["audit events"],
  security,
  summary: "List the audit events of an org, newest first",
  description:
    "Every change of the admin API writes one, in the same transaction as the change: who (token id or `operator`), " +
    "what, the target, before and after (never a secret), the request id and the time. Needs `accesspolicies:read` " +
    "on the whole org.",
  request: { query: AuditListQuery },
  responses: { 200: jsonResponse(listOf(AuditEvent, "AuditEventList"), "A page of audit events"), ...errorResponses },
});

/** Registers the audit log route. */
export function register(app: App): void {
  app.openapi(list, async (c) => {
    const { orgId, targetId, targetType, action, from, to, ...q } = c.req.valid("query");
    const filter = { targetId, targetType, action, from: utc(from), to: utc(to) };
    const page = await listAuditEvents(adminContext(c), orgId, filter, pageOf(q));
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
}

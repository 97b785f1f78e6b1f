/** `/api/v1/orgs`: the tenants. The operator token creates, renames and deletes them. */
import { createRoute } from "@hono/zod-openapi";
import { createOrg, deleteOrg, getOrg, listOrgs, updateOrg } from "../../services/admin/orgs.ts";
import type { App } from "../context.ts";
import { listBody, pageOf } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { ForceQuery, IdParam, ListQuery, listOf, Org, OrgCreate, OrgUpdate, RegionQuery } from "../schemas.ts";
import { deleted, errorResponses, idempotent, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["orgs"];

const create = createRoute({
  method: "post",
  path: "/api/v1/orgs",
  tags,
  security,
  summary: "Create an org (operator token only)",
  request: { query: RegionQuery, ...idempotent, ...jsonBody(OrgCreate) },
  responses: { 200: jsonResponse(Org, "The new org"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/orgs",
  tags,
  security,
  summary: "List orgs (all for the operator, its own for a token)",
  request: { query: ListQuery.omit({ orgId: true }) },
  responses: { 200: jsonResponse(listOf(Org, "OrgList"), "A page of orgs"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/orgs/{id}",
  tags,
  security,
  summary: "Get an org",
  request: { params: IdParam, query: RegionQuery },
  responses: { 200: jsonResponse(Org, "The org"), ...errorResponses },
});

const update = createRoute({
  method: "post",
  path: "/api/v1/orgs/{id}",
  tags,
  security,
  summary: "Rename an org (operator token only)",
  request: { params: IdParam, query: RegionQuery, ...idempotent, ...jsonBody(OrgUpdate) },
  responses: { 200: jsonResponse(Org, "The updated org"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/orgs/{id}",
  tags,
  security,
  summary: "Delete an org (operator token only)",
  description:
    "An org that still owns stacks, access policies or tokens is refused with a 409 `conflict` naming them. With " +
    "`force=true`, all of them are deleted with it, in one transaction, and every token of the org stops working.",
  request: { params: IdParam, query: ForceQuery.omit({ orgId: true }), ...idempotent },
  responses: { ...deleted, ...errorResponses },
});

/** Registers the org routes. */
export function register(app: App): void {
  app.openapi(create, async (c) => c.json(await createOrg(adminContext(c), c.req.valid("json")), 200));
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await listOrgs(adminContext(c), pageOf(q));
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(get, async (c) => c.json(await getOrg(adminContext(c), c.req.valid("param").id), 200));
  app.openapi(update, async (c) => c.json(await updateOrg(adminContext(c), c.req.valid("param").id, c.req.valid("json")), 200));
  app.openapi(remove, async (c) => {
    await deleteOrg(adminContext(c), c.req.valid("param").id, c.req.valid("query").force === "true");
    return c.body(null, 204);
  });
}

/** `/api/v1/accesspolicies`: create, list, get and delete access policies. */
import { createRoute } from "@hono/zod-openapi";
import { createPolicy, deletePolicy, getPolicy, listPolicies } from "../../services/admin/policies.ts";
import type { App } from "../context.ts";
import { listBody } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { AccessPolicy, AccessPolicyCreate, IdParam, ListQuery, listOf, OrgQuery } from "../schemas.ts";
import { errorResponses, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["access policies"];

const create = createRoute({
  method: "post",
  path: "/api/v1/accesspolicies",
  tags,
  security,
  summary: "Create an access policy",
  request: { query: OrgQuery, ...jsonBody(AccessPolicyCreate) },
  responses: { 200: jsonResponse(AccessPolicy, "The new policy"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/accesspolicies",
  tags,
  security,
  summary: "List the access policies of an org",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(listOf(AccessPolicy, "AuthAccessPolicyList"), "A page of policies"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/accesspolicies/{id}",
  tags,
  security,
  summary: "Get an access policy",
  request: { params: IdParam, query: OrgQuery },
  responses: { 200: jsonResponse(AccessPolicy, "The policy"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/accesspolicies/{id}",
  tags,
  security,
  summary: "Delete an access policy and its tokens",
  request: { params: IdParam, query: OrgQuery },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

/** Registers the access-policy routes. */
export function register(app: App): void {
  app.openapi(create, async (c) => {
    const policy = await createPolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("json"));
    return c.json(policy, 200);
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await listPolicies(adminContext(c), q.orgId, { cursor: q.pageCursor ?? null, limit: q.pageSize });
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(get, async (c) => c.json(await getPolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id), 200));
  app.openapi(remove, async (c) => {
    await deletePolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id);
    return c.body(null, 204);
  });
}

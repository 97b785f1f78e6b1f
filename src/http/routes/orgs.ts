/** `/api/v1/orgs` and `/api/v1/stacks`: minimal tenant management. */
import { createRoute } from "@hono/zod-openapi";
import { createOrg, createStack, getOrg, getStack, listOrgs, listStacks } from "../../services/admin/orgs.ts";
import type { App } from "../context.ts";
import { listBody } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { IdParam, ListQuery, listOf, Org, OrgCreate, OrgQuery, Stack, StackCreate } from "../schemas.ts";
import { errorResponses, jsonBody, jsonResponse, security } from "./common.ts";

const createOrgRoute = createRoute({
  method: "post",
  path: "/api/v1/orgs",
  tags: ["orgs"],
  security,
  summary: "Create an org (operator token only)",
  request: jsonBody(OrgCreate),
  responses: { 200: jsonResponse(Org, "The new org"), ...errorResponses },
});

const listOrgsRoute = createRoute({
  method: "get",
  path: "/api/v1/orgs",
  tags: ["orgs"],
  security,
  summary: "List orgs (all for the operator, its own for a token)",
  request: { query: ListQuery.omit({ orgId: true }) },
  responses: { 200: jsonResponse(listOf(Org, "OrgList"), "A page of orgs"), ...errorResponses },
});

const getOrgRoute = createRoute({
  method: "get",
  path: "/api/v1/orgs/{id}",
  tags: ["orgs"],
  security,
  summary: "Get an org",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Org, "The org"), ...errorResponses },
});

const createStackRoute = createRoute({
  method: "post",
  path: "/api/v1/stacks",
  tags: ["stacks"],
  security,
  summary: "Create a stack in an org",
  request: { query: OrgQuery, ...jsonBody(StackCreate) },
  responses: { 200: jsonResponse(Stack, "The new stack"), ...errorResponses },
});

const listStacksRoute = createRoute({
  method: "get",
  path: "/api/v1/stacks",
  tags: ["stacks"],
  security,
  summary: "List the stacks of an org",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(listOf(Stack, "StackList"), "A page of stacks"), ...errorResponses },
});

const getStackRoute = createRoute({
  method: "get",
  path: "/api/v1/stacks/{id}",
  tags: ["stacks"],
  security,
  summary: "Get a stack",
  request: { params: IdParam, query: OrgQuery },
  responses: { 200: jsonResponse(Stack, "The stack"), ...errorResponses },
});

/** Registers the org and stack routes. */
export function register(app: App): void {
  app.openapi(createOrgRoute, async (c) => c.json(await createOrg(adminContext(c), c.req.valid("json")), 200));
  app.openapi(listOrgsRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listOrgs(adminContext(c), { cursor: q.pageCursor ?? null, limit: q.pageSize });
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(getOrgRoute, async (c) => c.json(await getOrg(adminContext(c), c.req.valid("param").id), 200));
  app.openapi(createStackRoute, async (c) => {
    const body = c.req.valid("json");
    const orgId = body.orgId ?? c.req.valid("query").orgId;
    return c.json(await createStack(adminContext(c), { name: body.name, ...(orgId ? { orgId } : {}) }), 200);
  });
  app.openapi(listStacksRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listStacks(adminContext(c), q.orgId, { cursor: q.pageCursor ?? null, limit: q.pageSize });
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(getStackRoute, async (c) => c.json(await getStack(adminContext(c), c.req.valid("param").id, c.req.valid("query").orgId), 200));
}

/** `/api/v1/stacks`: the stacks of an org, governed by `stacks:read|write|delete`. */
import { createRoute } from "@hono/zod-openapi";
import { createStack, deleteStack, getStack, listStacks, updateStack } from "../../services/admin/stacks.ts";
import type { App } from "../context.ts";
import { listBody, pageOf } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { ForceQuery, IdParam, ListQuery, listOf, OrgQuery, Stack, StackCreate, StackUpdate } from "../schemas.ts";
import { deleted, errorResponses, idempotent, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["stacks"];

const create = createRoute({
  method: "post",
  path: "/api/v1/stacks",
  tags,
  security,
  summary: "Create a stack in an org",
  description: "Needs `stacks:write` on the whole org. The org is `orgId` in the body, or in the query.",
  request: { query: OrgQuery, ...idempotent, ...jsonBody(StackCreate) },
  responses: { 200: jsonResponse(Stack, "The new stack"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/stacks",
  tags,
  security,
  summary: "List the stacks of an org",
  description: "A token whose realms are stacks sees only those stacks.",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(listOf(Stack, "StackList"), "A page of stacks"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/stacks/{id}",
  tags,
  security,
  summary: "Get a stack",
  request: { params: IdParam, query: OrgQuery },
  responses: { 200: jsonResponse(Stack, "The stack"), ...errorResponses },
});

const update = createRoute({
  method: "post",
  path: "/api/v1/stacks/{id}",
  tags,
  security,
  summary: "Rename a stack",
  request: { params: IdParam, query: OrgQuery, ...idempotent, ...jsonBody(StackUpdate) },
  responses: { 200: jsonResponse(Stack, "The updated stack"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/stacks/{id}",
  tags,
  security,
  summary: "Delete a stack",
  description:
    "A stack still named in the realms of access policies is refused with a 409 `conflict` naming them. With " +
    "`force=true`, in one transaction, the stack is removed from those policies' realms, and a policy whose only " +
    "realm it was is deleted with its tokens; this also needs `accesspolicies:write` / `accesspolicies:delete` on them.",
  request: { params: IdParam, query: ForceQuery, ...idempotent },
  responses: { ...deleted, ...errorResponses },
});

/** Registers the stack routes. */
export function register(app: App): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    return c.json(await createStack(adminContext(c), { name: body.name, orgId: body.orgId ?? c.req.valid("query").orgId }), 200);
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await listStacks(adminContext(c), q.orgId, pageOf(q));
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(get, async (c) => c.json(await getStack(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id), 200));
  app.openapi(update, async (c) =>
    c.json(await updateStack(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(remove, async (c) => {
    const q = c.req.valid("query");
    await deleteStack(adminContext(c), q.orgId, c.req.valid("param").id, q.force === "true");
    return c.body(null, 204);
  });
}

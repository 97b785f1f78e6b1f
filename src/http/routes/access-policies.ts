/** `/api/v1/accesspolicies`: create, list, the scope catalogue, get, update and delete access policies. */
import { createRoute } from "@hono/zod-openapi";
import { catalogue } from "../../services/admin/catalogue.ts";
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from "../../services/admin/policies.ts";
import type { App } from "../context.ts";
import { listBody, pageOf } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { AccessPolicy, AccessPolicyCreate, AccessPolicyUpdate, Catalogue, PolicyListQuery } from "../schemas-policies.ts";
import { IdParam, listOf, OrgQuery, RegionQuery } from "../schemas.ts";
import { deleted, errorResponses, idempotent, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["access policies"];

const create = createRoute({
  method: "post",
  path: "/api/v1/accesspolicies",
  tags,
  security,
  summary: "Create an access policy",
  description:
    "Needs `accesspolicies:write` over the policy's realms. No escalation: every scope the policy grants (sets expanded) " +
    "must be held by the calling token, or the answer is 403 naming the scope.",
  request: { query: OrgQuery, ...idempotent, ...jsonBody(AccessPolicyCreate) },
  responses: { 200: jsonResponse(AccessPolicy, "The new policy"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/accesspolicies",
  tags,
  security,
  summary: "List the access policies of an org",
  description: "Oldest first, by id. A token whose realms are stacks sees only the policies whose realms all lie inside them.",
  request: { query: PolicyListQuery },
  responses: { 200: jsonResponse(listOf(AccessPolicy, "AuthAccessPolicyList"), "A page of policies"), ...errorResponses },
});

const config = createRoute({
  method: "get",
  path: "/api/v1/accesspolicies/config",
  tags,
  security,
  summary: "The scope catalogue: scopes with descriptions, sets with their members, realm types",
  request: { query: RegionQuery },
  responses: { 200: jsonResponse(Catalogue, "The catalogue"), ...errorResponses },
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

const update = createRoute({
  method: "post",
  path: "/api/v1/accesspolicies/{id}",
  tags,
  security,
  summary: "Update an access policy (only the fields present change)",
  description:
    "`name` is immutable. Needs `accesspolicies:write` over the realms before and after, and every scope the policy " +
    "grants afterwards held by the caller. Takes effect on the next authorize request of each of its tokens.",
  request: { params: IdParam, query: OrgQuery, ...idempotent, ...jsonBody(AccessPolicyUpdate) },
  responses: { 200: jsonResponse(AccessPolicy, "The updated policy"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/accesspolicies/{id}",
  tags,
  security,
  summary: "Delete an access policy and its tokens",
  request: { params: IdParam, query: OrgQuery, ...idempotent },
  responses: { ...deleted, ...errorResponses },
});

/** Registers the access-policy routes; the catalogue before `{id}`. */
export function register(app: App): void {
  app.openapi(create, async (c) => c.json(await createPolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("json")), 200));
  app.openapi(list, async (c) => {
    const { orgId, name, realmType, realmIdentifier, status, ...q } = c.req.valid("query");
    const page = await listPolicies(adminContext(c), orgId, { name, realmType, realmIdentifier, status }, pageOf(q));
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(config, (c) => c.json(catalogue(), 200));
  app.openapi(get, async (c) => c.json(await getPolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id), 200));
  app.openapi(update, async (c) =>
    c.json(await updatePolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(remove, async (c) => {
    await deletePolicy(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id);
    return c.body(null, 204);
  });
}

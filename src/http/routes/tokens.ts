/** `/api/v1/tokens`: create (secret shown once), list, get, update and delete tokens. */
import { createRoute } from "@hono/zod-openapi";
import { createToken, deleteToken, getToken, listTokens, updateToken } from "../../services/admin/tokens.ts";
import type { App } from "../context.ts";
import { listBody, pageOf, utc } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { Token, TokenCreate, TokenListQuery, TokenUpdate, TokenWithSecret } from "../schemas-policies.ts";
import { IdParam, listOf, OrgQuery } from "../schemas.ts";
import { deleted, errorResponses, idempotent, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["tokens"];

const create = createRoute({
  method: "post",
  path: "/api/v1/tokens",
  tags,
  security,
  summary: "Create a token; its secret is in this response only",
  description:
    "Minting is granting: needs `accesspolicies:write` over the policy's realms, and every scope of the policy held by " +
    "the caller. The secret (`token`) is shown once and stored only as a SHA-256 hash. A retry with the same " +
    "`x-request-id` answers the same token **without** `token`, with `secretOmitted: true` and `Idempotent-Replayed: true`: " +
    "if the first answer was lost, delete the token and create another.",
  request: { query: OrgQuery, ...idempotent, ...jsonBody(TokenCreate) },
  responses: { 200: jsonResponse(TokenWithSecret, "The new token, with its secret"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/tokens",
  tags,
  security,
  summary: "List the tokens of an org",
  description: "Oldest first, by id. Expired tokens are left out unless `includeExpired=true`.",
  request: { query: TokenListQuery },
  responses: { 200: jsonResponse(listOf(Token, "AuthTokenList"), "A page of tokens"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/tokens/{id}",
  tags,
  security,
  summary: "Get a token (never its secret)",
  request: { params: IdParam, query: OrgQuery },
  responses: { 200: jsonResponse(Token, "The token"), ...errorResponses },
});

const update = createRoute({
  method: "post",
  path: "/api/v1/tokens/{id}",
  tags,
  security,
  summary: "Update a token's displayName or expiresAt (only the fields present change)",
  description: "`name` and `accessPolicyId` are immutable. Changing `expiresAt` needs the policy's scopes, like creation.",
  request: { params: IdParam, query: OrgQuery, ...idempotent, ...jsonBody(TokenUpdate) },
  responses: { 200: jsonResponse(Token, "The updated token"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/tokens/{id}",
  tags,
  security,
  summary: "Delete (revoke) a token",
  request: { params: IdParam, query: OrgQuery, ...idempotent },
  responses: { ...deleted, ...errorResponses },
});

/** Registers the token routes. */
export function register(app: App): void {
  app.openapi(create, async (c) => {
    const created = await createToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("json"));
    c.header("Cache-Control", "no-store");
    return c.json(created, 200);
  });
  app.openapi(list, async (c) => {
    const { orgId, accessPolicyId, name, expiresBefore, expiresAfter, includeExpired, ...q } = c.req.valid("query");
    const filter = {
      accessPolicyId,
      name,
      expiresBefore: utc(expiresBefore),
      expiresAfter: utc(expiresAfter),
      includeExpired: includeExpired === "true",
    };
    const page = await listTokens(adminContext(c), orgId, filter, pageOf(q));
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(get, async (c) => c.json(await getToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id), 200));
  app.openapi(update, async (c) =>
    c.json(await updateToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(remove, async (c) => {
    await deleteToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id);
    return c.body(null, 204);
  });
}

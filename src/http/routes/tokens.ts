/** `/api/v1/tokens`: create (secret shown once), list, get and delete tokens. */
import { createRoute } from "@hono/zod-openapi";
import { createToken, deleteToken, getToken, listTokens } from "../../services/admin/tokens.ts";
import type { App } from "../context.ts";
import { listBody } from "../list.ts";
import { adminContext } from "../middleware/admin.ts";
import { IdParam, listOf, OrgQuery, Token, TokenCreate, TokenListQuery, TokenWithSecret } from "../schemas.ts";
import { errorResponses, jsonBody, jsonResponse, security } from "./common.ts";

const tags = ["tokens"];

const create = createRoute({
  method: "post",
  path: "/api/v1/tokens",
  tags,
  security,
  summary: "Create a token; its secret is in this response only",
  request: { query: OrgQuery, ...jsonBody(TokenCreate) },
  responses: { 200: jsonResponse(TokenWithSecret, "The new token, with its secret"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/tokens",
  tags,
  security,
  summary: "List the tokens of an org",
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

const remove = createRoute({
  method: "delete",
  path: "/api/v1/tokens/{id}",
  tags,
  security,
  summary: "Delete (revoke) a token",
  request: { params: IdParam, query: OrgQuery },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

/** Registers the token routes. */
export function register(app: App): void {
  app.openapi(create, async (c) => {
    const created = await createToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("json"));
    c.header("Cache-Control", "no-store");
    return c.json(created, 200);
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await listTokens(adminContext(c), q.orgId, { accessPolicyId: q.accessPolicyId ?? null }, {
      cursor: q.pageCursor ?? null,
      limit: q.pageSize,
    });
    return c.json(listBody(c.req.url, page, q.pageSize, q.pageCursor), 200);
  });
  app.openapi(get, async (c) => c.json(await getToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id), 200));
  app.openapi(remove, async (c) => {
    await deleteToken(adminContext(c), c.req.valid("query").orgId, c.req.valid("param").id);
    return c.body(null, 204);
  });
}

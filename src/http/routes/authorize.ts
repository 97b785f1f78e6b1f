/**
 * `/authorize`: forward-auth for gateways (nginx `auth_request`, Caddy `forward_auth`, Traefik,
 * Envoy ext_authz HTTP). Any method; the body is never read, and the query string is ignored.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { headerReports, pickOriginal, type OriginalRequest } from "../../core/request-scopes.ts";
import { authorize, type AuthorizeRequest } from "../../services/authorize.ts";
import { answer } from "../answer.ts";
import type { App, AppEnv } from "../context.ts";

const headers = z.object({
  authorization: z.string().optional().openapi({ description: "Bearer <token>, or Basic base64(<stackId>:<token>)" }),
  "x-keycard-scope": z.string().optional().openapi({ description: "Requested scopes (space or comma separated). Wins over the route map." }),
  "x-keycard-stack": z.string().optional().openapi({ description: "Target stack, when the credential is a bearer token" }),
  "x-original-method": z.string().optional().openapi({ description: "nginx: the original method, for the route map" }),
  "x-original-uri": z.string().optional().openapi({ description: "nginx: the original URI, for the route map (path at most 8 KiB)" }),
  "x-forwarded-method": z.string().optional().openapi({ description: "Caddy, Traefik: the original method" }),
  "x-forwarded-uri": z.string().optional().openapi({ description: "Caddy, Traefik: the original URI" }),
  "x-keycard-gateway-token": z.string().optional().openapi({ description: "The gateway's own token (authorizer:delegate), to report X-Keycard-Client-IP" }),
  "x-keycard-client-ip": z.string().optional().openapi({ description: "The client's IP; used only with a valid X-Keycard-Gateway-Token" }),
});

/**
 * Reads an authorize request from headers, exactly as sent. `fromPath` is the original request as
 * the path under `/authorize/` reports it (Envoy), which must agree with any header report.
 */
export function authorizeRequestFrom(c: Context<AppEnv>, issuer: string, fromPath: OriginalRequest | null): AuthorizeRequest {
  const h = (name: string) => c.req.header(name) ?? null;
  const reports = headerReports({
    originalMethod: h("x-original-method"),
    originalUri: h("x-original-uri"),
    forwardedMethod: h("x-forwarded-method"),
    forwardedUri: h("x-forwarded-uri"),
  });
  return {
    authorization: h("authorization"),
    scope: h("x-keycard-scope"),
    original: pickOriginal(fromPath === null ? reports : [fromPath, ...reports]),
    stack: h("x-keycard-stack"),
    peerIp: h("cf-connecting-ip"),
    gatewayToken: h("x-keycard-gateway-token"),
    delegatedIp: h("x-keycard-client-ip"),
    issuer,
    requestId: (h("cf-ray") ?? h("x-request-id"))?.slice(0, 128) ?? null,
  };
}

/** Registers `/authorize` and documents it. */
export function register(app: App): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/authorize",
    summary: "Authorize a token for a scope (explicit or from the route map), stack and client IP (any method; forward-auth style)",
    description:
      "Also served as /authorize/<original path> (Envoy ext_authz HTTP): the method and the path under /authorize, with its query, are then the original request.",
    tags: ["authorize"],
    request: { headers },
    responses: {
      200: { description: "Allowed. The signed decision is in X-Keycard-Decision and in the body; X-Keycard-Subject, -Org, -Stack are set." },
      401: { description: "Missing, malformed, unknown or expired credential or gateway token. Body {code, message}; X-Keycard-Reason." },
      403: { description: "Policy, client IP, realm, scope or route refused. Body {code, message}; X-Keycard-Reason." },
    },
  });

  // Every method, even unknown ones: gateways may send the check with the client's method (Envoy
  // does), and nginx turns any answer but 2xx, 401 and 403 into a 500. `/authorize/<original path>`
  // is Envoy's ext_authz HTTP form: the method and the path under `/authorize` (with the query) are
  // the original request.
  const handle = (withPath: boolean) => async (c: Context<AppEnv>) => {
    const deps = c.get("deps");
    const url = new URL(c.req.url);
    const fromPath = withPath ? { method: c.req.method, uri: url.pathname.slice("/authorize".length) + url.search } : null;
    const req = authorizeRequestFrom(c, deps.config.issuer, fromPath);
    const a = answer(await authorize(deps.authorize, req));
    const work = deps.background();
    if (work) c.executionCtx.waitUntil(work);
    for (const [name, value] of Object.entries(a.headers)) c.header(name, value);
    return c.json(a.body, a.status);
  };
  app.all("/authorize", handle(false));
  app.all("/authorize/*", handle(true));
}

/**
 * One authorize request, from plain data to an outcome: the single code path behind `/authorize`,
 * proxy mode and the RPC entrypoint. It settles the client IP (delegation), derives the requested
 * scopes (explicit scope or route map), then runs the decide pipeline.
 */
import type { OriginalRequest } from "../core/request-scopes.ts";
import { requestedScopes } from "../core/request-scopes.ts";
import type { Result } from "../core/result.ts";
import type { RouteMap } from "../core/routes.ts";
import { decide, type DecideDeps, type Outcome } from "./decide.ts";
import { resolveClientIp, type ClientIpSource } from "./delegation.ts";

/** A request to authorize, as the transports extract it. Nothing here is trusted yet. */
export interface AuthorizeRequest extends ClientIpSource {
  /** `Authorization`. */
  authorization: string | null;
  /** `X-Keycard-Scope`; when blank, the route map decides from `original`. */
  scope: string | null;
  /** The original method and URI, or `route_invalid` when the gateway's report of them is refused. */
  original: Result<OriginalRequest, "route_invalid">;
  /** `X-Keycard-Stack`. */
  stack: string | null;
  /** The decision `iss`. */
  issuer: string;
}

/** What authorizing needs. */
export interface AuthorizeDeps {
  decide: DecideDeps;
  routes: RouteMap;
}

/** Authorizes one request. Denials are data; storage faults throw. */
export async function authorize(deps: AuthorizeDeps, req: AuthorizeRequest): Promise<Outcome> {
  const clientIp = await resolveClientIp(deps.decide, req);
  if (!clientIp.ok) return { allow: false, reason: clientIp.error };
  return decide(deps.decide, {
    authorization: req.authorization,
    scopes: requestedScopes({ scope: req.scope, original: req.original }, deps.routes),
    stack: req.stack,
    clientIp: clientIp.value.ip,
    ipReportedByOrg: clientIp.value.reportedByOrg,
    issuer: req.issuer,
  });
}

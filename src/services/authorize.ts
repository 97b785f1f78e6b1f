/**
 * One authorize request, from plain data to an outcome: the single code path behind `/authorize`,
 * proxy mode and the RPC entrypoint. It settles the client IP (delegation), derives the requested
 * scopes (explicit scope or route map), then runs the decide pipeline.
 */
import type { OriginalRequest } from "../core/request-scopes.ts";
import { requestedScopes } from "../core/request-scopes.ts";
import type { Result } from "../core/result.ts";
import type { RouteMap } from "../core/routes.ts";
import type { AttemptLimiter } from "./attempts.ts";
import { decide, type DecideDeps, type DenyReason, type Outcome } from "./decide.ts";
import type { Observer } from "./observe.ts";
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
  /** Correlates the decision's log line (e.g. `cf-ray`); generated when absent. */
  requestId?: string | null;
}

/** What authorizing needs. */
export interface AuthorizeDeps {
  decide: DecideDeps;
  routes: RouteMap;
  attempts: AttemptLimiter;
  observer?: Observer;
}

/** Credential failures: what a guesser produces, counted per client IP. */
const FAILURES: ReadonlySet<DenyReason> = new Set(["invalid_token", "token_expired", "gateway_token_invalid"]);

/** Authorizes one request and logs its decision. Denials are data; storage faults throw. */
export async function authorize(deps: AuthorizeDeps, req: AuthorizeRequest): Promise<Outcome> {
  const started = performance.now();
  const outcome = await settle(deps, req);
  deps.observer?.decision({
    requestId: req.requestId ?? deps.decide.newId(),
    outcome,
    scopes: req.scope,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
  return outcome;
}

async function settle(deps: AuthorizeDeps, req: AuthorizeRequest): Promise<Outcome> {
  const now = deps.decide.now();
  if (deps.attempts.retryAfter(req.peerIp, now) > 0) return { allow: false, reason: "rate_limited" };
  const clientIp = await resolveClientIp(deps.decide, req);
  if (!clientIp.ok) {
    await deps.attempts.failed(req.peerIp, now);
    return { allow: false, reason: clientIp.error };
  }
  if (deps.attempts.retryAfter(clientIp.value.ip, now) > 0) return { allow: false, reason: "rate_limited" };
  const outcome = await decide(deps.decide, {
    authorization: req.authorization,
    scopes: requestedScopes({ scope: req.scope, original: req.original }, deps.routes),
    stack: req.stack,
    clientIp: clientIp.value.ip,
    ipReportedByOrg: clientIp.value.reportedByOrg,
    issuer: req.issuer,
  });
  if (!outcome.allow && FAILURES.has(outcome.reason)) await deps.attempts.failed(clientIp.value.ip, now);
  return outcome;
}

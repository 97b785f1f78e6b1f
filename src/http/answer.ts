/**
 * How an outcome looks to a gateway, shared by `/authorize`, proxy mode and the RPC entrypoint.
 * Allow: 200, and every header a gateway may copy set to a non-empty value. Deny: 401 or 403 only
 * (nginx turns any other status of an auth subrequest into a 500), with the reason in a header.
 */
import type { DecisionClaims } from "../core/decision.ts";
import type { Outcome } from "../services/decide.ts";
import { wireDenial } from "./deny.ts";

/** The body of an allow. */
export interface AllowBody {
  allowed: true;
  decision: string;
  claims: DecisionClaims;
}

/** The body of a denial. */
export interface DenyBody {
  code: string;
  message: string;
}

/** Status, headers and body of one answer. */
export type Answer =
  | { status: 200; headers: Record<string, string>; body: AllowBody }
  | { status: 401 | 403; headers: Record<string, string>; body: DenyBody };

/**
 * How long a gateway may reuse an allow: half the decision's lifetime. A reused decision then
 * still has at least half its lifetime left when the origin checks it, and a revoked token stops
 * working at gateways that cache within that half as well.
 */
export function allowMaxAge(claims: DecisionClaims): number {
  return Math.max(0, Math.floor((claims.exp - claims.iat) / 2));
}

/** Maps an outcome to status, headers and body. */
export function answer(outcome: Outcome): Answer {
  if (outcome.allow) {
    const { claims, decision } = outcome;
    return {
      status: 200,
      headers: {
        "X-Keycard-Decision": decision,
        "X-Keycard-Subject": claims.sub,
        "X-Keycard-Org": claims.org,
        "X-Keycard-Stack": claims.stack ?? "-",
        "Cache-Control": `private, max-age=${allowMaxAge(claims)}`,
      },
      body: { allowed: true, decision, claims },
    };
  }
  const d = wireDenial(outcome.reason);
  const headers: Record<string, string> = { "X-Keycard-Reason": d.code, "Cache-Control": "no-store" };
  if (d.status === 401) headers["WWW-Authenticate"] = `Bearer realm="keycard", error="invalid_token"`;
  return { status: d.status, headers, body: { code: d.code, message: d.message } };
}

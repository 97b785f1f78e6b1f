/** The one mapping from a deny reason to the wire: status, stable code, and message. */
import type { DenyReason } from "../services/decide.ts";

/** How a denial looks to a client. */
export interface WireDenial {
  status: 401 | 403;
  code: string;
  message: string;
}

/** Maps every reason, exhaustively. Unknown, malformed and deleted tokens share one answer. */
export function wireDenial(reason: DenyReason): WireDenial {
  switch (reason) {
    case "missing_credential":
      return { status: 401, code: reason, message: "send Authorization: Bearer <token> or Basic <stackId>:<token>" };
    case "invalid_token":
      return { status: 401, code: reason, message: "the token is not valid" };
    case "token_expired":
      return { status: 401, code: reason, message: "the token has expired" };
    case "policy_inactive":
      return { status: 403, code: reason, message: "the token's access policy is inactive" };
    case "ip_unknown":
      return { status: 403, code: reason, message: "the policy restricts client IPs and the client IP is unknown" };
    case "ip_not_allowed":
      return { status: 403, code: reason, message: "the client IP is outside the policy's allowed subnets" };
    case "stack_conflict":
      return { status: 403, code: reason, message: "the basic-auth username and X-Keycard-Stack name different stacks" };
    case "stack_required":
      return { status: 403, code: reason, message: "the policy covers single stacks: name one (basic-auth username or X-Keycard-Stack)" };
    case "realm_denied":
      return { status: 403, code: reason, message: "the token's policy does not cover this stack" };
    case "scope_required":
      return {
        status: 403,
        code: reason,
        message: "no scope requested: send X-Keycard-Scope, or the original request as X-Original-Method/X-Original-URI or X-Forwarded-Method/X-Forwarded-Uri",
      };
    case "scope_denied":
      return { status: 403, code: reason, message: "the token's policy does not grant the requested scope" };
    case "route_invalid":
      return {
        status: 403,
        code: reason,
        message: "the original method or URI is refused (malformed, a path over 8 KiB, //, . or .. segments, encoded / or \\), or X-Original-* and X-Forwarded-* disagree",
      };
    case "route_unmapped":
      return { status: 403, code: reason, message: "no route rule maps the original method and URI to a scope" };
    case "gateway_token_invalid":
      return { status: 401, code: reason, message: "the gateway token (X-Keycard-Gateway-Token) is not valid" };
    case "rate_limited":
      return { status: 403, code: reason, message: "too many failed attempts from this client IP; try again later" };
    case "gateway_not_allowed":
      return {
        status: 403,
        code: reason,
        message: "the gateway token may not report client IPs: it needs authorizer:delegate, an active policy, and to be sent from its allowed subnets",
      };
  }
}

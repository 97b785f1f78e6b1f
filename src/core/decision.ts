/** The claims of a signed decision (DESIGN §4), built from a grant. Signing happens in services. */
import type { TokenRecord } from "./model.ts";
import type { Grant } from "./policy.ts";
import { serviceOf } from "./scopes.ts";

/** The JWS `typ` of a decision. */
export const DECISION_TYP = "kc-decision+jwt";
/** The longest a decision may live. */
export const MAX_DECISION_TTL_SECONDS = 300;

/** The claims origins read. */
export interface DecisionClaims {
  iss: string;
  aud: string[];
  sub: string;
  org: string;
  stack?: string;
  scope: string;
  labels?: string[];
  pol: string;
  ip?: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
}

/** Where and when a decision is issued. `now` is epoch milliseconds. */
export interface IssueContext {
  issuer: string;
  clientIp: string | null;
  now: number;
  ttlSeconds: number;
  jti: string;
}

/** Builds the claims of an allow. */
export function decisionClaims(record: TokenRecord, grant: Grant, ctx: IssueContext): DecisionClaims {
  const iat = Math.floor(ctx.now / 1000);
  const claims: DecisionClaims = {
    iss: ctx.issuer,
    aud: [...new Set(grant.scopes.map(serviceOf))].sort(),
    sub: record.tokenId,
    org: record.orgId,
    scope: grant.scopes.join(" "),
    pol: record.policyId,
    jti: ctx.jti,
    iat,
    nbf: iat,
    exp: iat + ctx.ttlSeconds,
  };
  if (grant.stackId !== null) claims.stack = grant.stackId;
  if (grant.labels !== null) claims.labels = grant.labels;
  if (ctx.clientIp !== null) claims.ip = ctx.clientIp;
  return claims;
}

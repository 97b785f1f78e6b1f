/**
 * `keycard/verify`: what an origin needs to trust a Keycard decision and apply its label policies.
 * Runs on Node (22+) and Workers; depends only on jose, the PromQL lezer grammar and Keycard's selector library.
 *
 * ```ts
 * import { createDecisionVerifier, enforceQuery, mayRead } from "keycard/verify";
 *
 * const decisions = createDecisionVerifier({ jwksUrl: `${KEYCARD}/.well-known/jwks.json`, issuer: KEYCARD, audience: "metrics" });
 * const claims = await decisions.verify(req.headers.get("x-keycard-decision") ?? "");   // throws jose errors
 * const query = enforceQuery(claims, userQuery, { language: "promql" });              // throws QueryRejectedError
 * const visible = series.filter((s) => mayRead(claims, s.labels, { scope: "metrics:read" }));
 * ```
 * See docs/LABELS.md for the selector grammar and the several-selectors rule.
 */
export {
  createDecisionVerifier,
  type DecisionKeySource,
  type DecisionVerifier,
  type DecisionVerifierOptions,
} from "./verifier.ts";
export {
  DECISION_TYP,
  LABEL_SCOPES,
  MAX_CLOCK_TOLERANCE_SECONDS,
  MAX_DECISION_TTL_SECONDS,
  type DecisionClaims,
  type LabelScope,
} from "./claims.ts";
export { mayRead, type MayReadOptions } from "./may-read.ts";
export { enforceQuery, type EnforceQueryOptions, type QueryLanguage } from "./enforce.ts";
export { MAX_QUERY_LENGTH, QueryRejectedError, type QueryRejectionCode } from "./errors.ts";

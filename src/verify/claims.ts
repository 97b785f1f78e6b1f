/**
 * The decision as origins see it (DESIGN §4): its claims, the constants of the contract, and the shape check
 * that turns a verified JWT payload into typed, frozen claims. Kept apart from `src/core/decision.ts` on
 * purpose: this module ships to origins and depends only on jose and `src/core/labels`.
 */
import { errors, type JWTPayload } from "jose";
import { decisionSelectors } from "./selectors.ts";

/** The JWS `typ` header of every decision. */
export const DECISION_TYP = "kc-decision+jwt";

/** The longest a decision lives (`exp - iat`), in seconds; anything longer is refused. */
export const MAX_DECISION_TTL_SECONDS = 300;

/** The largest clock tolerance a verifier accepts, in seconds. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 60;

/** The read scopes that label policies limit; no other scope carries a `labels` claim. */
export type LabelScope = "metrics:read" | "logs:read";

/** Both label-limited read scopes. */
export const LABEL_SCOPES: readonly LabelScope[] = ["metrics:read", "logs:read"];

/** The claims of a verified decision. Returned frozen by the verifier. */
export interface DecisionClaims {
  /** The Keycard URL that issued the decision. */
  readonly iss: string;
  /** The services of the granted scopes, e.g. `["metrics"]`. */
  readonly aud: readonly string[];
  /** The token id. */
  readonly sub: string;
  readonly org: string;
  /** The target stack, when the request named one. */
  readonly stack?: string;
  /** The granted scopes, space-separated, sets expanded. */
  readonly scope: string;
  /**
   * The canonical selectors of the matching realm, for `metrics:read`/`logs:read`; ORed. Absent means the
   * reads are not limited by labels.
   */
  readonly labels?: readonly string[];
  /** The access policy id. */
  readonly pol: string;
  /** The client IP the decision was made for. */
  readonly ip?: string;
  readonly jti: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
}

/** True when the decision grants `scope` (a single scope such as `metrics:read`). */
export function grants(claims: Pick<DecisionClaims, "scope">, scope: string): boolean {
  return typeof claims.scope === "string" && claims.scope.split(" ").includes(scope);
}

const REQUIRED_STRINGS = ["iss", "sub", "org", "scope", "pol", "jti"] as const;
const OPTIONAL_STRINGS = ["stack", "ip"] as const;
const TIMES = ["iat", "nbf", "exp"] as const;

/**
 * Checks the shape of a payload whose signature, `iss`, `aud`, `typ` and times jose has already verified, and
 * returns it as frozen {@link DecisionClaims}. Every selector in `labels` must be a valid label policy, so a
 * decision whose limits this helper cannot read is refused rather than half-applied.
 * @throws {errors.JWTClaimValidationFailed} naming the faulty claim.
 */
export function checkClaims(payload: JWTPayload): DecisionClaims {
  const fail = (claim: string, message: string): never => {
    throw new errors.JWTClaimValidationFailed(message, payload, claim, "check_failed");
  };
  const p = payload as Record<string, unknown>;
  for (const name of REQUIRED_STRINGS) if (typeof p[name] !== "string" || p[name] === "") fail(name, `"${name}" claim must be a non-empty string`);
  for (const name of OPTIONAL_STRINGS) if (p[name] !== undefined && typeof p[name] !== "string") fail(name, `"${name}" claim must be a string`);
  for (const name of TIMES) if (!Number.isSafeInteger(p[name])) fail(name, `"${name}" claim must be an integer`);
  const aud = p.aud;
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every((a) => typeof a === "string")) fail("aud", `"aud" claim must be an array of strings`);
  const lifetime = (p.exp as number) - (p.iat as number);
  if (lifetime <= 0 || lifetime > MAX_DECISION_TTL_SECONDS) fail("exp", `decision lifetime must be 1 to ${MAX_DECISION_TTL_SECONDS} seconds`);
  const labels = p.labels;
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.length === 0) fail("labels", `"labels" claim must be a non-empty array`);
    Object.freeze(labels);
    try {
      decisionSelectors(p as { labels?: readonly string[] });
    } catch (e) {
      fail("labels", e instanceof Error ? e.message : String(e));
    }
  }
  if (Array.isArray(aud)) Object.freeze(aud);
  return Object.freeze(p) as unknown as DecisionClaims;
}

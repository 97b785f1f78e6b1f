/** Shared fixtures of the `keycard/verify` tests. */
import type { DecisionClaims } from "../../src/verify/index.ts";

/** Claims as the verifier returns them, with the given scopes and `labels` claim. */
export function claims(scope: string, labels?: string[]): DecisionClaims {
  return {
    iss: "https://keycard.example.com", aud: ["metrics", "logs"], sub: "tok", org: "org", scope, pol: "pol", jti: "j",
    iat: 0, nbf: 0, exp: 60, ...(labels ? { labels } : {}),
  };
}

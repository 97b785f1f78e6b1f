/** "May this series be read under this decision?" — the label-set check for origins. */
import { anySelectorMatches } from "../core/labels/index.ts";
import { grants, LABEL_SCOPES, type DecisionClaims, type LabelScope } from "./claims.ts";
import { decisionSelectors } from "./selectors.ts";

/** Options of {@link mayRead}. */
export interface MayReadOptions {
  /**
   * The read scope the origin serves: `metrics:read` for a Prometheus/Mimir origin, `logs:read` for Loki.
   * Default: either. Pass it: a decision for `metrics:read` should not let a Loki origin serve logs.
   */
  scope?: LabelScope;
}

/**
 * True when the series (or log stream) with these labels may be read under the decision:
 * - the decision grants the read scope (`options.scope`, or else `metrics:read` or `logs:read`); and
 * - it has no `labels` claim (reads are not limited by labels), or at least one of its selectors matches.
 *
 * Prometheus semantics: a missing label is the empty string, matchers in a selector are ANDed, selectors are
 * ORed, regexes are fully anchored. Selectors are parsed and compiled once per decision, then cached.
 *
 * ```ts
 * mayRead(claims, { __name__: "up", env: "dev" }, { scope: "metrics:read" }); // true for labels ['{env="dev"}']
 * ```
 * @throws TypeError when `options.scope` is not a label scope, or `claims.labels` is not a list of valid selectors
 *   (never the case for verified claims).
 */
export function mayRead(claims: DecisionClaims, labels: Readonly<Record<string, string>>, options: MayReadOptions = {}): boolean {
  if (options.scope !== undefined && !LABEL_SCOPES.includes(options.scope)) {
    throw new TypeError(`scope must be one of ${LABEL_SCOPES.join(", ")}`);
  }
  const scopes = options.scope === undefined ? LABEL_SCOPES : [options.scope];
  if (!scopes.some((s) => grants(claims, s))) return false;
  const selectors = decisionSelectors(claims);
  return selectors === null || anySelectorMatches(selectors.compiled, labels);
}

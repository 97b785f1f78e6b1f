/** Enforcing a decision's label policies on a PromQL or LogQL query, as prom-label-proxy does. */
import { grants, type DecisionClaims, type LabelScope } from "./claims.ts";
import { MAX_QUERY_LENGTH, QueryRejectedError } from "./errors.ts";
import { enforceLogql } from "./logql.ts";
import { enforcePromql } from "./promql.ts";
import { decisionSelectors, injectedMatchers } from "./selectors.ts";

/** The query languages `enforceQuery` rewrites. */
export type QueryLanguage = "promql" | "logql";

/** Options of {@link enforceQuery}. */
export interface EnforceQueryOptions {
  /** `promql` (Prometheus, Mimir, Thanos) needs `metrics:read`; `logql` (Loki) needs `logs:read`. */
  language: QueryLanguage;
}

const SCOPE: Readonly<Record<QueryLanguage, LabelScope>> = { promql: "metrics:read", logql: "logs:read" };

/**
 * Rewrites `query` so that it reads only what the decision allows: the decision's matchers are ANDed into
 * every vector selector (PromQL) or stream selector (LogQL). The query is parsed and rewritten from its tree,
 * never by concatenating strings, and the result is parsed again to prove it.
 *
 * - No `labels` claim: reads are not limited, and the query is returned unchanged.
 * - A user matcher on the same label stays; both apply (AND), so `{env="prod"}` under `{env="dev"}` selects
 *   nothing, and access never widens.
 * - Several selectors in the decision (ORed): merged into one `=~` matcher when each is a single `=`/`=~`
 *   matcher on the same label; otherwise the query is refused with `several_selectors` (see docs/LABELS.md).
 *
 * ```ts
 * enforceQuery(claims, 'sum by (job) (rate(http_requests_total[5m]))', { language: "promql" });
 * // → 'sum by (job) (rate(http_requests_total{env="dev"}[5m]))' for labels ['{env="dev"}']
 * ```
 * @throws {QueryRejectedError} when the query cannot be rewritten safely; run nothing then.
 */
export function enforceQuery(claims: DecisionClaims, query: string, options: EnforceQueryOptions): string {
  const scope = SCOPE[options.language];
  if (scope === undefined) throw new TypeError(`language must be "promql" or "logql"`);
  if (!grants(claims, scope)) throw new QueryRejectedError("scope_not_granted", `the decision does not grant ${scope}`);
  if (typeof query !== "string") throw new TypeError("query must be a string");
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QueryRejectedError("query_too_long", `query is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  }
  const selectors = decisionSelectors(claims);
  if (selectors === null) return query;
  const inject = injectedMatchers(selectors.selectors);
  return options.language === "promql" ? enforcePromql(query, inject) : enforceLogql(query, inject);
}

/**
 * The decision's selectors, parsed and compiled once per `labels` claim, and the matchers a query rewrite
 * injects. Internal to `keycard/verify`.
 */
import {
  compileSelectors,
  printSelector,
  validateLabelPolicySelector,
  METRIC_NAME_LABEL,
  type CompiledSelector,
  type Matcher,
  type Selector,
} from "../core/labels/index.ts";
import { QueryRejectedError } from "./errors.ts";

/** The parsed and compiled selectors of one `labels` claim. */
export type DecisionSelectors = { readonly selectors: readonly Selector[]; readonly compiled: readonly CompiledSelector[] };

type Cached = DecisionSelectors & { readonly key: string };
const cache = new WeakMap<readonly string[], Cached>();

/**
 * The selectors of a decision, or `null` when it has no `labels` claim (reads are not limited by labels).
 * Parsed with Keycard's own write-time rules and cached per claim array; an array changed in place is
 * parsed again.
 * @throws TypeError when the claim is not an array of valid label-policy selectors (fail closed).
 */
export function decisionSelectors(claims: { readonly labels?: readonly string[] | undefined }): DecisionSelectors | null {
  const labels: unknown = claims.labels;
  if (labels === undefined) return null;
  if (!Array.isArray(labels) || !labels.every((s) => typeof s === "string")) {
    throw new TypeError("the decision's labels claim must be an array of selector strings");
  }
  const key = labels.join("\n");
  const hit = cache.get(labels);
  if (hit?.key === key) return hit;
  const selectors = labels.map((text: string, i) => {
    const parsed = validateLabelPolicySelector(text);
    if (!parsed.ok) throw new TypeError(`the decision's selector ${i} is invalid at ${parsed.error.position}: ${parsed.error.message}`);
    return parsed.value;
  });
  const entry: Cached = { key, selectors, compiled: compileSelectors(selectors) };
  cache.set(labels, entry);
  return entry;
}

/** Characters RE2 gives a meaning to; a backslash before each makes a value literal (Go's `regexp.QuoteMeta`). */
const RE2_META = /[\\.+*?()|[\]{}^$]/g;

/**
 * The matchers to AND into every selector of a query, so that it reads only what the decision allows.
 *
 * - One selector: its matchers.
 * - Several selectors (ORed) that each hold exactly one `=` or `=~` matcher on the same label: one `=~`
 *   matcher whose regex is the alternation of theirs, `env=~"dev|(?:staging-.*)"`. RE2 anchors the whole
 *   alternation, so it selects exactly the union; this is prom-label-proxy's form for several values.
 * - Any other set of several selectors is refused (`several_selectors`): an OR of different labels cannot be
 *   written as matchers inside one vector selector, and running the query once per selector would be wrong
 *   for aggregations and joins (series matching two selectors are counted twice, `sum` gives one result per
 *   selector). Origins can still check single series with `mayRead`.
 */
export function injectedMatchers(selectors: readonly Selector[]): Matcher[] {
  const unique = dedupe(selectors);
  if (unique.length === 1) return unique[0]!.matchers.map((m) => ({ ...m }));
  const singles = unique.map((s) => (s.matchers.length === 1 ? s.matchers[0]! : undefined));
  const name = singles[0]?.name;
  const mergeable = singles.every((m) => m !== undefined && m.name === name && (m.op === "=" || m.op === "=~"));
  if (!mergeable || name === undefined) {
    throw new QueryRejectedError(
      "several_selectors",
      `the decision allows ${unique.length} alternative selectors that cannot be merged into one matcher ` +
        "(only single = or =~ matchers on one label can), so the query cannot be limited to them",
    );
  }
  const branches = (singles as Matcher[]).map((m) => (m.op === "=" ? m.value.replace(RE2_META, "\\$&") : `(?:${m.value})`));
  return [{ name, op: "=~", value: branches.join("|") }];
}

function dedupe(selectors: readonly Selector[]): Selector[] {
  const seen = new Map<string, Selector>();
  for (const s of selectors) seen.set(printSelector(s), s);
  return [...seen.values()];
}

/** True when any matcher constrains the metric name. */
export const setsMetricName = (matchers: readonly Matcher[]): boolean => matchers.some((m) => m.name === METRIC_NAME_LABEL);

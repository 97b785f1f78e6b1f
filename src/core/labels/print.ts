/**
 * The canonical text of a selector.
 *
 * Canonical form: matchers keep their written order (order never changes meaning, and keeping it makes
 * `parseSelector(printSelector(s))` give back exactly `s`); each is printed `name<op>"value"` and they are
 * joined by `", "`. A first matcher `__name__="x"`, where `x` is a bare metric identifier and no other
 * matcher names `__name__`, is printed as the prefix `x{…}` (or plain `x` when nothing follows). Label names
 * that are not identifiers are double-quoted; values are always double-quoted with minimal escaping.
 */
import { isLabelIdentifier, isMetricIdentifier, quoteString } from "./strings.ts";
import { METRIC_NAME_LABEL, type Matcher, type Selector } from "./types.ts";

/** Prints a selector in canonical form, e.g. `up{env="dev", team=~"a|b"}` or `{"my.label"!="x"}`. */
export function printSelector(sel: Selector): string {
  const [first, ...rest] = sel.matchers;
  const prefix =
    first !== undefined &&
    first.name === METRIC_NAME_LABEL &&
    first.op === "=" &&
    isMetricIdentifier(first.value) &&
    !rest.some((m) => m.name === METRIC_NAME_LABEL);
  if (!prefix) return `{${sel.matchers.map(printMatcher).join(", ")}}`;
  return rest.length === 0 ? first.value : `${first.value}{${rest.map(printMatcher).join(", ")}}`;
}

function printMatcher(m: Matcher): string {
  return `${isLabelIdentifier(m.name) ? m.name : quoteString(m.name)}${m.op}${quoteString(m.value)}`;
}

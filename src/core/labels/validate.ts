/**
 * Write-time validation of label policies (DESIGN §1): a label policy must parse, and it must limit something.
 * A selector whose matchers all match the empty string is allowed (`{env!="dev"}`), unlike in a Prometheus
 * query, because it still excludes series.
 */
import { err, type Result } from "../result.ts";
import { matchesEveryString, matchesNoString } from "./regex-analysis.ts";
import { parseRegex } from "./regex-parse.ts";
import { parseSelector, skipSpace } from "./parse.ts";
import { selectorError, type Matcher, type Selector, type SelectorError } from "./types.ts";

/**
 * True when the selector provably matches every label set: each matcher is `=~` with a regex matching every
 * string (`.*`, `(.*)`, `^.*$`, `.*|x`, `(?s:.*)`, `[\s\S]*` …) or `!~` with a regex matching none (an empty
 * class such as `[^\x00-\x{10FFFF}]`). `=` and `!=` always limit something (`{env!=""}` needs `env` set).
 * The check is conservative: a selector it cannot see through counts as limiting. `{}` matches everything.
 */
export function matchesEverything(sel: Selector): boolean {
  return sel.matchers.every(unlimited);
}

function unlimited(m: Matcher): boolean {
  if (m.op !== "=~" && m.op !== "!~") return false;
  const parsed = parseRegex(m.value);
  if (!parsed.ok) return false;
  return m.op === "=~" ? matchesEveryString(parsed.value) : matchesNoString(parsed.value);
}

/**
 * Validates the selector of a label policy: {@link parseSelector}, then refuses `{}` (`selector_empty`) and
 * selectors that would not limit anything (`selector_matches_everything`). Both point at the selector start.
 */
export function validateLabelPolicySelector(text: string): Result<Selector, SelectorError> {
  const parsed = parseSelector(text);
  if (!parsed.ok) return parsed;
  const at = skipSpace(text, 0);
  if (parsed.value.matchers.length === 0) {
    return err(selectorError("selector_empty", "selector has no matchers; a label policy must limit something", at));
  }
  if (matchesEverything(parsed.value)) {
    return err(selectorError("selector_matches_everything", "selector matches every series, so it would not limit anything", at));
  }
  return parsed;
}

/**
 * Label policies as Prometheus series selectors (DESIGN §1). Pure: text in, `Result` out; compile once,
 * match many.
 *
 * ```ts
 * const parsed = validateLabelPolicySelector('{env="dev", team=~"a|b"}'); // at policy write time
 * if (parsed.ok) anySelectorMatches(compileSelectors([parsed.value]), { env: "dev", team: "a" }); // true
 * ```
 */
export {
  MAX_REGEX_LENGTH,
  MAX_SELECTOR_LENGTH,
  METRIC_NAME_LABEL,
  type MatchOp,
  type Matcher,
  type Selector,
  type SelectorError,
  type SelectorErrorCode,
} from "./types.ts";
export { parseSelector } from "./parse.ts";
export { printSelector } from "./print.ts";
export {
  anySelectorMatches,
  compileSelector,
  compileSelectors,
  selectorMatches,
  type CompiledMatcher,
  type CompiledSelector,
  type LabelSet,
} from "./match.ts";
export { matchesEverything, validateLabelPolicySelector } from "./validate.ts";

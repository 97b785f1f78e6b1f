/**
 * The data shapes of label policies (DESIGN §1): Prometheus series selectors as a syntax tree,
 * and the errors that point at the fault in the text a policy author wrote.
 */

/** A label matching operator: equality, inequality, regex match, regex non-match. */
export type MatchOp = "=" | "!=" | "=~" | "!~";

/** One label matcher. A missing label compares as the empty string. */
export type Matcher = { name: string; op: MatchOp; value: string };

/**
 * A series selector: matchers that must all hold. A metric name written before the braces is
 * stored as a `__name__ = "x"` matcher, so the tree has a single form.
 */
export type Selector = { matchers: Matcher[] };

/** Every stable code a selector can be rejected with. */
export type SelectorErrorCode =
  | "selector_syntax"
  | "selector_empty"
  | "selector_too_long"
  | "selector_matches_everything"
  | "regex_invalid"
  | "regex_unsupported"
  | "regex_too_long"
  | "regex_catastrophic";

/**
 * Why a selector was rejected. `position` is the 0-based offset of the fault in the input text,
 * counted in UTF-16 code units (a JavaScript string index).
 */
export type SelectorError = { code: SelectorErrorCode; message: string; position: number };

/** The label holding the metric name. */
export const METRIC_NAME_LABEL = "__name__";

/** The longest selector text accepted, in UTF-16 code units. Longer input is refused unread. */
export const MAX_SELECTOR_LENGTH = 4096;

/** The longest regex accepted in a `=~` or `!~` matcher, in UTF-16 code units after unquoting. */
export const MAX_REGEX_LENGTH = 1024;

/** Builds a {@link SelectorError}. */
export const selectorError = (code: SelectorErrorCode, message: string, position: number): SelectorError => ({
  code,
  message,
  position,
});

/**
 * The Prometheus series-selector parser: `metric{label="v", "utf8.label"=~"re", …}`.
 *
 * Grammar (Prometheus 3), with whitespace (space, tab, CR, LF) allowed between tokens:
 * ```
 * selector := metric [ "{" list "}" ] | "{" list "}"
 * list     := [ item { "," item } [ "," ] ]
 * item     := name op string | string            (a lone string is the metric name, as in {"my.metric"})
 * name     := [a-zA-Z_][a-zA-Z0-9_]* | string
 * metric   := [a-zA-Z_:][a-zA-Z0-9_:]*           (not a PromQL keyword such as `or` or `sum`)
 * op       := "=" | "!=" | "=~" | "!~"
 * ```
 * A metric name before the braces, or a lone string inside them, becomes a `__name__ = "…"` matcher at its
 * place in the text. A name may not be set both before the braces and by a `__name__` matcher. PromQL
 * comments (`# …`) are not accepted. Regex values are checked here, so every parsed selector compiles.
 */
import { err, ok, type Result } from "../result.ts";
import { checkRegex } from "./regex-compile.ts";
import { isIdentPart, isIdentStart, isKeyword, isQuote, readString, type StringLiteral } from "./strings.ts";
import {
  MAX_REGEX_LENGTH, MAX_SELECTOR_LENGTH, METRIC_NAME_LABEL, selectorError,
  type MatchOp, type Matcher, type Selector, type SelectorError,
} from "./types.ts";

/**
 * Parses a series selector. Never throws: every fault is an error with a stable `code` and the `position` of
 * the fault. Text longer than {@link MAX_SELECTOR_LENGTH} is refused before it is read. Regex values
 * (`=~`, `!~`) must be RE2 that JavaScript runs with the same meaning, at most {@link MAX_REGEX_LENGTH} long,
 * and free of catastrophic backtracking; such faults point into the regex where the text allows.
 */
export function parseSelector(text: string): Result<Selector, SelectorError> {
  if (text.length > MAX_SELECTOR_LENGTH) {
    return err(selectorError("selector_too_long", `selector is longer than ${MAX_SELECTOR_LENGTH} characters`, MAX_SELECTOR_LENGTH));
  }
  let pos = skipSpace(text, 0);
  if (pos === text.length) return err(selectorError("selector_empty", "selector is empty", 0));
  const matchers: Matcher[] = [];
  const hasPrefix = isIdentStart(text[pos], true);
  if (hasPrefix) {
    const start = pos;
    while (isIdentPart(text[pos], true)) pos++;
    const name = text.slice(start, pos);
    if (isKeyword(name)) {
      return err(syntax(`"${name}" is a PromQL keyword and cannot be a bare metric name; write {__name__="${name}"}`, start));
    }
    matchers.push({ name: METRIC_NAME_LABEL, op: "=", value: name });
    pos = skipSpace(text, pos);
    if (pos === text.length) return ok({ matchers });
  }
  if (text[pos] !== "{") return err(unexpected(text, pos, hasPrefix ? "'{' or the end" : "a metric name or '{'"));
  pos = skipSpace(text, pos + 1);
  while (text[pos] !== "}") {
    const item = readMatcher(text, pos);
    if (!item.ok) return item;
    if (hasPrefix && item.value.matcher.name === METRIC_NAME_LABEL) {
      return err(syntax("metric name must not be set twice", item.value.at));
    }
    matchers.push(item.value.matcher);
    pos = skipSpace(text, item.value.end);
    if (text[pos] === ",") pos = skipSpace(text, pos + 1);
    else if (text[pos] !== "}") return err(unexpected(text, pos, "',' or '}'"));
  }
  pos = skipSpace(text, pos + 1);
  if (pos < text.length) return err(unexpected(text, pos, "the end of the selector"));
  return ok({ matchers });
}

type Item = { matcher: Matcher; at: number; end: number };

function readMatcher(text: string, at: number): Result<Item, SelectorError> {
  let name: string;
  let pos = at;
  if (isQuote(text[pos])) {
    const literal = readString(text, pos);
    if (!literal.ok) return literal;
    name = literal.value.value;
    pos = skipSpace(text, literal.value.end);
    if (text[pos] === "," || text[pos] === "}") {
      if (name === "") return err(syntax("metric name must not be empty", at));
      return ok({ matcher: { name: METRIC_NAME_LABEL, op: "=", value: name }, at, end: literal.value.end });
    }
  } else if (isIdentStart(text[pos], false)) {
    while (isIdentPart(text[pos], false)) pos++;
    name = text.slice(at, pos);
    pos = skipSpace(text, pos);
  } else {
    return err(unexpected(text, pos, "a label name"));
  }
  if (name === "") return err(syntax("label name must not be empty", at));
  const op = readOp(text, pos);
  if (!op) return err(unexpected(text, pos, "one of =, !=, =~, !~"));
  pos = skipSpace(text, pos + op.length);
  if (!isQuote(text[pos])) return err(unexpected(text, pos, "a quoted string"));
  const value = readString(text, pos);
  if (!value.ok) return value;
  if (op === "=~" || op === "!~") {
    const fault = regexFault(value.value, pos);
    if (fault) return err(fault);
  }
  return ok({ matcher: { name, op, value: value.value.value }, at, end: value.value.end });
}

function readOp(text: string, pos: number): MatchOp | undefined {
  const two = text.slice(pos, pos + 2);
  if (two === "=~" || two === "!=" || two === "!~") return two;
  return text[pos] === "=" ? "=" : undefined;
}

function regexFault(literal: StringLiteral, quoteAt: number): SelectorError | undefined {
  if (literal.value.length > MAX_REGEX_LENGTH) {
    return selectorError("regex_too_long", `regex is longer than ${MAX_REGEX_LENGTH} characters`, quoteAt);
  }
  const checked = checkRegex(literal.value);
  if (checked.ok) return undefined;
  const { code, message, index } = checked.error;
  return selectorError(code, message, literal.offsets[index] ?? quoteAt);
}

/** The index of the first non-whitespace character at or after `pos`. */
export function skipSpace(text: string, pos: number): number {
  let i = pos;
  while (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r") i++;
  return i;
}

function unexpected(text: string, pos: number, expected: string): SelectorError {
  if (pos >= text.length) return syntax(`unexpected end of input, expected ${expected}`, pos);
  const found = String.fromCodePoint(text.codePointAt(pos)!);
  return syntax(`unexpected ${JSON.stringify(found)}, expected ${expected}`, pos);
}

function syntax(message: string, position: number): SelectorError {
  return selectorError("selector_syntax", message, position);
}

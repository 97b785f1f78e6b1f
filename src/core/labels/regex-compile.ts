/**
 * Turns an RE2 regex from a label matcher into a JavaScript `RegExp` with the same meaning.
 *
 * Prometheus compiles `=~` values as `^(?s:<value>)$` with Go's RE2. Keycard re-emits the parsed tree instead
 * of reusing the text, so every construct means what RE2 means:
 * - the result is `^(?:…)$` with flags `su` (plus `i` after a leading `(?i)`): fully anchored, `.` matches
 *   newlines (`s`, like Prometheus 3), and matching is by code point (`u`, like Go's UTF-8 matching);
 * - `\d \s \w` and POSIX classes become explicit ASCII ranges (JavaScript's `\s` is wider than RE2's);
 * - `\A \z` become `^ $` (no `m` flag, so they anchor the whole value); named groups become plain groups;
 * - literals are emitted as `\u{…}` escapes, so no RE2 text is ever spliced into a JavaScript pattern.
 */
import { err, ok, type Result } from "../result.ts";
import { findCatastrophe } from "./regex-analysis.ts";
import type { ClassItem, ParsedRegex, RegexFault, RegexNode } from "./regex-ast.ts";
import { parseRegex } from "./regex-parse.ts";

/** A regex that passed every check: its tree (for static reasoning) and the compiled, fully anchored matcher. */
export type CheckedRegex = { parsed: ParsedRegex; regex: RegExp };

/**
 * Parses, checks and compiles a label-matcher regex. Refuses RE2 syntax JavaScript would read differently
 * (`regex_unsupported`), invalid RE2 (`regex_invalid`) and shapes that could backtrack catastrophically
 * (`regex_catastrophic`). `index` in a fault is an offset into `source`.
 */
export function checkRegex(source: string): Result<CheckedRegex, RegexFault> {
  const parsed = parseRegex(source);
  if (!parsed.ok) return parsed;
  const catastrophe = findCatastrophe(parsed.value);
  if (catastrophe) return err(catastrophe);
  try {
    const flags = parsed.value.ignoreCase ? "isu" : "su";
    return ok({ parsed: parsed.value, regex: new RegExp(`^(?:${emit(parsed.value.root)})$`, flags) });
  } catch (e) {
    return err({ code: "regex_invalid", message: `regex cannot be compiled: ${String(e)}`, index: 0 });
  }
}

/** The JavaScript pattern (without anchors or flags) equivalent to an RE2 tree. */
export function emit(node: RegexNode): string {
  switch (node.kind) {
    case "empty":
      return "";
    case "literal":
      return char(node.cp);
    case "any":
      return ".";
    case "class":
      return `[${node.negated ? "^" : ""}${node.items.map(classItem).join("")}]`;
    case "assert":
      return { begin: "^", end: "$", word: "\\b", nonword: "\\B" }[node.what];
    case "group":
      return `(?:${emit(node.body)})`;
    case "concat":
      return node.items.map(emit).join("");
    case "alt":
      return `(?:${node.branches.map(emit).join("|")})`;
    case "repeat":
      return `(?:${emit(node.body)})${quantifier(node.min, node.max)}${node.lazy ? "?" : ""}`;
  }
}

function quantifier(min: number, max: number): string {
  if (max === Infinity) return min === 0 ? "*" : min === 1 ? "+" : `{${min},}`;
  if (min === 0 && max === 1) return "?";
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

function classItem(item: ClassItem): string {
  if (item.kind === "property") return `${item.negated ? "\\P" : "\\p"}{${item.property}}`;
  return item.lo === item.hi ? char(item.lo) : `${char(item.lo)}-${char(item.hi)}`;
}

function char(cp: number): string {
  return /^[A-Za-z0-9]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\u{${cp.toString(16)}}`;
}

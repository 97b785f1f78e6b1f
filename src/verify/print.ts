/**
 * Printing the decision's matchers into a query, and reading string literals of a query, with the selector
 * library's Go-style lexer so that what the helper reads as one string is what Prometheus and Loki read.
 */
import type { Matcher } from "../core/labels/index.ts";
import { isLabelIdentifier, quoteString, readString } from "../core/labels/strings.ts";
import { QueryRejectedError } from "./errors.ts";

/** One matcher in canonical form, `name<op>"value"`; a label name that is not an identifier is quoted (Prometheus 3). */
export function printMatcher(m: Matcher): string {
  return `${isLabelIdentifier(m.name) ? m.name : quoteString(m.name)}${m.op}${quoteString(m.value)}`;
}

/** True for a label name that can be written unquoted. */
export { isLabelIdentifier };

/**
 * Checks that the string literal starting at `from` ends exactly at `to` and is well formed: a closing quote,
 * Go escapes only, valid UTF-8, no raw line break inside `"…"` or `'…'`.
 * @throws {QueryRejectedError} `query_syntax` at the fault.
 */
export function checkStringLiteral(query: string, from: number, to: number): void {
  const read = readString(query, from);
  if (!read.ok) throw new QueryRejectedError("query_syntax", read.error.message, read.error.position);
  if (read.value.end !== to) throw new QueryRejectedError("query_syntax", "malformed string literal", from);
}

/**
 * Reads the string literal whose opening quote is at `from` and returns the offset just past it.
 * @throws {QueryRejectedError} `query_syntax` at the fault.
 */
export function skipStringLiteral(query: string, from: number): number {
  const read = readString(query, from);
  if (!read.ok) throw new QueryRejectedError("query_syntax", read.error.message, read.error.position);
  return read.value.end;
}

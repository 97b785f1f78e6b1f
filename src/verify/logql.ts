/**
 * Enforcing a decision on a LogQL query. LogQL reads log streams only through stream selectors `{…}`; the
 * braces appear nowhere else in its grammar (templates live inside strings). So a lexer that agrees with
 * Loki's on strings, ranges and comments finds every selector, and each one is rewritten from its tokens:
 * `{<decision matchers>, <user matchers>}`. Pipelines, range aggregations and binary operations around the
 * selectors are copied byte for byte.
 *
 * The lexer is strict where Loki's (Go `text/scanner` plus its own rules) could read text differently:
 * - strings are `"…"` (Go escapes, no raw line break) or `` `…` ``; single quotes are refused (Go reads them
 *   as character literals);
 * - comments (`#`, `//`, `/*`) are refused, since a comment could hide or reveal a brace;
 * - `[…]` must hold a plain duration such as `5m` or `1h30m` (Loki reads the brackets raw);
 * - characters outside the LogQL alphabet are refused;
 * - a name followed by `(` must be a LogQL function, aggregation or keyword this module knows.
 * A selector must be `{name op "value", …}` with at least one matcher and no trailing comma, as in Loki.
 */
import type { Matcher } from "../core/labels/index.ts";
import { QueryRejectedError } from "./errors.ts";
import { isLabelIdentifier, printMatcher, skipStringLiteral } from "./print.ts";

/** Names that may be followed by `(`: range and vector aggregations, conversions, `ip()`, and grouping keywords. */
const CALLABLE: ReadonlySet<string> = new Set(
  ("rate rate_counter count_over_time bytes_rate bytes_over_time avg_over_time sum_over_time min_over_time " +
    "max_over_time stdvar_over_time stddev_over_time quantile_over_time first_over_time last_over_time " +
    "absent_over_time vector sum avg max min count stddev stdvar bottomk topk approx_topk sort sort_desc " +
    "label_replace bytes duration duration_seconds ip by without on ignoring group_left group_right " +
    "and or unless bool").split(" "),
);

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{Nd}_]/u;
const NUMBER_PART = /[0-9A-Za-z_.µ]/;
const DURATION = /^(?:[0-9]+(?:ms|[smhdwy]))+$/;
const SPACE = new Set([" ", "\t", "\n", "\r"]);
const OPERATORS = ["|=", "|~", "|>", "!=", "!~", "!>", "=~", "==", ">=", "<=", "|", "=", ">", "<", "+", "-", "*", "/", "%", "^", ",", "(", ")", "."];

type Token = { kind: "ident" | "string" | "number" | "op" | "range"; text: string; from: number; to: number };
type Selector = { from: number; to: number; matchers: string[] };

/**
 * Returns `query` with `inject` ANDed into every stream selector.
 * @throws {QueryRejectedError} `query_syntax`, `query_unsupported` or `label_not_expressible`, with a position.
 */
export function enforceLogql(query: string, inject: readonly Matcher[]): string {
  if (inject.some((m) => !isLabelIdentifier(m.name))) {
    throw new QueryRejectedError("label_not_expressible", "the decision limits a label whose name LogQL cannot write (a quoted UTF-8 name)");
  }
  const printed = inject.map(printMatcher);
  const selectors = findSelectors(query);
  let out = "";
  let at = 0;
  for (const s of selectors) {
    out += `${query.slice(at, s.from)}{${[...printed, ...s.matchers].join(", ")}}`;
    at = s.to;
  }
  out += query.slice(at);
  const again = findSelectors(out);
  const head = printed.join(", ");
  if (again.length !== selectors.length || again.some((s) => s.matchers.slice(0, printed.length).join(", ") !== head)) {
    throw new QueryRejectedError("query_unsupported", "the query could not be rewritten safely");
  }
  return out;
}

/** Lexes the whole query and returns its stream selectors, in text order. */
function findSelectors(query: string): Selector[] {
  const tokens: Token[] = [];
  const selectors: Selector[] = [];
  let pos = 0;
  for (;;) {
    while (SPACE.has(query[pos] ?? "")) pos++;
    if (pos >= query.length) break;
    if (query[pos] === "{") {
      const sel = readSelector(query, pos);
      selectors.push(sel);
      tokens.push({ kind: "op", text: "{}", from: sel.from, to: sel.to });
      pos = sel.to;
      continue;
    }
    const token = readToken(query, pos);
    tokens.push(token);
    pos = token.to;
  }
  checkCalls(tokens);
  return selectors;
}

function readToken(query: string, pos: number): Token {
  const c = query[pos]!;
  if (c === '"' || c === "`") return { kind: "string", text: "", from: pos, to: skipStringLiteral(query, pos) };
  if (c === "'") throw new QueryRejectedError("query_unsupported", "single-quoted strings are not LogQL; use \"…\" or `…`", pos);
  if (c === "#" || query.startsWith("//", pos) || query.startsWith("/*", pos)) {
    throw new QueryRejectedError("query_unsupported", "comments are not supported in LogQL queries", pos);
  }
  if (c === "}") throw new QueryRejectedError("query_syntax", "unexpected \"}\"", pos);
  if (c === "]") throw new QueryRejectedError("query_syntax", "unexpected \"]\"", pos);
  if (c === "[") {
    const close = query.indexOf("]", pos + 1);
    if (close < 0) throw new QueryRejectedError("query_syntax", "missing closing \"]\"", pos);
    const text = query.slice(pos + 1, close);
    if (!DURATION.test(text)) throw new QueryRejectedError("query_syntax", `${JSON.stringify(text)} is not a duration`, pos + 1);
    return { kind: "range", text, from: pos, to: close + 1 };
  }
  const cp = String.fromCodePoint(query.codePointAt(pos)!);
  if (IDENT_START.test(cp)) {
    const to = scan(query, pos, IDENT_PART);
    return { kind: "ident", text: query.slice(pos, to), from: pos, to };
  }
  if (/[0-9]/.test(c)) return { kind: "number", text: "", from: pos, to: scan(query, pos, NUMBER_PART) };
  const op = OPERATORS.find((o) => query.startsWith(o, pos));
  if (op === undefined) throw new QueryRejectedError("query_syntax", `unexpected ${JSON.stringify(cp)}`, pos);
  return { kind: "op", text: op, from: pos, to: pos + op.length };
}

function scan(query: string, from: number, part: RegExp): number {
  let pos = from;
  while (pos < query.length) {
    const cp = String.fromCodePoint(query.codePointAt(pos)!);
    if (!part.test(cp)) break;
    pos += cp.length;
  }
  return pos;
}

/** Reads `{name op "value", …}` starting at the brace. */
function readSelector(query: string, from: number): Selector {
  const matchers: string[] = [];
  let pos = from + 1;
  for (;;) {
    pos = skipSpace(query, pos);
    const nameAt = pos;
    if (!IDENT_START.test(query[pos] ?? "")) throw new QueryRejectedError("query_syntax", "expected a label name", pos);
    pos = scan(query, pos, IDENT_PART);
    const name = query.slice(nameAt, pos);
    if (!isLabelIdentifier(name)) throw new QueryRejectedError("query_syntax", `invalid label name ${JSON.stringify(name)}`, nameAt);
    pos = skipSpace(query, pos);
    const op = ["=~", "!~", "!=", "="].find((o) => query.startsWith(o, pos));
    if (op === undefined) throw new QueryRejectedError("query_syntax", "expected one of =, !=, =~, !~", pos);
    pos = skipSpace(query, pos + op.length);
    const quote = query[pos];
    if (quote !== '"' && quote !== "`") throw new QueryRejectedError("query_syntax", "expected a \"…\" or `…` string", pos);
    const end = skipStringLiteral(query, pos);
    matchers.push(`${name}${op}${query.slice(pos, end)}`);
    pos = skipSpace(query, end);
    if (query[pos] === "}") return { from, to: pos + 1, matchers };
    if (query[pos] !== ",") throw new QueryRejectedError("query_syntax", "expected \",\" or \"}\"", pos);
    pos++;
  }
}

function skipSpace(query: string, from: number): number {
  let pos = from;
  while (SPACE.has(query[pos] ?? "")) pos++;
  return pos;
}

/** A name directly followed by `(` must be a known function, aggregation or keyword. */
function checkCalls(tokens: readonly Token[]): void {
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if (t.kind !== "ident" || next?.kind !== "op" || next.text !== "(") return;
    if (!CALLABLE.has(t.text.toLowerCase())) {
      throw new QueryRejectedError("query_unsupported", `${t.text}(…) is not supported`, t.from);
    }
  });
}

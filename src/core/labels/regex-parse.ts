/**
 * A parser for the RE2 syntax Prometheus accepts (Go `regexp/syntax` with Perl flags). It keeps what RE2 and
 * JavaScript can both run with the same meaning and refuses the rest with a stable code:
 * - `regex_unsupported`: lookarounds, backreferences (`\1`, `\k<n>`, `(?P=n)`), atomic groups, possessive
 *   quantifiers, `\Q…\E`, comments, conditionals, and flags other than a leading `(?i)` (and `(?s)`, a no-op
 *   because `.` already matches newlines, as in Prometheus 3).
 * - `regex_invalid`: anything RE2 itself rejects (unbalanced brackets, bad escapes, repeat counts over 1000).
 * Named groups are accepted in both Go spellings, `(?P<name>…)` and `(?<name>…)`, and matched as plain groups.
 */
import { err, ok, type Result } from "../result.ts";
import { Refusal, children, refuse, type ParsedRegex, type RegexFault, type RegexNode, type Scanner } from "./regex-ast.ts";
import { nextCodePoint, readBracket, readEscapeAtom } from "./regex-escapes.ts";

const MAX_REPEAT = 1000;
const MAX_DEPTH = 200;

type Quantifier = { min: number; max: number; lazy: boolean; at: number };

/** Parses an RE2 regex into a tree, or explains (with an offset into `src`) why it is refused. */
export function parseRegex(src: string): Result<ParsedRegex, RegexFault> {
  try {
    const lead = /^\(\?([is]+)\)/.exec(src);
    const state: ParserState = { src, pos: lead ? lead[0].length : 0, depth: 0, names: new Set() };
    const root = alternation(state);
    if (state.pos < src.length) refuse("regex_invalid", "unexpected )", state.pos);
    const oversized = oversizedRepeat(root, MAX_REPEAT);
    if (oversized) return err({ code: "regex_invalid", message: "invalid repeat count", index: oversized.at });
    return ok({ root, ignoreCase: lead?.[1]?.includes("i") ?? false });
  } catch (e) {
    if (e instanceof Refusal) return err(e.fault);
    throw e;
  }
}

type ParserState = Scanner & { depth: number; names: Set<string> };

/** Mirrors Go's `repeatIsValid`: nested repeat counts may not multiply beyond `limit`. */
function oversizedRepeat(node: RegexNode, limit: number): RegexNode | undefined {
  let n = limit;
  if (node.kind === "repeat") {
    const m = node.max === Infinity ? node.min : node.max;
    if (m > n) return node;
    if (m > 0) n = Math.floor(n / m);
  }
  for (const child of children(node)) {
    const bad = oversizedRepeat(child, n);
    if (bad) return bad;
  }
  return undefined;
}

function alternation(s: ParserState): RegexNode {
  const at = s.pos;
  const branches = [concatenation(s)];
  while (s.src[s.pos] === "|") {
    s.pos++;
    branches.push(concatenation(s));
  }
  return branches.length === 1 ? branches[0]! : { kind: "alt", branches, at };
}

function concatenation(s: ParserState): RegexNode {
  const at = s.pos;
  const items: RegexNode[] = [];
  for (let c = s.src[s.pos]; c !== undefined && c !== "|" && c !== ")"; c = s.src[s.pos]) {
    const atom = readAtom(s);
    if (atom === undefined) {
      if (quantifier(s, false)) refuse("regex_invalid", "missing argument to repetition operator", s.pos);
      continue;
    }
    const q = quantifier(s, true);
    if (!q) {
      items.push(atom);
      continue;
    }
    const stacked = quantifier(s, false);
    if (stacked && s.src[s.pos] === "+") refuse("regex_unsupported", "possessive quantifiers are not supported", s.pos);
    if (stacked) refuse("regex_invalid", "invalid nested repetition operator", s.pos);
    items.push({ kind: "repeat", body: atom, ...q });
  }
  if (items.length === 0) return { kind: "empty", at };
  return items.length === 1 ? items[0]! : { kind: "concat", items, at };
}

/** Reads (or, with `consume` false, only recognises) a quantifier at the cursor. */
function quantifier(s: Scanner, consume: boolean): Quantifier | undefined {
  const at = s.pos;
  const c = s.src[at];
  let [min, max, end] = [0, Infinity, at + 1];
  if (c === "+") min = 1;
  else if (c === "?") max = 1;
  else if (c === "{") {
    const braces = /\{(\d+)(?:(,)(\d*))?\}/y;
    braces.lastIndex = at;
    const m = braces.exec(s.src);
    if (!m) return undefined;
    min = Number(m[1]);
    max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    end = at + m[0].length;
    if (consume && (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || min > max)))) {
      refuse("regex_invalid", "invalid repeat count", at);
    }
  } else if (c !== "*") return undefined;
  const lazy = s.src[end] === "?";
  if (consume) s.pos = end + (lazy ? 1 : 0);
  return { min, max, lazy, at };
}

function readAtom(s: ParserState): RegexNode | undefined {
  const at = s.pos;
  const c = s.src[at]!;
  if (c === "(") return readGroup(s);
  if (c === "[") return readBracket(s);
  if (c === "\\") return readEscapeAtom(s);
  if (c === "." || c === "^" || c === "$") {
    s.pos++;
    return c === "." ? { kind: "any", at } : { kind: "assert", what: c === "^" ? "begin" : "end", at };
  }
  if ("*+?".includes(c) || (c === "{" && quantifier(s, false))) {
    refuse("regex_invalid", "missing argument to repetition operator", at);
  }
  return { kind: "literal", cp: nextCodePoint(s), at };
}

const REFUSED_GROUPS: ReadonlyArray<readonly [string[], string]> = [
  [["<=", "<!"], "lookbehind assertions are not supported"],
  [["=", "!"], "lookahead assertions are not supported"],
  [[">"], "atomic groups are not supported"],
  [["P=", "P>", "&"], "backreferences and recursion are not supported"],
  [["#", "(", "|", "'"], "this group syntax is not supported"],
];

/** Reads a group; returns `undefined` for a flag group such as `(?s)` that only sets flags. */
function readGroup(s: ParserState): RegexNode | undefined {
  const at = s.pos;
  if (!s.src.startsWith("(?", at)) {
    s.pos++;
    return groupBody(s, at);
  }
  const rest = s.src.slice(at + 2, at + 4);
  for (const [prefixes, message] of REFUSED_GROUPS) {
    if (prefixes.some((p) => rest.startsWith(p))) refuse("regex_unsupported", message, at);
  }
  if (rest.startsWith(":")) {
    s.pos = at + 3;
    return groupBody(s, at);
  }
  if (rest.startsWith("P<") || rest.startsWith("<")) {
    const named = /([A-Za-z0-9_]+)>/y;
    named.lastIndex = at + (rest.startsWith("P") ? 4 : 3);
    const m = named.exec(s.src);
    if (!m) return refuse("regex_invalid", "invalid named capture", at);
    if (s.names.has(m[1]!)) refuse("regex_invalid", `duplicate capture group name ${m[1]}`, at);
    s.names.add(m[1]!);
    s.pos = named.lastIndex;
    return groupBody(s, at);
  }
  const flags = /\(\?([^:)]*)([:)])/y;
  flags.lastIndex = at;
  const m = flags.exec(s.src);
  if (!m || !/^(?:[imsU]+|[imsU]*-[imsU]+)$/.test(m[1]!)) {
    return refuse("regex_invalid", "invalid or unsupported Perl syntax", at);
  }
  if (!/^s+$/.test(m[1]!)) refuse("regex_unsupported", "flags are not supported, except a leading (?i) and (?s)", at);
  s.pos = flags.lastIndex;
  return m[2] === ")" ? undefined : groupBody(s, at);
}

function groupBody(s: ParserState, at: number): RegexNode {
  if (++s.depth > MAX_DEPTH) refuse("regex_invalid", "expression nests too deeply", at);
  const body = alternation(s);
  if (s.src[s.pos] !== ")") refuse("regex_invalid", "missing closing )", at);
  s.pos++;
  s.depth--;
  return { kind: "group", body, at };
}

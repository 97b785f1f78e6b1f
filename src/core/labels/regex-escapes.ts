/**
 * RE2 escapes and character classes: `\n`, `\x{263a}`, `\123`, `\d \s \w`, `\pL \p{Greek}`, `[a-z[:digit:]]`.
 * Perl and POSIX classes are ASCII in RE2, so they become explicit ranges; Unicode classes stay properties.
 */
import {
  MAX_CODE_POINT, complement, refuse,
  type ClassItem, type RegexNode, type Scanner,
} from "./regex-ast.ts";

type Ranges = ReadonlyArray<readonly [number, number]>;
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const PERL: Readonly<Record<string, Ranges>> = { d: [[0x30, 0x39]], s: [[9, 10], [12, 13], [32, 32]], w: WORD };
const POSIX: Readonly<Record<string, Ranges>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]], alpha: [[0x41, 0x5a], [0x61, 0x7a]], ascii: [[0, 0x7f]],
  blank: [[9, 9], [32, 32]], cntrl: [[0, 0x1f], [0x7f, 0x7f]], digit: [[0x30, 0x39]], graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]], print: [[0x20, 0x7e]], punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[9, 13], [32, 32]], upper: [[0x41, 0x5a]], word: WORD, xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
const CATEGORIES: ReadonlySet<string> = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
const SCRIPT_NAME = /^[A-Z][A-Za-z]*(?:_[A-Z][A-Za-z]*)*$/;
const ASSERTIONS: Readonly<Record<string, "begin" | "end" | "word" | "nonword">> = { A: "begin", z: "end", b: "word", B: "nonword" };

/** Reads one code point, as is. */
export function nextCodePoint(s: Scanner): number {
  const cp = s.src.codePointAt(s.pos)!;
  s.pos += cp > 0xffff ? 2 : 1;
  return cp;
}

/** Reads an escape outside brackets: a class (`\d`, `\pL`), an assertion (`\b`, `\A`), or one code point. */
export function readEscapeAtom(s: Scanner): RegexNode {
  const at = s.pos;
  const e = s.src[at + 1] ?? "";
  if (e !== "" && "dDsSwWpP".includes(e)) return { kind: "class", negated: false, items: readClassEscape(s), at };
  const what = ASSERTIONS[e];
  if (what) {
    s.pos += 2;
    return { kind: "assert", what, at };
  }
  return { kind: "literal", cp: readEscapeChar(s), at };
}

/** Reads a bracketed class `[…]` or `[^…]`; a `]` right after the opening is a literal, as in RE2. */
export function readBracket(s: Scanner): RegexNode {
  const at = s.pos++;
  const negated = s.src[s.pos] === "^";
  if (negated) s.pos++;
  const items: ClassItem[] = [];
  for (let first = true; first || s.src[s.pos] !== "]"; first = false) {
    const itemAt = s.pos;
    const c = s.src[itemAt];
    if (c === undefined) refuse("regex_invalid", "missing closing ]", at);
    const close = c === "[" && s.src[itemAt + 1] === ":" ? s.src.indexOf(":]", itemAt + 2) : -1;
    if (close >= 0) {
      const name = s.src.slice(itemAt + 2, close);
      const ranges = POSIX[name.replace(/^\^/, "")];
      if (!ranges) refuse("regex_invalid", `invalid character class [:${name}:]`, itemAt);
      items.push(...rangeItems(name.startsWith("^") ? complement(ranges) : ranges));
      s.pos = close + 2;
      continue;
    }
    if (c === "\\" && "dDsSwWpP".includes(s.src[itemAt + 1] ?? "_")) {
      items.push(...readClassEscape(s));
      continue;
    }
    const lo = readClassChar(s);
    const next = s.src[s.pos + 1];
    if (s.src[s.pos] === "-" && next !== undefined && next !== "]") {
      s.pos++;
      const hi = readClassChar(s);
      if (hi < lo) refuse("regex_invalid", "invalid character class range", itemAt);
      items.push({ kind: "range", lo, hi });
    } else items.push({ kind: "range", lo, hi: lo });
  }
  s.pos++;
  return { kind: "class", negated, items, at };
}

function readClassChar(s: Scanner): number {
  return s.src[s.pos] === "\\" ? readEscapeChar(s) : nextCodePoint(s);
}

/** Reads `\d \D \s \S \w \W` (ASCII, as in RE2) or a Unicode class `\pL`, `\p{Greek}`, `\P{^Lu}`, `\p{Any}`. */
function readClassEscape(s: Scanner): ClassItem[] {
  const at = s.pos;
  const e = s.src[at + 1]!;
  if (e !== "p" && e !== "P") {
    s.pos += 2;
    const ranges = PERL[e.toLowerCase()]!;
    return rangeItems(e === e.toUpperCase() ? complement(ranges) : ranges);
  }
  let negated = e === "P";
  let name: string;
  if (s.src[at + 2] === "{") {
    const close = s.src.indexOf("}", at + 3);
    if (close < 0) refuse("regex_invalid", "invalid Unicode class", at);
    name = s.src.slice(at + 3, close);
    s.pos = close + 1;
  } else {
    s.pos = at + 2;
    if (s.pos >= s.src.length) refuse("regex_invalid", "invalid Unicode class", at);
    name = String.fromCodePoint(nextCodePoint(s));
  }
  if (name.startsWith("^")) [negated, name] = [!negated, name.slice(1)];
  if (name === "Any") return negated ? [] : [{ kind: "range", lo: 0, hi: MAX_CODE_POINT }];
  if (CATEGORIES.has(name)) return [{ kind: "property", negated, property: name }];
  if (SCRIPT_NAME.test(name) && isScript(name)) return [{ kind: "property", negated, property: `Script=${name}` }];
  return refuse("regex_invalid", `unknown Unicode class ${name}`, at);
}

/** Reads an escape that stands for one code point: `\n`, `\x41`, `\x{1F600}`, `\101`, `\.`. */
export function readEscapeChar(s: Scanner): number {
  const at = s.pos;
  const e = s.src[at + 1];
  if (e === undefined) return refuse("regex_invalid", "trailing backslash at end of expression", at);
  if (e === "0" || (/[1-7]/.test(e) && /[0-7]/.test(s.src[at + 2] ?? ""))) {
    let j = at + 1;
    let value = 0;
    while (j < at + 4 && /[0-7]/.test(s.src[j] ?? "")) value = value * 8 + Number(s.src[j++]);
    s.pos = j;
    return value;
  }
  if (/[1-9]/.test(e) || e === "k" || e === "g") return refuse("regex_unsupported", "backreferences are not supported", at);
  if (e === "Q" || e === "E") return refuse("regex_unsupported", "\\Q…\\E quoting is not supported", at);
  if (e === "x") return readHexEscape(s);
  const simple = SIMPLE_ESCAPES[e];
  const code = e.charCodeAt(0);
  if (simple === undefined && (code >= 0x80 || /[A-Za-z0-9]/.test(e))) {
    return refuse("regex_invalid", `invalid escape sequence \\${e}`, at);
  }
  s.pos = at + 2;
  return simple ?? code;
}

function readHexEscape(s: Scanner): number {
  const at = s.pos;
  const hex = s.src[at + 2] === "{" ? /\{([0-9a-fA-F]{1,8})\}/y : /([0-9a-fA-F]{2})/y;
  hex.lastIndex = at + 2;
  const m = hex.exec(s.src);
  const value = m ? parseInt(m[1]!, 16) : NaN;
  if (!m || value > MAX_CODE_POINT) return refuse("regex_invalid", "invalid escape sequence \\x", at);
  s.pos = at + 2 + m[0].length;
  return value;
}

function rangeItems(ranges: Ranges): ClassItem[] {
  return ranges.map(([lo, hi]) => ({ kind: "range", lo, hi }));
}

function isScript(name: string): boolean {
  try {
    new RegExp(`\\p{Script=${name}}`, "u");
    return true;
  } catch {
    return false;
  }
}

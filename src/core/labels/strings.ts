/**
 * Lexical pieces of the selector language: identifiers, PromQL keywords, and Go-style string
 * literals (`"…"` and `'…'` with escapes, `` `…` `` raw), read with a map back to the source text.
 */
import { err, ok, type Result } from "../result.ts";
import { selectorError, type SelectorError } from "./types.ts";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Words PromQL lexes as keywords or numbers outside braces (case-insensitive), so never as bare metric names. */
const KEYWORDS: ReadonlySet<string> = new Set([
  "and", "or", "unless", "atan2", "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk",
  "bottomk", "count_values", "quantile", "limitk", "limit_ratio", "offset", "by", "without", "on", "ignoring",
  "group_left", "group_right", "bool", "start", "end", "inf", "nan",
]);

/** True for a label name that can be written unquoted: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export const isLabelIdentifier = (name: string): boolean => LABEL_NAME.test(name);

/** True for a name that can be written as a bare metric name before the braces (not a PromQL keyword). */
export const isMetricIdentifier = (name: string): boolean =>
  METRIC_NAME.test(name) && !KEYWORDS.has(name.toLowerCase());

/** True for a PromQL keyword such as `or` or `sum` (case-insensitive). */
export const isKeyword = (word: string): boolean => KEYWORDS.has(word.toLowerCase());

/** True for a character that may start a label or metric identifier (`:` only for metric names). */
export const isIdentStart = (c: string | undefined, metric: boolean): boolean =>
  c !== undefined && (/[a-zA-Z_]/.test(c) || (metric && c === ":"));

/** True for a character that may continue a label or metric identifier. */
export const isIdentPart = (c: string | undefined, metric: boolean): boolean =>
  c !== undefined && (/[a-zA-Z0-9_]/.test(c) || (metric && c === ":"));

/** A string literal read from the source. `offsets[i]` is the source index of `value[i]`; the last entry is the closing quote. */
export type StringLiteral = { value: string; offsets: number[]; end: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\",
};
const HEX = /^[0-9a-fA-F]$/;
const OCTAL = /^[0-7]$/;

/** True when `c` opens a string literal. */
export const isQuote = (c: string | undefined): boolean => c === '"' || c === "'" || c === "`";

/**
 * Reads the string literal whose opening quote is at `start`. Escapes follow Go and PromQL: `\a \b \f \n \r \t
 * \v \\`, the literal's own quote, `\xHH` and `\ooo` (bytes, which must form UTF-8), `\uHHHH` and `\UHHHHHHHH`
 * (code points, no surrogates). A raw newline ends a quoted string with an error; backtick strings are raw.
 */
export function readString(text: string, start: number): Result<StringLiteral, SelectorError> {
  const quote = text[start]!;
  const raw = quote === "`";
  let value = "";
  const offsets: number[] = [];
  let bytes: number[] = [];
  let byteAt: number[] = [];
  const flush = (): SelectorError | undefined => {
    if (bytes.length === 0) return undefined;
    const decoded = decodeUtf8(bytes);
    if (typeof decoded === "number") return syntax("escape sequences do not form valid UTF-8", byteAt[decoded]!);
    for (const [cp, lead] of decoded) {
      const ch = String.fromCodePoint(cp);
      value += ch;
      for (let k = 0; k < ch.length; k++) offsets.push(byteAt[lead]!);
    }
    bytes = [];
    byteAt = [];
    return undefined;
  };
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) return err(syntax(raw ? "unterminated raw string" : "unterminated quoted string", start));
    if (c === quote) {
      const bad = flush();
      if (bad) return err(bad);
      offsets.push(i);
      return ok({ value, offsets, end: i + 1 });
    }
    if (!raw && c === "\n") return err(syntax("unterminated quoted string (line break inside quotes)", i));
    if (!raw && c === "\\") {
      const escape = readEscape(text, i, quote);
      if (!escape.ok) return escape;
      if (escape.value.byte !== undefined) {
        bytes.push(escape.value.byte);
        byteAt.push(i);
      } else {
        const bad = flush();
        if (bad) return err(bad);
        value += escape.value.text;
        for (let k = 0; k < escape.value.text.length; k++) offsets.push(i);
      }
      i = escape.value.end;
      continue;
    }
    const bad = flush();
    if (bad) return err(bad);
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return err(syntax("invalid UTF-16 (lone surrogate)", i));
      value += c + text[i + 1]!;
      offsets.push(i, i + 1);
      i += 2;
      continue;
    }
    value += c;
    offsets.push(i);
    i += 1;
  }
}

type Escape = { text: string; byte?: number; end: number };

function readEscape(text: string, at: number, quote: string): Result<Escape, SelectorError> {
  const e = text[at + 1];
  if (e === undefined) return err(syntax("escape sequence not terminated", at));
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return ok({ text: simple, end: at + 2 });
  if (e === quote) return ok({ text: quote, end: at + 2 });
  if (OCTAL.test(e)) {
    const digits = readDigits(text, at + 1, 3, OCTAL);
    if (!digits.ok) return digits;
    const n = parseInt(digits.value, 8);
    if (n > 255) return err(syntax("octal escape value is greater than 255", at));
    return ok({ text: "", byte: n, end: at + 4 });
  }
  const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
  if (width === 0) return err(syntax(`unknown escape sequence \\${e}`, at));
  const digits = readDigits(text, at + 2, width, HEX);
  if (!digits.ok) return digits;
  const n = parseInt(digits.value, 16);
  const end = at + 2 + width;
  if (e === "x") return ok({ text: "", byte: n, end });
  if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
    return err(syntax("escape sequence is an invalid Unicode code point", at));
  }
  return ok({ text: String.fromCodePoint(n), end });
}

function readDigits(text: string, from: number, count: number, digit: RegExp): Result<string, SelectorError> {
  for (let k = from; k < from + count; k++) {
    const c = text[k];
    if (c === undefined) return err(syntax("escape sequence not terminated", k));
    if (!digit.test(c)) return err(syntax(`illegal character ${JSON.stringify(c)} in escape sequence`, k));
  }
  return ok(text.slice(from, from + count));
}

/** Decodes UTF-8 bytes into `[codePoint, indexOfLeadByte]` pairs, or returns the index of the first bad byte. */
function decodeUtf8(bytes: readonly number[]): Array<[number, number]> | number {
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out.push([b, i]);
      i += 1;
      continue;
    }
    const [len, lo, hi] =
      b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf]
      : b === 0xed ? [3, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
      : b === 0xf0 ? [4, 0x90, 0xbf]
      : b === 0xf4 ? [4, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
      : [0, 0, 0];
    if (len === 0) return i;
    let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i + k;
      cp = (cp << 6) | (c & 0x3f);
    }
    out.push([cp, i]);
    i += len;
  }
  return out;
}

const PRINT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', "\\": "\\\\", "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
};

/**
 * Writes `s` as a double-quoted literal with minimal escaping: `\"`, `\\`, the named control escapes, and `\xHH`
 * for the other C0 controls and DEL. Everything else, including non-ASCII text, is written as is.
 */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const named = PRINT_ESCAPES[ch];
    const code = ch.codePointAt(0)!;
    if (named !== undefined) out += named;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function syntax(message: string, position: number): SelectorError {
  return selectorError("selector_syntax", message, position);
}

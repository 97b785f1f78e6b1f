/**
 * The syntax tree of an RE2 (Go `regexp/syntax`) regular expression, and sets of code points as sorted ranges.
 * Every node keeps `at`, its offset in the regex source, so faults can be mapped back to the selector text.
 */

/** The largest Unicode code point. */
export const MAX_CODE_POINT = 0x10ffff;

/** A set of code points: sorted, disjoint, non-adjacent inclusive ranges. `-1` stands for "end of input". */
export type CharSet = ReadonlyArray<readonly [number, number]>;

/** One member of a bracketed class: a code point range, or a Unicode property JavaScript evaluates. */
export type ClassItem =
  | { kind: "range"; lo: number; hi: number }
  | { kind: "property"; negated: boolean; property: string };

/** A node of the regex tree. `max` is `Infinity` for unbounded repetition. */
export type RegexNode =
  | { kind: "empty"; at: number }
  | { kind: "literal"; cp: number; at: number }
  | { kind: "any"; at: number }
  | { kind: "class"; negated: boolean; items: ClassItem[]; at: number }
  | { kind: "assert"; what: "begin" | "end" | "word" | "nonword"; at: number }
  | { kind: "group"; body: RegexNode; at: number }
  | { kind: "concat"; items: RegexNode[]; at: number }
  | { kind: "alt"; branches: RegexNode[]; at: number }
  | { kind: "repeat"; body: RegexNode; min: number; max: number; lazy: boolean; at: number };

/** A parsed regex: its tree, and whether a leading `(?i)` made it case-insensitive. */
export type ParsedRegex = { root: RegexNode; ignoreCase: boolean };

/** Why a regex was refused, with the offset of the fault in the regex source. */
export type RegexFault = {
  code: "regex_invalid" | "regex_unsupported" | "regex_catastrophic";
  message: string;
  index: number;
};

/** Every code point. */
export const FULL_SET: CharSet = [[0, MAX_CODE_POINT]];

/** The set holding only the end-of-input marker. */
export const END_SET: CharSet = [[-1, -1]];

/** Normalises ranges into a {@link CharSet}. */
export function charSet(ranges: Iterable<readonly [number, number]>): CharSet {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The union of two sets. */
export const union = (a: CharSet, b: CharSet): CharSet => charSet([...a, ...b]);

/** The code points (0…0x10FFFF) not in `set`. */
export function complement(set: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (hi < 0) continue;
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** True when the sets share a member. */
export function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    if (alo <= bhi && blo <= ahi) return true;
    if (ahi < bhi) i++;
    else j++;
  }
  return false;
}

/** True when `set` holds every code point. */
export const isFull = (set: CharSet): boolean => complement(set).length === 0;

/** The code points a class matches, or `FULL_SET` when it holds a Unicode property (not known statically). */
export function classSet(node: { negated: boolean; items: ClassItem[] }): CharSet | undefined {
  const ranges: Array<[number, number]> = [];
  for (const item of node.items) {
    if (item.kind === "property") return undefined;
    ranges.push([item.lo, item.hi]);
  }
  const set = charSet(ranges);
  return node.negated ? complement(set) : set;
}

const WIDE_FOLD_LIMIT = 128;
const EXTRA_FOLDS: ReadonlyArray<readonly [number, number]> = [
  [0x6b, 0x212a], [0x73, 0x17f], [0xe5, 0x212b], [0x3b8, 0x3d1], [0x3c9, 0x2126],
];

/** Widens a set with the case variants of its members, for reasoning about `(?i)` regexes. Over-approximates. */
export function caseFold(set: CharSet): CharSet {
  const ranges: Array<readonly [number, number]> = [...set];
  for (const [lo, hi] of set) {
    if (hi - lo > WIDE_FOLD_LIMIT) {
      ranges.push([0x41, 0x5a], [0x61, 0x7a], [0x80, MAX_CODE_POINT]);
      continue;
    }
    for (let cp = Math.max(lo, 0); cp <= hi; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const variant of [ch.toLowerCase(), ch.toUpperCase()]) {
        const v = variant.codePointAt(0)!;
        if ([...variant].length === 1) ranges.push([v, v]);
      }
      for (const [x, y] of EXTRA_FOLDS) {
        if (cp === x || cp === y || cp === x - 0x20) ranges.push([x, x], [y, y], [x - 0x20, x - 0x20]);
      }
    }
  }
  return charSet(ranges);
}

/** The direct subtrees of a node. */
export function children(node: RegexNode): RegexNode[] {
  switch (node.kind) {
    case "group":
    case "repeat":
      return [node.body];
    case "concat":
      return node.items;
    case "alt":
      return node.branches;
    default:
      return [];
  }
}

/** The regex parser's cursor: the source and the offset of the next unread character. */
export type Scanner = { readonly src: string; pos: number };

/** Carries a refusal out of the recursive descent; caught by `parseRegex`, never seen by callers. */
export class Refusal {
  readonly fault: RegexFault;
  constructor(fault: RegexFault) {
    this.fault = fault;
  }
}

/** Abandons parsing with a fault at `index`. */
export function refuse(code: RegexFault["code"], message: string, index: number): never {
  throw new Refusal({ code, message, index });
}

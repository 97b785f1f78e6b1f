/**
 * Static reasoning about parsed regexes, always for a match of the whole label value:
 * - {@link findCatastrophe}: a conservative guard against catastrophic backtracking in JavaScript's engine.
 * - {@link matchesEveryString} / {@link matchesNoString}: recognise regexes that cannot limit anything.
 *
 * The backtracking guard treats every place where the engine must choose (a variable quantifier: iterate or
 * stop; an alternation: which branch) as *ambiguous* when the next character does not settle the choice, i.e.
 * when the sets of characters each option can start with overlap (LL(1) conflict). Then:
 * - an ambiguous choice inside an unbounded repetition (`(a+)+`, `(a*)*`, `(a|a)+`, `(.*)*`, `(\w+\s?)+`) can
 *   backtrack exponentially and is refused;
 * - ambiguous unbounded quantifiers elsewhere (`.*a.*b`) cost polynomial time: at most
 *   {@link MAX_AMBIGUOUS_UNBOUNDED} are allowed;
 * - ambiguous bounded choices (`a?`, `(a|ab)`, `x{1,5}`) multiply the paths: at most 2^{@link MAX_LOG2_PATHS}.
 * It is sound for these shapes but not complete: some safe regexes are refused (`(ab|ac)+`, for example).
 */
import {
  END_SET, FULL_SET, caseFold, classSet, intersects, isFull, union,
  type CharSet, type ParsedRegex, type RegexFault, type RegexNode,
} from "./regex-ast.ts";

/** The most ambiguous unbounded quantifiers a regex may hold (each adds a degree to the polynomial). */
export const MAX_AMBIGUOUS_UNBOUNDED = 3;
/** The base-2 logarithm of the most paths ambiguous bounded choices may create. */
export const MAX_LOG2_PATHS = 10;

type Facts = { nullable: boolean; first: CharSet };
type Context = { inLoop: boolean; times: number };
type Budget = { degree: number; log2: number };

/** Returns why the regex could backtrack catastrophically, or `undefined` when it passes the guard. */
export function findCatastrophe(parsed: ParsedRegex): RegexFault | undefined {
  const memo = new Map<RegexNode, Facts>();
  const facts = (node: RegexNode): Facts => {
    let known = memo.get(node);
    if (!known) memo.set(node, (known = computeFacts(node, facts, parsed.ignoreCase)));
    return known;
  };
  const budget: Budget = { degree: 0, log2: 0 };
  return walk(parsed.root, END_SET, { inLoop: false, times: 1 }, facts, budget);
}

function computeFacts(node: RegexNode, facts: (n: RegexNode) => Facts, fold: boolean): Facts {
  const chars = (set: CharSet): Facts => ({ nullable: false, first: fold ? caseFold(set) : set });
  switch (node.kind) {
    case "empty":
    case "assert":
      return { nullable: true, first: [] };
    case "literal":
      return chars([[node.cp, node.cp]]);
    case "any":
      return chars(FULL_SET);
    case "class":
      return chars(classSet(node) ?? FULL_SET);
    case "group":
      return facts(node.body);
    case "alt": {
      const all = node.branches.map(facts);
      return { nullable: all.some((f) => f.nullable), first: all.reduce<CharSet>((acc, f) => union(acc, f.first), []) };
    }
    case "concat": {
      let first: CharSet = [];
      for (const item of node.items) {
        const f = facts(item);
        first = union(first, f.first);
        if (!f.nullable) return { nullable: false, first };
      }
      return { nullable: true, first };
    }
    case "repeat": {
      const body = facts(node.body);
      return { nullable: node.min === 0 || body.nullable, first: node.max === 0 ? [] : body.first };
    }
  }
}

function walk(node: RegexNode, follow: CharSet, ctx: Context, facts: (n: RegexNode) => Facts, budget: Budget): RegexFault | undefined {
  const charge = (paths: number, unbounded: boolean): RegexFault | undefined => {
    if (ctx.inLoop) {
      return catastrophic("a repetition contains a nested quantifier or alternatives that overlap; it can backtrack exponentially", node.at);
    }
    if (unbounded) budget.degree += ctx.times;
    else budget.log2 += ctx.times * Math.log2(paths);
    if (budget.degree > MAX_AMBIGUOUS_UNBOUNDED) {
      return catastrophic(`more than ${MAX_AMBIGUOUS_UNBOUNDED} unbounded repetitions that overlap with what follows them`, node.at);
    }
    if (budget.log2 > MAX_LOG2_PATHS) return catastrophic("too many overlapping optional parts or alternatives", node.at);
    return undefined;
  };
  switch (node.kind) {
    case "group":
      return walk(node.body, follow, ctx, facts, budget);
    case "concat": {
      const follows: CharSet[] = [];
      let next = follow;
      for (let i = node.items.length - 1; i >= 0; i--) {
        follows[i] = next;
        const f = facts(node.items[i]!);
        next = f.nullable ? union(f.first, next) : f.first;
      }
      for (const [i, item] of node.items.entries()) {
        const fault = walk(item, follows[i]!, ctx, facts, budget);
        if (fault) return fault;
      }
      return undefined;
    }
    case "alt": {
      const lookahead = node.branches.map((b) => (facts(b).nullable ? union(facts(b).first, follow) : facts(b).first));
      const overlap = lookahead.some((a, i) => lookahead.some((b, j) => i < j && intersects(a, b)));
      const fault = overlap ? charge(node.branches.length, false) : undefined;
      if (fault) return fault;
      for (const branch of node.branches) {
        const inner = walk(branch, follow, ctx, facts, budget);
        if (inner) return inner;
      }
      return undefined;
    }
    case "repeat": {
      if (node.max === 0) return undefined;
      const body = facts(node.body);
      if (node.min !== node.max && (body.nullable || intersects(body.first, follow))) {
        const fault = charge(node.max - node.min + 1, node.max === Infinity);
        if (fault) return fault;
      }
      if (node.max === 1) return walk(node.body, follow, ctx, facts, budget);
      const inner: Context = node.max === Infinity ? { inLoop: true, times: ctx.times } : { inLoop: ctx.inLoop, times: ctx.times * node.max };
      return walk(node.body, union(body.first, follow), inner, facts, budget);
    }
    default:
      return undefined;
  }
}

function catastrophic(message: string, index: number): RegexFault {
  return { code: "regex_catastrophic", message, index };
}

/** True when the regex, fully anchored, matches every string (`.*`, `(.*)`, `^.*$`, `.*|x`, `(?:.|\n)*` …). */
export function matchesEveryString(parsed: ParsedRegex): boolean {
  return universal(parsed.root, true, true);
}

/** True when the regex, fully anchored, matches no string at all (an empty class such as `[^\x00-\x{10FFFF}]`). */
export function matchesNoString(parsed: ParsedRegex): boolean {
  return impossible(parsed.root);
}

function universal(node: RegexNode, start: boolean, end: boolean): boolean {
  switch (node.kind) {
    case "group":
      return universal(node.body, start, end);
    case "alt":
      return node.branches.some((b) => universal(b, start, end));
    case "repeat": {
      const chars = singleChars(node.body);
      if (node.min === 0 && node.max === Infinity && chars && isFull(chars)) return true;
      return node.min <= 1 && node.max >= 1 && universal(node.body, start, end);
    }
    case "concat":
      return node.items.some(
        (item, j) =>
          universal(item, start, end) &&
          node.items.every((other, i) => i === j || emptyAt(other, i < j ? (start ? "begin" : undefined) : end ? "end" : undefined)),
      );
    default:
      return false;
  }
}

function emptyAt(node: RegexNode, boundary: "begin" | "end" | undefined): boolean {
  switch (node.kind) {
    case "empty":
      return true;
    case "assert":
      return node.what === boundary;
    case "group":
      return emptyAt(node.body, boundary);
    case "concat":
      return node.items.every((item) => emptyAt(item, boundary));
    case "alt":
      return node.branches.some((b) => emptyAt(b, boundary));
    case "repeat":
      return node.min === 0 || emptyAt(node.body, boundary);
    default:
      return false;
  }
}

function singleChars(node: RegexNode): CharSet | undefined {
  switch (node.kind) {
    case "any":
      return FULL_SET;
    case "literal":
      return [[node.cp, node.cp]];
    case "class":
      return classSet(node);
    case "group":
      return singleChars(node.body);
    case "alt": {
      let acc: CharSet = [];
      for (const branch of node.branches) {
        const set = singleChars(branch);
        if (!set) return undefined;
        acc = union(acc, set);
      }
      return acc;
    }
    default:
      return undefined;
  }
}

function impossible(node: RegexNode): boolean {
  switch (node.kind) {
    case "class":
      return classSet(node)?.length === 0;
    case "group":
      return impossible(node.body);
    case "concat":
      return node.items.some(impossible);
    case "alt":
      return node.branches.every(impossible);
    case "repeat":
      return node.min >= 1 && impossible(node.body);
    default:
      return false;
  }
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileSelector,
  parseSelector,
  printSelector,
  selectorMatches,
  type LabelSet,
  type Matcher,
  type MatchOp,
  type Selector,
  type SelectorErrorCode,
} from "../../../src/core/labels/index.ts";

const CODES: readonly SelectorErrorCode[] = [
  "selector_syntax", "selector_empty", "selector_too_long", "selector_matches_everything",
  "regex_invalid", "regex_unsupported", "regex_too_long", "regex_catastrophic",
];

/** Escapes a literal for RE2: ASCII punctuation gets a backslash, everything else stands for itself. */
const re2Literal = (s: string): string => s.replace(/[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/g, (c) => `\\${c}`);

const identifier = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/);
const anyText = (maxLength: number) => fc.string({ unit: "binary", maxLength });
const labelName = fc.oneof(identifier, fc.constant("__name__"), anyText(6).filter((s) => s !== ""));
const regexValue = fc.oneof(
  anyText(8).map(re2Literal),
  fc.constantFrom(".*", "a|b", "(?i)prod", "[a-z]+(-[a-z]+)*", String.raw`\d{1,3}`, "", String.raw`\pL+`, "x{"),
);
const matcher: fc.Arbitrary<Matcher> = fc.oneof(
  fc.record({ name: labelName, op: fc.constantFrom<MatchOp>("=", "!="), value: fc.oneof(identifier, anyText(10)) }),
  fc.record({ name: labelName, op: fc.constantFrom<MatchOp>("=~", "!~"), value: regexValue }),
);
const selectorTree: fc.Arbitrary<Selector> = fc.array(matcher, { maxLength: 5 }).map((matchers) => ({ matchers }));

describe("print and parse", () => {
  it("print∘parse is the identity on canonical text, and parse∘print gives back the tree", () => {
    fc.assert(
      fc.property(selectorTree, (tree) => {
        const text = printSelector(tree);
        const parsed = parseSelector(text);
        expect(parsed).toEqual({ ok: true, value: tree });
        if (parsed.ok) expect(printSelector(parsed.value)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

const selectorChars = fc.constantFrom(
  "{", "}", '"', "'", "`", "=", "!", "~", ",", " ", "\n", "a", "_", ":", "\\", "x", "u", "0", "7", ".", "*", "+",
  "(", ")", "[", "]", "|", "?", "^", "$", "é", "😀", "\uD800", "#",
);
const loneSurrogates = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
const regexChars = fc.constantFrom(
  "a", "b", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "1", ",", "|", "^", "$", "-", ":", "<", ">", "=", "!",
  "P", "i", "s", "\\\\", "\\\\d", "\\\\p", "\\\\x", "\\\\Q", "\\\\1", "\\\\b",
);

const assertWellBehaved = (text: string): void => {
  const parsed = parseSelector(text);
  expect(typeof parsed.ok).toBe("boolean");
  if (!parsed.ok) {
    expect(CODES).toContain(parsed.error.code);
    expect(Number.isInteger(parsed.error.position)).toBe(true);
    expect(parsed.error.position).toBeGreaterThanOrEqual(0);
    expect(parsed.error.position).toBeLessThanOrEqual(text.length);
    return;
  }
  expect(parseSelector(printSelector(parsed.value))).toEqual(parsed);
  const compiled = compileSelector(parsed.value);
  expect(typeof selectorMatches(compiled, { a: "x" })).toBe("boolean");
};

describe("parseSelector never throws", () => {
  it("on arbitrary strings, including lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), loneSurrogates), maxLength: 60 }), assertWellBehaved),
      { numRuns: 1000 },
    );
  });

  it("on strings made of selector punctuation", () => {
    fc.assert(fc.property(fc.string({ unit: selectorChars, maxLength: 40 }), assertWellBehaved), { numRuns: 2000 });
  });

  it("on random regexes inside a matcher", () => {
    fc.assert(
      fc.property(fc.string({ unit: regexChars, maxLength: 30 }), (re) => assertWellBehaved(`{a=~"${re}"}`)),
      { numRuns: 2000 },
    );
  });
});

/** A small regex language with a reference matcher written independently of any regex engine. */
type Re =
  | { kind: "lit"; c: string }
  | { kind: "any" }
  | { kind: "class"; chars: string; negated: boolean }
  | { kind: "opt" | "star" | "plus"; body: Re }
  | { kind: "alt" | "seq"; a: Re; b: Re };

const ALPHABET = ["x", "y", "z"] as const;
const atom: fc.Arbitrary<Re> = fc.oneof(
  fc.constantFrom(...ALPHABET).map((c): Re => ({ kind: "lit", c })),
  fc.constant<Re>({ kind: "any" }),
  fc.record({ chars: fc.constantFrom("x", "xy", "yz"), negated: fc.boolean() }).map((c): Re => ({ kind: "class", ...c })),
);
const { re } = fc.letrec<{ re: Re }>((tie) => ({
  re: fc.oneof(
    { depthSize: "small" },
    atom,
    fc.record({ kind: fc.constantFrom("opt" as const), body: tie("re") }),
    fc.record({ kind: fc.constantFrom("star" as const, "plus" as const), body: atom }),
    fc.record({ kind: fc.constantFrom("alt" as const, "seq" as const), a: tie("re"), b: tie("re") }),
  ),
}));

const render = (r: Re): string => {
  switch (r.kind) {
    case "lit":
      return r.c;
    case "any":
      return ".";
    case "class":
      return `[${r.negated ? "^" : ""}${r.chars}]`;
    case "opt":
      return `(?:${render(r.body)})?`;
    case "star":
      return `${render(r.body)}*`;
    case "plus":
      return `${render(r.body)}+`;
    case "alt":
      return `(?:${render(r.a)}|${render(r.b)})`;
    case "seq":
      return `${render(r.a)}${render(r.b)}`;
  }
};

/** Every index at which a match of `r` starting at `i` can end. */
const ends = (r: Re, s: string, i: number): Set<number> => {
  switch (r.kind) {
    case "lit":
      return new Set(s[i] === r.c ? [i + 1] : []);
    case "any":
      return new Set(i < s.length ? [i + 1] : []);
    case "class":
      return new Set(i < s.length && r.chars.includes(s[i]!) !== r.negated ? [i + 1] : []);
    case "opt":
      return new Set([i, ...ends(r.body, s, i)]);
    case "star":
    case "plus": {
      const seen = new Set<number>(r.kind === "star" ? [i] : []);
      const queue = [...ends(r.body, s, i)];
      for (let j = queue.pop(); j !== undefined; j = queue.pop()) {
        if (seen.has(j)) continue;
        seen.add(j);
        queue.push(...ends(r.body, s, j));
      }
      return seen;
    }
    case "alt":
      return new Set([...ends(r.a, s, i), ...ends(r.b, s, i)]);
    case "seq":
      return new Set([...ends(r.a, s, i)].flatMap((j) => [...ends(r.b, s, j)]));
  }
};

type RefMatcher = { name: string; op: MatchOp; value: string; regex?: Re };

const reference = (matchers: readonly RefMatcher[], labels: LabelSet): boolean =>
  matchers.every((m) => {
    const v = Object.hasOwn(labels, m.name) ? labels[m.name]! : "";
    const full = m.regex ? ends(m.regex, v, 0).has(v.length) : false;
    return m.op === "=" ? v === m.value : m.op === "!=" ? v !== m.value : m.op === "=~" ? full : !full;
  });

const word = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 4 });
const refMatcher: fc.Arbitrary<RefMatcher> = fc.oneof(
  fc.record({ name: fc.constantFrom("a", "b", "c"), op: fc.constantFrom<MatchOp>("=", "!="), value: word }),
  fc.record({ name: fc.constantFrom("a", "b", "c"), op: fc.constantFrom<MatchOp>("=~", "!~"), regex: re }).map((m) => ({
    ...m,
    value: render(m.regex),
  })),
);
const labelSet: fc.Arbitrary<LabelSet> = fc.dictionary(fc.constantFrom("a", "b", "c"), word);

describe("matching agrees with a reference evaluator", () => {
  it("for random selectors and label sets over a small alphabet", () => {
    fc.assert(
      fc.property(fc.array(refMatcher, { minLength: 1, maxLength: 3 }), fc.array(labelSet, { minLength: 1, maxLength: 8 }), (matchers, sets) => {
        const tree: Selector = { matchers: matchers.map(({ name, op, value }) => ({ name, op, value })) };
        const parsed = parseSelector(printSelector(tree));
        fc.pre(parsed.ok || parsed.error.code !== "regex_catastrophic");
        expect(parsed).toEqual({ ok: true, value: tree });
        const compiled = compileSelector(tree);
        for (const labels of sets) expect(selectorMatches(compiled, labels)).toBe(reference(matchers, labels));
      }),
      { numRuns: 1000 },
    );
  });
});

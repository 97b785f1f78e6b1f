/**
 * Rewriting never widens access: for random decisions and random queries, every series a rewritten selector
 * selects satisfies the decision, and the rewrite selects exactly (user selector AND decision). The reference
 * is the selector library's own matcher.
 */
import { parser } from "@prometheus-io/lezer-promql";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  anySelectorMatches,
  compileSelector,
  compileSelectors,
  parseSelector,
  printSelector,
  selectorMatches,
  validateLabelPolicySelector,
  type CompiledSelector,
  type LabelSet,
  type Matcher,
  type MatchOp,
  type Selector,
} from "../../src/core/labels/index.ts";
import { enforceQuery, QueryRejectedError, type QueryLanguage } from "../../src/verify/index.ts";
import { claims } from "./helpers.ts";

const NAMES = ["env", "team", "job"] as const;
const VALUES = ["dev", "prod", "qa-1", "a", "", "a.b", "c|d"];
const REGEXES = ["dev|prod", "qa-.*", ".+", "[ad].*", "d.v", "a|", "x?"];
const METRICS = ["up", "node_cpu", "job:x:sum"];
const SEEN_VALUES = [...VALUES, "devops", "DEV", "qa-", "dav", "x", "axb", "c"];

const matcher = (names: readonly string[]): fc.Arbitrary<Matcher> =>
  fc.oneof(
    fc.record({ name: fc.constantFrom(...names), op: fc.constantFrom<MatchOp>("=", "!="), value: fc.constantFrom(...VALUES) }),
    fc.record({ name: fc.constantFrom(...names), op: fc.constantFrom<MatchOp>("=~", "!~"), value: fc.constantFrom(...REGEXES) }),
  );
const nameMatcher: fc.Arbitrary<Matcher> = fc.oneof(
  fc.record({ name: fc.constant("__name__"), op: fc.constantFrom<MatchOp>("=", "!="), value: fc.constantFrom(...METRICS) }),
  fc.record({ name: fc.constant("__name__"), op: fc.constantFrom<MatchOp>("=~", "!~"), value: fc.constantFrom("node_.*", "up|job:.*") }),
);

/** A label policy as Keycard would accept it, in canonical text. */
const policySelector = (withName: boolean): fc.Arbitrary<string> =>
  fc
    .array(withName ? fc.oneof(matcher(NAMES), nameMatcher) : matcher(NAMES), { minLength: 1, maxLength: 3 })
    .map((matchers) => validateLabelPolicySelector(printSelector({ matchers })))
    .filter((r) => r.ok)
    .map((r) => printSelector((r as { value: Selector }).value));

/** Several selectors that merge: each one `=` or `=~` matcher on the same label. */
const mergeable: fc.Arbitrary<string[]> = fc
  .tuple(fc.constantFrom(...NAMES), fc.array(fc.oneof(
    fc.record({ op: fc.constant<MatchOp>("="), value: fc.constantFrom(...VALUES) }),
    fc.record({ op: fc.constant<MatchOp>("=~"), value: fc.constantFrom("qa-.*", "[ad].*", "d.v", "x?") }),
  ), { minLength: 2, maxLength: 3 }))
  .map(([name, parts]) => parts.map((p) => printSelector({ matchers: [{ name, ...p }] })));

const decision = (withName: boolean): fc.Arbitrary<string[]> =>
  fc.oneof(fc.array(policySelector(withName), { minLength: 1, maxLength: 1 }), mergeable, fc.array(policySelector(withName), { minLength: 2, maxLength: 3 }));

const labelSet: fc.Arbitrary<LabelSet> = fc.record(
  { __name__: fc.constantFrom(...METRICS, "other"), env: fc.constantFrom(...SEEN_VALUES), team: fc.constantFrom(...SEEN_VALUES), job: fc.constantFrom(...SEEN_VALUES) },
  { requiredKeys: [] },
);

/** A user's selector: a metric name or a __name__ matcher, and a few matchers. */
const userSelector: fc.Arbitrary<Selector> = fc
  .tuple(fc.option(fc.oneof(fc.constantFrom(...METRICS).map((value): Matcher => ({ name: "__name__", op: "=", value })), nameMatcher)), fc.array(matcher(NAMES), { maxLength: 3 }))
  .map(([name, rest]) => ({ matchers: name ? [name, ...rest] : rest }));

const PROMQL_CONTEXTS: Array<(s: string) => string> = [
  (s) => s,
  (s) => `rate(${s}[5m])`,
  (s) => `sum by (job) (${s} offset 1h)`,
  (s) => `${s} / on(job) group_left ${s}`,
  (s) => `topk(3, -(${s})) or vector(0)`,
];

function check(language: QueryLanguage, labels: string[], user: Selector, context: (s: string) => string, sets: LabelSet[], extract: (out: string) => string[]): void {
  const userText = printSelector(user);
  const query = context(userText);
  const allowed = compileSelectors(labels.map((l) => (parseSelector(l) as { value: Selector }).value));
  let out: string;
  try {
    out = enforceQuery(claims(language === "promql" ? "metrics:read" : "logs:read", labels), query, { language });
  } catch (e) {
    expect(e).toBeInstanceOf(QueryRejectedError);
    expect((e as QueryRejectedError).code).toBe("several_selectors");
    expect(labels.length).toBeGreaterThan(1);
    return;
  }
  const wanted = compileSelector(user);
  const rewritten = extract(out);
  expect(rewritten.length).toBe(extract(query).length);
  for (const text of rewritten) {
    const parsed = parseSelector(text);
    expect(parsed.ok, text).toBe(true);
    const compiled: CompiledSelector = compileSelector((parsed as { value: Selector }).value);
    for (const set of sets) {
      const selected = selectorMatches(compiled, set);
      const permitted = anySelectorMatches(allowed, set);
      if (selected) expect(permitted, `${out} selected ${JSON.stringify(set)}`).toBe(true);
      expect(selected, `${out} on ${JSON.stringify(set)}`).toBe(selectorMatches(wanted, set) && permitted);
    }
  }
}

function vectorSelectors(query: string): string[] {
  const found: string[] = [];
  parser.parse(query).iterate({
    enter(n) {
      if (n.type.name === "VectorSelector") found.push(query.slice(n.from, n.to));
    },
  });
  return found;
}

describe("rewriting never widens access", () => {
  it("PromQL: every series a rewritten vector selector selects satisfies the decision, and no fewer", () => {
    fc.assert(
      fc.property(decision(true), userSelector, fc.constantFrom(...PROMQL_CONTEXTS), fc.array(labelSet, { minLength: 20, maxLength: 40 }),
        (labels, user, context, sets) => check("promql", labels, user, context, sets, vectorSelectors)),
      { numRuns: 400 },
    );
  });

  it("LogQL: every stream a rewritten stream selector selects satisfies the decision, and no fewer", () => {
    const stream = fc.array(matcher(NAMES), { minLength: 1, maxLength: 3 }).map((matchers) => ({ matchers }));
    const contexts: Array<(s: string) => string> = [(s) => s, (s) => `${s} |= "x" | json`, (s) => `sum by (job) (rate(${s}[5m]))`];
    const streams = (q: string) => [...q.matchAll(/\{[^{}]*\}/g)].map((m) => m[0]);
    fc.assert(
      fc.property(decision(false), stream, fc.constantFrom(...contexts), fc.array(labelSet, { minLength: 20, maxLength: 40 }),
        (labels, user, context, sets) => check("logql", labels, user, context, sets, streams)),
      { numRuns: 300 },
    );
  });
});

/**
 * Matching label sets against selectors, with Prometheus semantics: a missing label is the empty string,
 * the matchers of a selector are ANDed, and a list of selectors is ORed. Regexes are compiled once, when
 * the selector is compiled, never per match.
 */
import { checkRegex } from "./regex-compile.ts";
import type { Matcher, MatchOp, Selector } from "./types.ts";

/** One matcher, ready to test a label value. */
export type CompiledMatcher = { readonly name: string; readonly op: MatchOp; readonly test: (value: string) => boolean };

/** A selector compiled for matching. `selector` is a copy of the source tree, for logs and decisions. */
export type CompiledSelector = { readonly selector: Selector; readonly matchers: readonly CompiledMatcher[] };

/** A read-only label set: label name to value. Only own properties count; anything else is absent. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * Compiles a selector once for many matches. Selectors from `parseSelector` always compile.
 * @throws TypeError when a hand-built tree holds a regex that `parseSelector` would have refused.
 */
export function compileSelector(sel: Selector): CompiledSelector {
  return {
    selector: { matchers: sel.matchers.map((m) => ({ ...m })) },
    matchers: sel.matchers.map(compileMatcher),
  };
}

function compileMatcher({ name, op, value }: Matcher): CompiledMatcher {
  switch (op) {
    case "=":
      return { name, op, test: (v) => v === value };
    case "!=":
      return { name, op, test: (v) => v !== value };
    case "=~":
    case "!~": {
      const checked = checkRegex(value);
      if (!checked.ok) throw new TypeError(`label matcher ${name}${op} holds a refused regex: ${checked.error.message}`);
      const regex = checked.value.regex;
      return op === "=~" ? { name, op, test: (v) => regex.test(v) } : { name, op, test: (v) => !regex.test(v) };
    }
  }
}

/** True when every matcher of the selector holds for `labels`; a missing label is the empty string. */
export function selectorMatches(compiled: CompiledSelector, labels: LabelSet): boolean {
  return compiled.matchers.every((m) => m.test(labelValue(labels, m.name)));
}

/** Compiles a list of selectors (a realm's label policies). */
export function compileSelectors(list: readonly Selector[]): CompiledSelector[] {
  return list.map(compileSelector);
}

/**
 * True when at least one selector matches `labels`. An empty list matches nothing: whether "no label
 * policies" means "no restriction" is the caller's decision, made before calling this.
 */
export function anySelectorMatches(list: readonly CompiledSelector[], labels: LabelSet): boolean {
  return list.some((compiled) => selectorMatches(compiled, labels));
}

function labelValue(labels: LabelSet, name: string): string {
  if (!Object.hasOwn(labels, name)) return "";
  const value: unknown = labels[name];
  return typeof value === "string" ? value : "";
}

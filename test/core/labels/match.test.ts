import { describe, expect, it } from "vitest";
import {
  anySelectorMatches,
  compileSelector,
  compileSelectors,
  parseSelector,
  selectorMatches,
  type LabelSet,
  type Selector,
} from "../../../src/core/labels/index.ts";

const r = String.raw;

const selector = (text: string): Selector => {
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.value;
};

const matches = (text: string, labels: LabelSet): boolean => selectorMatches(compileSelector(selector(text)), labels);

describe("selectorMatches follows Prometheus semantics", () => {
  it.each<[string, LabelSet, boolean, string]>([
    ['{a="b"}', { a: "b" }, true, "equal value"],
    ['{a="b"}', { a: "B" }, false, "equality is case-sensitive"],
    ['{a="b"}', {}, false, "a missing label is the empty string"],
    ['{a=""}', {}, true, "a missing label equals the empty string"],
    ['{a=""}', { a: "" }, true, "an empty label equals the empty string"],
    ['{a=""}', { a: "x" }, false, "a set label is not empty"],
    ['{a!=""}', {}, false, "!= \"\" requires the label"],
    ['{a!=""}', { a: "x" }, true, "!= \"\" holds for a set label"],
    ['{a!="x"}', {}, true, "a missing label differs from x"],
    ['{a!="x"}', { a: "x" }, false, "!= excludes the value"],
    ['{a!="x"}', { a: "y" }, true, "!= allows other values"],
    ['{a=~"b"}', { a: "abc" }, false, "regexes are fully anchored: no substring match"],
    ['{a=~"b"}', { a: "b" }, true, "a regex matching the whole value"],
    ['{a=~"b"}', { a: "bb" }, false, "anchored at the end too"],
    ['{a=~"b.*"}', { a: "abc" }, false, "anchored at the start"],
    ['{a=~"b.*"}', { a: "bcd" }, true, "a prefix match written out"],
    ['{a=~".*b.*"}', { a: "abc" }, true, "a contains-match written out"],
    ['{a=~"a|b"}', { a: "ab" }, false, "the anchors wrap the whole alternation"],
    ['{a=~"a|b"}', { a: "b" }, true, "either alternative"],
    ['{a=~""}', {}, true, "an empty regex matches a missing label"],
    ['{a=~""}', { a: "x" }, false, "an empty regex matches only the empty string"],
    ['{a!~"a|b"}', { a: "ab" }, true, "!~ with anchoring"],
    ['{a!~"a|b"}', { a: "a" }, false, "!~ excludes matches"],
    ['{a!~"a|b"}', {}, true, "!~ holds for a missing label"],
    ['{a!~""}', {}, false, "!~ \"\" requires the label"],
    ['{a!~""}', { a: "x" }, true, "!~ \"\" holds for a set label"],
    ['{a=~".*"}', {}, true, ".* matches a missing label"],
    ['{a=~".*"}', { a: "line\nbreak" }, true, ". matches newlines, as in Prometheus 3"],
    ['{a=~"."}', { a: "😀" }, true, ". matches one code point, not one UTF-16 unit"],
    ['{a=~".."}', { a: "😀" }, false, "an astral character is one character"],
    [r`{a=~"\\s"}`, { a: " " }, true, "\\s matches a space"],
    [r`{a=~"\\s"}`, { a: "\v" }, false, "RE2's \\s excludes the vertical tab"],
    [r`{a=~"\\s"}`, { a: "\u00a0" }, false, "RE2's \\s is ASCII only"],
    [r`{a=~"\\w+"}`, { a: "héllo" }, false, "RE2's \\w is ASCII only"],
    [r`{a=~"\\d+"}`, { a: "١٢" }, false, "RE2's \\d is ASCII only"],
    ['{a=~"[[:digit:]]+"}', { a: "123" }, true, "a POSIX class"],
    [r`{a=~"\\pL+"}`, { a: "héllo" }, true, "a Unicode category"],
    [r`{a=~"\\p{Greek}+"}`, { a: "αβγ" }, true, "a Unicode script"],
    [r`{a=~"\\PL"}`, { a: "1" }, true, "a negated Unicode class"],
    ['{a=~"(?i)prod"}', { a: "PrOd" }, true, "a leading (?i) ignores case"],
    ['{a=~"prod"}', { a: "PROD" }, false, "matching is case-sensitive by default"],
    ['{a=~"[^a]"}', { a: "\n" }, true, "a negated class matches a newline"],
    [r`{a=~"\\x41\\101"}`, { a: "AA" }, true, "hex and octal escapes in a regex"],
    ['{a=~"a{2}"}', { a: "aaa" }, false, "a counted repeat is exact"],
    ['{a=~"a{2,}"}', { a: "aaa" }, true, "an open counted repeat"],
    ['{a=~"^a$"}', { a: "a" }, true, "redundant anchors"],
    [r`{a=~"\\Aa\\z"}`, { a: "a" }, true, "\\A and \\z"],
    ['{a=~"x{"}', { a: "x{" }, true, "a literal brace"],
    ['{a=~"a]}"}', { a: "a]}" }, true, "literal closing brackets"],
    ['{a=~"[]a]+"}', { a: "]a" }, true, "a ] first in a class is a literal"],
    [r`{a=~"\\-\\:\\!"}`, { a: "-:!" }, true, "escaped punctuation that JavaScript's u mode would refuse"],
    [r`{a=~"a\\.b"}`, { a: "axb" }, false, "an escaped dot is a literal dot"],
    ['{a=~"(?P<n>a)b"}', { a: "ab" }, true, "a named group"],
    ['{a=~"(?s:a.b)"}', { a: "a\nb" }, true, "a (?s:…) group"],
    [r`{a=~"a\\b"}`, { a: "a" }, true, "a word boundary at the end"],
    ['{a="b", c="d"}', { a: "b", c: "d" }, true, "all matchers hold"],
    ['{a="b", c="d"}', { a: "b" }, false, "matchers are ANDed"],
    ['{a="b", a!="c"}', { a: "b" }, true, "two matchers on one label"],
    ['{"my.label"="x"}', { "my.label": "x" }, true, "a UTF-8 label name"],
    ['up{job="a"}', { __name__: "up", job: "a" }, true, "the metric name is the __name__ label"],
    ['up{job="a"}', { job: "a" }, false, "a metric name is required when given"],
    ['{constructor=""}', {}, true, "inherited object properties are not labels"],
    ['{constructor=~".+"}', {}, false, "inherited properties never match a value"],
    ['{toString!=""}', {}, false, "toString is not a label either"],
    ['{__proto__="x"}', JSON.parse('{"__proto__":"x"}') as LabelSet, true, "an own __proto__ label counts"],
  ])("%s on %j → %s (%s)", (text, labels, expected, _why) => {
    expect(matches(text, labels)).toBe(expected);
  });

  it("compiles each regex once and reuses it for every match", () => {
    const compiled = compileSelector(selector('{a=~"x+"}'));
    const [matcher] = compiled.matchers;
    expect(selectorMatches(compiled, { a: "xx" })).toBe(true);
    expect(selectorMatches(compiled, { a: "xy" })).toBe(false);
    expect(compiled.matchers[0]).toBe(matcher);
  });

  it("keeps its own copy of the selector", () => {
    const source = selector('{a="b"}');
    const compiled = compileSelector(source);
    source.matchers[0]!.value = "changed";
    expect(compiled.selector).toEqual({ matchers: [{ name: "a", op: "=", value: "b" }] });
    expect(selectorMatches(compiled, { a: "b" })).toBe(true);
  });

  it("matches linearly on long adversarial values for the shapes it accepts", () => {
    const value = `${"a-".repeat(20_000)}!`;
    expect(matches('{a=~"[a-z]+(-[a-z]+)*"}', { a: value })).toBe(false);
    expect(matches(r`{a=~"([a-z]+\\.)+[a-z]+"}`, { a: `${"a.".repeat(20_000)}!` })).toBe(false);
  });

  it("throws on a hand-built tree with a regex the parser would refuse", () => {
    expect(() => compileSelector({ matchers: [{ name: "a", op: "=~", value: "(a+)+" }] })).toThrow(TypeError);
    expect(() => compileSelector({ matchers: [{ name: "a", op: "!~", value: "(?=x)" }] })).toThrow(TypeError);
  });
});

describe("anySelectorMatches ORs a realm's selectors", () => {
  const realm = compileSelectors([selector('{env="dev"}'), selector('{team=~"a|b"}')]);

  it.each<[LabelSet, boolean, string]>([
    [{ env: "dev" }, true, "the first selector"],
    [{ team: "b" }, true, "the second selector"],
    [{ env: "prod", team: "a" }, true, "one is enough"],
    [{ env: "prod", team: "c" }, false, "neither"],
    [{}, false, "no labels"],
  ])("%j → %s (%s)", (labels, expected, _why) => {
    expect(anySelectorMatches(realm, labels)).toBe(expected);
  });

  it("returns false for an empty list: 'no label policy' is the caller's decision", () => {
    expect(anySelectorMatches([], { env: "dev" })).toBe(false);
    expect(anySelectorMatches(compileSelectors([]), {})).toBe(false);
  });
});

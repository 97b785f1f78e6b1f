import { describe, expect, it } from "vitest";
import {
  matchesEverything,
  parseSelector,
  printSelector,
  validateLabelPolicySelector,
  type Selector,
  type SelectorErrorCode,
} from "../../../src/core/labels/index.ts";

const r = String.raw;

const selector = (text: string): Selector => {
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.value;
};

describe("matchesEverything", () => {
  it.each<[string, boolean, string]>([
    ['{env=~".*"}', true, ".* matches every value, and a missing label"],
    ['{env=~"(.*)"}', true, "a group around .*"],
    ['{env=~"(?:.*)"}', true, "a non-capturing group around .*"],
    ['{env=~"(?P<x>.*)"}', true, "a named group around .*"],
    ['{env=~".*|x"}', true, "an alternation with a .* branch"],
    ['{env=~"x|.*"}', true, ".* as the second branch"],
    ['{env=~"^.*$"}', true, "redundant anchors"],
    ['{env=~"(?s:.*)"}', true, "the Prometheus wrapping written out"],
    ['{env=~"(?i).*"}', true, "case-insensitive .*"],
    [r`{env=~"[\\s\\S]*"}`, true, "a class covering everything"],
    [r`{env=~"[^\\x{10FFFF}]*\\x{10FFFF}?"}`, false, "a cover it does not see through (conservative)"],
    [r`{env=~"\\p{Any}*"}`, true, "\\p{Any}*"],
    ['{env=~".*.*"}', true, "two stars"],
    ['{env=~"a?.*"}', true, "an optional part before .*"],
    ['{env=~"(.*)?"}', true, "an optional .*"],
    ['{env=~".*", team=~".*"}', true, "every matcher is unlimited"],
    [r`{env!~"[^\\x00-\\x{10FFFF}]"}`, true, "!~ with a regex that matches nothing"],
    ['{env=~".*", team="a"}', false, "one limiting matcher is enough"],
    ['{env!=""}', false, "!= \"\" requires the label"],
    ['{env!~""}', false, "!~ \"\" requires the label"],
    ['{env=~".+"}', false, ".+ requires the label"],
    ['{a!="x"}', false, "!= excludes a value"],
    ['{env=~".*x"}', false, "a suffix limits"],
    ['{env=~"a*"}', false, "a* limits"],
    ['{env=~"$.*"}', false, "an end anchor before .* allows only the empty string"],
    ['{env=~"^"}', false, "a lone anchor allows only the empty string"],
    ['{env!~"x"}', false, "!~ with a regex that matches something"],
    ['{env=""}', false, "= limits"],
    ["up", false, "a metric name limits"],
    ["{}", true, "no matchers at all"],
  ])("%s → %s (%s)", (text, expected, _why) => {
    expect(matchesEverything(selector(text))).toBe(expected);
  });
});

describe("validateLabelPolicySelector", () => {
  it.each<[string, string]>([
    ['{env != "dev"}', '{env!="dev"}'],
    ['{env="dev", team=~"a|b"}', '{env="dev", team=~"a|b"}'],
    ['{env=~".*", team="a"}', '{env=~".*", team="a"}'],
    ['{env!=""}', '{env!=""}'],
    ["up", "up"],
  ])("accepts %s, which limits something", (text, canonical) => {
    const validated = validateLabelPolicySelector(text);
    expect(validated.ok).toBe(true);
    if (validated.ok) expect(printSelector(validated.value)).toBe(canonical);
  });

  it.each<[string, SelectorErrorCode, number]>([
    ["{}", "selector_empty", 0],
    ["  {  }", "selector_empty", 2],
    ["", "selector_empty", 0],
    ['{env=~".*"}', "selector_matches_everything", 0],
    [' {a=~".*", b=~"(.*)"}', "selector_matches_everything", 1],
    ['{a="b"} or {a=~".*"}', "selector_syntax", 8],
    ['{a=~"(a+)+$"}', "regex_catastrophic", 7],
  ])("refuses %s with %s at %d", (text, code, position) => {
    const validated = validateLabelPolicySelector(text);
    expect(validated).toMatchObject({ ok: false, error: { code, position } });
  });

  it("says that a matches-everything selector would not limit anything", () => {
    const validated = validateLabelPolicySelector('{env=~".*"}');
    expect(validated.ok).toBe(false);
    if (!validated.ok) expect(validated.error.message).toMatch(/would not limit anything/);
  });
});

import { describe, expect, it } from "vitest";
import { MAX_REGEX_LENGTH, MAX_SELECTOR_LENGTH, parseSelector, printSelector, type SelectorErrorCode } from "../../../src/core/labels/index.ts";

const r = String.raw;

describe("parseSelector accepts Prometheus series selectors", () => {
  it.each([
    ["up", "up", "a bare metric name"],
    ["up{}", "up", "a metric name with empty braces"],
    ['up{job="a"}', 'up{job="a"}', "a metric name and a matcher"],
    ['{job="a"}', '{job="a"}', "braces only"],
    ['{env="dev", team=~"a|b"}', '{env="dev", team=~"a|b"}', "the DESIGN example"],
    ['{env = "dev" ,team=~ "a|b" ,}', '{env="dev", team=~"a|b"}', "spaces around tokens and a trailing comma"],
    [' \t\n up \r\n{ a = "b" } \n', 'up{a="b"}', "tabs, newlines and carriage returns as whitespace"],
    ['up{a="b",}', 'up{a="b"}', "a trailing comma after a metric name"],
    ['{a!="x"}', '{a!="x"}', "the != operator"],
    ['{a=~"x|y"}', '{a=~"x|y"}', "the =~ operator"],
    ['{a!~"x|y"}', '{a!~"x|y"}', "the !~ operator"],
    ['{a=""}', '{a=""}', "an empty value"],
    ['{a=~""}', '{a=~""}', "an empty regex"],
    ["{a='single'}", '{a="single"}', "a single-quoted value"],
    ["{a=`raw \\n \"q\"`}", r`{a="raw \\n \"q\""}`, "a backtick raw string, where backslashes are literal"],
    [r`{a="\a\b\f\n\r\t\v\\\""}`, r`{a="\a\b\f\n\r\t\v\\\""}`, "every named escape, printed the same"],
    [r`{a='\''}`, `{a="'"}`, "an escaped single quote inside single quotes"],
    [`{a="it's"}`, `{a="it's"}`, "a bare single quote inside double quotes"],
    [`{a='say "hi"'}`, r`{a="say \"hi\""}`, "double quotes inside single quotes"],
    [r`{a="\x41\101\u0041\U00000041"}`, '{a="AAAA"}', "hex, octal, \\u and \\U escapes"],
    [r`{a="\xc3\xa9"}`, '{a="é"}', "hex escapes that form UTF-8"],
    [r`{a="\303\251"}`, '{a="é"}', "octal escapes that form UTF-8"],
    ['{a="é"}', '{a="é"}', "non-ASCII text as is"],
    [r`{a="\U0001F600"}`, '{a="😀"}', "an astral code point from \\U"],
    ['{a="😀"}', '{a="😀"}', "an astral character as is"],
    [r`{a="\x00\x1f\x7f"}`, r`{a="\x00\x1f\x7f"}`, "control characters printed as \\x escapes"],
    ['{a="line1\\nline2"}', '{a="line1\\nline2"}', "an escaped newline"],
    ['{a="}"}', '{a="}"}', "a closing brace inside a value"],
    ['{a="{,="}', '{a="{,="}', "selector punctuation inside a value"],
    [r`{a="b\"} or {c=\"d"}`, r`{a="b\"} or {c=\"d"}`, "an injection attempt that stays inside one value"],
    ['{"my.label"="x"}', '{"my.label"="x"}', "a quoted UTF-8 label name"],
    ['{"a"="x"}', '{a="x"}', "a quoted name that is an identifier, printed bare"],
    [`{'my.label'="x"}`, '{"my.label"="x"}', "a single-quoted label name"],
    [r`{"a\"b"="x"}`, r`{"a\"b"="x"}`, "a quote inside a quoted label name"],
    ['{"ünïcödé"="x"}', '{"ünïcödé"="x"}', "a non-ASCII label name"],
    ['{"my.metric"}', '{__name__="my.metric"}', "a quoted metric name inside the braces"],
    ['{"up"}', "up", "a quoted metric name that is an identifier"],
    ['{"up", job="a"}', 'up{job="a"}', "a quoted metric name first, then matchers"],
    ['{job="a", "up"}', '{job="a", __name__="up"}', "a quoted metric name after a matcher keeps its place"],
    ['{"a", "b"}', '{__name__="a", __name__="b"}', "two quoted metric names, as Prometheus allows"],
    ['{__name__="up"}', "up", "__name__ = an identifier, printed as a prefix"],
    ['{__name__=~"up|down"}', '{__name__=~"up|down"}', "a __name__ regex stays a matcher"],
    ['{__name__!="up"}', '{__name__!="up"}', "a __name__ inequality stays a matcher"],
    ['{__name__="sum"}', '{__name__="sum"}', "a keyword metric name stays inside the braces"],
    ['{__name__="my.metric", a="b"}', '{__name__="my.metric", a="b"}', "a metric name that needs quoting"],
    ['{__name__="a", __name__="b"}', '{__name__="a", __name__="b"}', "two __name__ matchers"],
    ['job:rate5m{a="b"}', 'job:rate5m{a="b"}', "colons in a recording-rule name"],
    [":foo", ":foo", "a metric name starting with a colon"],
    ["_up", "_up", "a metric name starting with an underscore"],
    ["UP", "UP", "upper-case names are not keywords"],
    ["sum_total", "sum_total", "a name that merely starts with a keyword"],
    ['up_2{a_1="x"}', 'up_2{a_1="x"}', "digits after the first character"],
    ['{_="x"}', '{_="x"}', "a one-underscore label name"],
    ['{by="x", or="y", sum="z"}', '{by="x", or="y", sum="z"}', "keywords as label names inside braces"],
    ['{a="x", a="y"}', '{a="x", a="y"}', "repeated label names"],
    ['{a=~"(?i)foo"}', '{a=~"(?i)foo"}', "a leading (?i)"],
    ['{a=~"(?s)a.b"}', '{a=~"(?s)a.b"}', "a (?s) flag group (a no-op)"],
    ['{a=~"(?P<x>a)(?<y>b)"}', '{a=~"(?P<x>a)(?<y>b)"}', "both Go spellings of named groups"],
    ['{a=~"[[:alpha:]]+"}', '{a=~"[[:alpha:]]+"}', "a POSIX class"],
    [r`{a=~"\\d+\\.\\d+"}`, r`{a=~"\\d+\\.\\d+"}`, "regex escapes written with doubled backslashes"],
    ["{a=~`\\d+`}", r`{a=~"\\d+"}`, "a regex in a raw string"],
    [r`{a=~"\\pL+\\p{Greek}*"}`, r`{a=~"\\pL+\\p{Greek}*"}`, "Unicode classes"],
    ['{a=~"[a-z]+(-[a-z]+)*"}', '{a=~"[a-z]+(-[a-z]+)*"}', "a nested repetition separated by a distinct character"],
    [r`{a=~"([a-z]+\\.)+[a-z]+"}`, r`{a=~"([a-z]+\\.)+[a-z]+"}`, "a host-name shape"],
    [r`{a=~"\\d{1,3}(\\.\\d{1,3}){3}"}`, r`{a=~"\\d{1,3}(\\.\\d{1,3}){3}"}`, "an IPv4 shape"],
    ['{a=~".*foo.*"}', '{a=~".*foo.*"}', "a contains-match"],
    ['{a=~"^prod$"}', '{a=~"^prod$"}', "redundant anchors"],
    [r`{a=~"\\x{1F600}"}`, r`{a=~"\\x{1F600}"}`, "a braced hex escape in a regex"],
    ['{a=~"x{"}', '{a=~"x{"}', "a brace that is not a repeat is a literal"],
    [r`{a=~"\\b+"}`, r`{a=~"\\b+"}`, "a repeated assertion, which RE2 allows"],
    ['{a=~"a{1000}"}', '{a=~"a{1000}"}', "the largest repeat count"],
  ] as const)("%j → %j (%s)", (text, canonical, _why) => {
    const parsed = parseSelector(text);
    expect(parsed).toMatchObject({ ok: true });
    if (!parsed.ok) return;
    expect(printSelector(parsed.value)).toBe(canonical);
  });

  it("accepts a selector and a regex of exactly the maximum lengths", () => {
    const longest = `{a="${"x".repeat(MAX_SELECTOR_LENGTH - 6)}"}`;
    expect(longest).toHaveLength(MAX_SELECTOR_LENGTH);
    expect(parseSelector(longest).ok).toBe(true);
    expect(parseSelector(`{a=~"${"a".repeat(MAX_REGEX_LENGTH)}"}`).ok).toBe(true);
  });

  it("stores a metric name as the first __name__ matcher", () => {
    expect(parseSelector('up{job="a"}')).toEqual({
      ok: true,
      value: { matchers: [{ name: "__name__", op: "=", value: "up" }, { name: "job", op: "=", value: "a" }] },
    });
  });
});

describe("parseSelector refuses faulty selectors with a code and a position", () => {
  it.each<[string, SelectorErrorCode, number, string]>([
    ["", "selector_empty", 0, "an empty string"],
    ["  \n ", "selector_empty", 0, "whitespace only"],
    ['{a="b"} or {a=~".*"}', "selector_syntax", 8, "an injected `or` after the selector"],
    ['"} or {a=~".*', "selector_syntax", 0, "text that closes a value it never opened"],
    ['{a="b"} and {c="d"}', "selector_syntax", 8, "an injected `and`"],
    ['{a="b"} unless {a="x"}', "selector_syntax", 8, "an injected `unless`"],
    ['up{a="b"} or vector(1)', "selector_syntax", 10, "a binary expression"],
    ['{a="b"}{c="d"}', "selector_syntax", 7, "two selectors"],
    ['{a="b"}\n{c="d"}', "selector_syntax", 8, "two selectors on two lines"],
    ['{a="b"};', "selector_syntax", 7, "a trailing semicolon"],
    ['{a="b"}}', "selector_syntax", 7, "an extra closing brace"],
    ['{a="b"} # comment', "selector_syntax", 8, "a PromQL comment"],
    ['{a="b" # c}', "selector_syntax", 7, "a comment inside the braces"],
    ['up{a="b"} offset 5m', "selector_syntax", 10, "an offset modifier"],
    ["up[5m]", "selector_syntax", 2, "a range selector"],
    ["rate(up[5m])", "selector_syntax", 4, "a function call"],
    ["sum(up)", "selector_syntax", 0, "an aggregation"],
    ["or", "selector_syntax", 0, "a keyword as a bare metric name"],
    ["Sum", "selector_syntax", 0, "keywords are case-insensitive"],
    ["inf", "selector_syntax", 0, "Inf is a number in PromQL"],
    ['NaN{a="b"}', "selector_syntax", 0, "NaN is a number in PromQL"],
    ["up or down", "selector_syntax", 3, "text after a bare metric name"],
    ["up}", "selector_syntax", 2, "a closing brace without an opening one"],
    ["1up", "selector_syntax", 0, "a metric name starting with a digit"],
    ["-up", "selector_syntax", 0, "a unary minus"],
    ['{{a="b"}}', "selector_syntax", 1, "nested braces"],
    ['{a="b"', "selector_syntax", 6, "a missing closing brace"],
    ['up{a="b"', "selector_syntax", 8, "a missing closing brace after a metric name"],
    ['{a="b', "selector_syntax", 3, "an unterminated string, reported at its opening quote"],
    ["{a=`b", "selector_syntax", 3, "an unterminated raw string"],
    ['{a="line\nbreak"}', "selector_syntax", 8, "a raw line break inside double quotes"],
    ["{a=b}", "selector_syntax", 3, "an unquoted value"],
    ["{a}", "selector_syntax", 2, "a label name without an operator"],
    ['{="b"}', "selector_syntax", 1, "a matcher without a label name"],
    ["{,}", "selector_syntax", 1, "a lone comma"],
    ['{a="b",,}', "selector_syntax", 7, "a double comma"],
    ['{a="b"  c="d"}', "selector_syntax", 8, "a missing comma"],
    ['{a="b"c="d"}', "selector_syntax", 6, "a missing comma without spaces"],
    ['{a=~"a"  "b"}', "selector_syntax", 9, "two values"],
    ['{a=="b"}', "selector_syntax", 3, "a PromQL comparison operator"],
    ['{a=!"b"}', "selector_syntax", 3, "a reversed operator"],
    ['{a~="b"}', "selector_syntax", 2, "a misspelled regex operator"],
    ['{a<"b"}', "selector_syntax", 2, "a relational operator"],
    ['{1a="b"}', "selector_syntax", 1, "a label name starting with a digit"],
    ['{a-b="x"}', "selector_syntax", 2, "a dash in an unquoted label name"],
    ['{a.b="x"}', "selector_syntax", 2, "a dot in an unquoted label name"],
    ['{a:b="x"}', "selector_syntax", 2, "a colon in a label name"],
    ['up{__name__="x"}', "selector_syntax", 3, "a metric name set twice"],
    ['up{"x"}', "selector_syntax", 3, "a quoted metric name after a bare one"],
    ['{""}', "selector_syntax", 1, "an empty quoted metric name"],
    ['{""="x"}', "selector_syntax", 1, "an empty quoted label name"],
    [r`{a="x\qy"}`, "selector_syntax", 5, "an unknown escape"],
    [r`{a="\x4"}`, "selector_syntax", 7, "a short hex escape, at the bad digit"],
    [r`{a="\u00"}`, "selector_syntax", 8, "a short \\u escape"],
    [r`{a="\1"}`, "selector_syntax", 6, "an octal escape needs three digits"],
    [r`{a="\400"}`, "selector_syntax", 4, "an octal escape above 255"],
    [r`{a="\8"}`, "selector_syntax", 4, "\\8 is no escape"],
    [r`{a="\uD800"}`, "selector_syntax", 4, "a surrogate code point from \\u"],
    [r`{a="\U00110000"}`, "selector_syntax", 4, "a code point beyond Unicode"],
    [r`{a="\xff"}`, "selector_syntax", 4, "a byte that is not UTF-8"],
    [r`{a="\xc3\x28"}`, "selector_syntax", 8, "a bad UTF-8 continuation byte"],
    [r`{a="\xc3"}`, "selector_syntax", 4, "a truncated UTF-8 sequence"],
    [r`{a='\"'}`, "selector_syntax", 4, "an escaped double quote inside single quotes"],
    [r`{a="\'"}`, "selector_syntax", 4, "an escaped single quote inside double quotes"],
    ['{a="\\', "selector_syntax", 4, "a backslash at the end of the input"],
    ['{a="\uD800"}', "selector_syntax", 4, "a lone surrogate in the input"],
    ['{a=~"(a+)+$"}', "regex_catastrophic", 7, "the classic (a+)+$"],
    ['{a=~"(a*)*"}', "regex_catastrophic", 7, "a star inside a star"],
    ['{a=~"(a|a)+"}', "regex_catastrophic", 6, "overlapping alternatives under a repetition"],
    ['{a=~"(.*)*"}', "regex_catastrophic", 7, "(.*)*"],
    ['{a!~"(a+)+"}', "regex_catastrophic", 7, "the same check for !~"],
    [r`{a=~"(\\w+\\s?)+"}`, "regex_catastrophic", 9, "a word-list shape, at the inner quantifier"],
    ['{a=~"(x+x+)+y"}', "regex_catastrophic", 7, "adjacent overlapping quantifiers in a loop"],
    ['{a=~".*a.*a.*a.*a"}', "regex_catastrophic", 15, "four ambiguous unbounded repetitions"],
    [`{a=~"${"a?".repeat(11)}${"a".repeat(11)}"}`, "regex_catastrophic", 26, "eleven ambiguous optional parts"],
    ['{a=~"(?=x)"}', "regex_unsupported", 5, "a lookahead"],
    ['{a=~"(?!x)"}', "regex_unsupported", 5, "a negative lookahead"],
    ['{a=~"(?<=x)y"}', "regex_unsupported", 5, "a lookbehind"],
    ['{a=~"(?<!x)y"}', "regex_unsupported", 5, "a negative lookbehind"],
    [r`{a=~"(a)\\1"}`, "regex_unsupported", 8, "a numbered backreference"],
    [r`{a=~"(?P<n>a)\\k<n>"}`, "regex_unsupported", 13, "a named backreference"],
    ['{a=~"(?P=n)"}', "regex_unsupported", 5, "a Python-style backreference"],
    ['{a=~"(?>a)"}', "regex_unsupported", 5, "an atomic group"],
    ['{a=~"a*+"}', "regex_unsupported", 7, "a possessive quantifier"],
    [r`{a=~"\\Qa.b\\E"}`, "regex_unsupported", 5, "\\Q…\\E quoting"],
    ['{a=~"(?m)^a$"}', "regex_unsupported", 5, "the multi-line flag"],
    ['{a=~"(?U)a*"}', "regex_unsupported", 5, "the ungreedy flag"],
    ['{a=~"(?-s)a"}', "regex_unsupported", 5, "clearing a flag"],
    ['{a=~"a(?i)b"}', "regex_unsupported", 6, "(?i) after the start"],
    ['{a=~"(?#note)"}', "regex_unsupported", 5, "a comment group"],
    ["{a=~\"(?'n'a)\"}", "regex_unsupported", 5, "a Perl-style named group"],
    ['{a="b",  c=~"(?!x)"}', "regex_unsupported", 13, "a fault in the second matcher"],
    ["{a=~`(?=x)`}", "regex_unsupported", 5, "a fault inside a raw string"],
    ['{a=~"("}', "regex_invalid", 5, "a missing closing parenthesis"],
    ['{a=~")"}', "regex_invalid", 5, "an unopened parenthesis"],
    ['{a=~"[a-"}', "regex_invalid", 5, "a missing closing bracket"],
    ['{a=~"[z-a]"}', "regex_invalid", 6, "a reversed range"],
    ['{a=~"*a"}', "regex_invalid", 5, "a quantifier with nothing to repeat"],
    ['{a=~"a**"}', "regex_invalid", 7, "stacked quantifiers"],
    ['{a=~"x{2}{3}"}', "regex_invalid", 9, "stacked counted repeats"],
    ['{a=~"a{2,1}"}', "regex_invalid", 6, "a repeat range that runs backwards"],
    ['{a=~"a{1001}"}', "regex_invalid", 6, "a repeat count above 1000"],
    ['{a=~"(a{100}){100}"}', "regex_invalid", 7, "nested repeat counts multiplying beyond 1000"],
    [r`{a=~"\\8"}`, "regex_unsupported", 5, "\\8 reads as a backreference"],
    [r`{a=~"\\Z"}`, "regex_invalid", 5, "an escape RE2 does not know"],
    [r`{a=~"\\p{Foo}"}`, "regex_invalid", 5, "an unknown Unicode class"],
    ['{a=~"[[:foo:]]"}', "regex_invalid", 6, "an unknown POSIX class"],
    [r`{a=~"\\"}`, "regex_invalid", 5, "a trailing backslash"],
    ['{a=~"(?P<n>a)(?P<n>b)"}', "regex_invalid", 13, "a duplicate group name"],
    ['{a=~"(?P<>a)"}', "regex_invalid", 5, "an empty group name"],
    ['{a=~"(?z)"}', "regex_invalid", 5, "an unknown flag"],
    [r`{a=~"\x28"}`, "regex_invalid", 5, "a parenthesis written as a string escape, at the escape"],
  ])("%j → %s at %d (%s)", (text, code, position, _why) => {
    const parsed = parseSelector(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect({ code: parsed.error.code, position: parsed.error.position }).toEqual({ code, position });
    expect(parsed.error.message).not.toBe("");
  });

  it.each<[string, string, SelectorErrorCode, number]>([
    ["one character too many", "x".repeat(MAX_SELECTOR_LENGTH + 1), "selector_too_long", MAX_SELECTOR_LENGTH],
    ["a long value", `{a="${"x".repeat(MAX_SELECTOR_LENGTH)}"}`, "selector_too_long", MAX_SELECTOR_LENGTH],
    ["a regex one character too long, at its quote", `{a=~"${"a".repeat(MAX_REGEX_LENGTH + 1)}"}`, "regex_too_long", 4],
  ])("refuses %s", (_why, text, code, position) => {
    expect(parseSelector(text)).toMatchObject({ ok: false, error: { code, position } });
  });

  it("refuses 1 MiB of input at the length bound without reading it", () => {
    const huge = `{a="${"x".repeat(1 << 20)}"}`;
    expect(parseSelector(huge)).toEqual({
      ok: false,
      error: { code: "selector_too_long", message: expect.any(String), position: MAX_SELECTOR_LENGTH },
    });
  });
});

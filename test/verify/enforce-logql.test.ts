/** `enforceQuery` on LogQL: every stream selector gets the decision's matchers; pipelines are copied as written. */
import { describe, expect, it } from "vitest";
import { enforceQuery, QueryRejectedError, type QueryRejectionCode } from "../../src/verify/index.ts";
import { claims } from "./helpers.ts";

const DEV = claims("logs:read", ['{env="dev"}']);
const logql = (q: string, c = DEV) => enforceQuery(c, q, { language: "logql" });

describe("rewrites every stream selector under {env=\"dev\"}", () => {
  it.each([
    ["a selector", '{app="api"}', '{env="dev", app="api"}'],
    ["spaces inside the braces", '{ app = "api" , ns =~ "a|b" }', '{env="dev", app="api", ns=~"a|b"}'],
    ["every operator", '{app=~"api|web", ns!="kube-system", pod!~"x.*"}', '{env="dev", app=~"api|web", ns!="kube-system", pod!~"x.*"}'],
    ["a raw string value", "{app=`api`}", '{env="dev", app=`api`}'],
    ["a conflicting matcher: both apply", '{env="prod"}', '{env="dev", env="prod"}'],
    ["line filters", '{app="api"} |= "error" != "debug" |~ "err.*" !~ `x{2}`', '{env="dev", app="api"} |= "error" != "debug" |~ "err.*" !~ `x{2}`'],
    ["a line filter with or", '{app="api"} |= "a" or "b"', '{env="dev", app="api"} |= "a" or "b"'],
    ["an ip() line filter", '{app="api"} |= ip("10.0.0.0/8")', '{env="dev", app="api"} |= ip("10.0.0.0/8")'],
    ["json and a label filter", '{app="api"} | json | level="error"', '{env="dev", app="api"} | json | level="error"'],
    ["logfmt flags and a duration filter", '{app="api"} | logfmt --strict | duration > 10s', '{env="dev", app="api"} | logfmt --strict | duration > 10s'],
    ["braces inside a template string, untouched", '{app="api"} | line_format "{{.msg}} {app=\\"x\\"}"', '{env="dev", app="api"} | line_format "{{.msg}} {app=\\"x\\"}"'],
    ["label_format", '{app="api"} | label_format dst="{{.src}}"', '{env="dev", app="api"} | label_format dst="{{.src}}"'],
    ["pattern and regexp parsers", '{app="api"} | pattern "<ip> - <_>" | regexp `(?P<x>\\w+)`', '{env="dev", app="api"} | pattern "<ip> - <_>" | regexp `(?P<x>\\w+)`'],
    ["keep, drop and decolorize", '{app="api"} | keep app, level | drop pod | decolorize', '{env="dev", app="api"} | keep app, level | drop pod | decolorize'],
    ["a query over several lines", '{app="api"}\n  |= "error"\n  | json', '{env="dev", app="api"}\n  |= "error"\n  | json'],
    ["count_over_time", 'count_over_time({app="api"}[5m])', 'count_over_time({env="dev", app="api"}[5m])'],
    ["rate over a pipeline, by a label", 'sum by (level) (rate({app="api"} | json [1m]))', 'sum by (level) (rate({env="dev", app="api"} | json [1m]))'],
    ["two selectors in a binary operation", 'sum(rate({app="a"}[5m])) / sum(rate({app="b"}[5m]))', 'sum(rate({env="dev", app="a"}[5m])) / sum(rate({env="dev", app="b"}[5m]))'],
    ["topk over bytes_over_time", 'topk(3, sum by (app) (bytes_over_time({ns="x"}[1h])))', 'topk(3, sum by (app) (bytes_over_time({env="dev", ns="x"}[1h])))'],
    ["unwrap with a conversion", 'avg_over_time({app="api"} | logfmt | unwrap duration(latency) [5m]) by (host)', 'avg_over_time({env="dev", app="api"} | logfmt | unwrap duration(latency) [5m]) by (host)'],
    ["an offset", 'sum(count_over_time({app="api"}[5m] offset 1h))', 'sum(count_over_time({env="dev", app="api"}[5m] offset 1h))'],
    ["upper-case function names, as Loki accepts", 'RATE({app="api"}[1m])', 'RATE({env="dev", app="api"}[1m])'],
    ["a selector-free query", "vector(1)", "vector(1)"],
  ])("%s", (_name, query, expected) => {
    expect(logql(query)).toBe(expected);
  });

  it("merges several = and =~ selectors on one label", () => {
    expect(logql('{app="api"}', claims("logs:read", ['{env="dev"}', '{env=~"qa-.*"}']))).toBe('{env=~"dev|(?:qa-.*)", app="api"}');
  });

  it("leaves the query untouched when the decision has no labels claim", () => {
    expect(logql('{app="api"} # anything', claims("logs:read"))).toBe('{app="api"} # anything');
  });
});

describe("refuses", () => {
  const cases: Array<[string, string, QueryRejectionCode, number, string[]?]> = [
    ["a # comment, which could hide a brace", '{app="api"} # }', "query_unsupported", 12],
    ["a // comment", '{app="api"} // x', "query_unsupported", 12],
    ["a /* */ comment", '{app="api"} /* { */', "query_unsupported", 12],
    ["single-quoted values (Go character literals to Loki)", "{app='api'}", "query_syntax", 5],
    ["a single-quoted template", "{app=\"api\"} | line_format '{{.x}}'", "query_unsupported", 26],
    ["an empty selector", "{}", "query_syntax", 1],
    ["a trailing comma", '{app="api",}', "query_syntax", 11],
    ["a quoted label name", '{"app"="api"}', "query_syntax", 1],
    ["a missing operator", '{app "api"}', "query_syntax", 5],
    ["an unterminated selector", '{app="api"', "query_syntax", 10],
    ["an unterminated string", '{app="api"} |= "oops', "query_syntax", 15],
    ["a stray closing brace", '{app="api"}}', "query_syntax", 11],
    ["a nested brace", '{app={x="y"}}', "query_syntax", 5],
    ["a range with a space", 'count_over_time({app="api"}[5 m])', "query_syntax", 28],
    ["an unclosed range", 'count_over_time({app="api"}[5m)', "query_syntax", 27],
    ["an unknown function", 'variants(count_over_time({app="api"}[1m])) of ({app="api"}[1m])', "query_unsupported", 0],
    ["a non-breaking space", '{app="api"}\u00a0|= "x"', "query_syntax", 11],
    ["an injection attempt", '{app="api"} or {app=~".*"', "query_syntax", 25],
    ["a decision without logs:read", '{app="api"}', "scope_not_granted", 0],
    ["a UTF-8 label name LogQL cannot write", '{app="api"}', "label_not_expressible", 0, ['{"service.name"="api"}']],
    ["selectors on different labels", '{app="api"}', "several_selectors", 0, ['{env="dev"}', '{team="a"}']],
  ];
  it.each(cases)("%s", (name, query, code, position, labels) => {
    const c = code === "scope_not_granted" ? claims("metrics:read logs:write", ['{env="dev"}']) : labels ? claims("logs:read", labels) : DEV;
    let error: unknown;
    try {
      logql(query, c);
    } catch (e) {
      error = e;
    }
    expect(error, name).toBeInstanceOf(QueryRejectedError);
    expect({ code: (error as QueryRejectedError).code, position: (error as QueryRejectedError).position }).toEqual({ code, position });
  });
});

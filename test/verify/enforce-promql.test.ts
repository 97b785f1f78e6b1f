/** `enforceQuery` on PromQL: every vector selector gets the decision's matchers; what cannot be rewritten is refused. */
import { describe, expect, it } from "vitest";
import { enforceQuery, MAX_QUERY_LENGTH, QueryRejectedError, type QueryRejectionCode } from "../../src/verify/index.ts";
import { claims } from "./helpers.ts";

const DEV = claims("metrics:read", ['{env="dev"}']);
const promql = (q: string, c = DEV) => enforceQuery(c, q, { language: "promql" });

describe("rewrites every vector selector under {env=\"dev\"}", () => {
  it.each([
    // selectors
    ["a bare metric", "up", 'up{env="dev"}'],
    ["a metric with matchers", 'up{job="api"}', 'up{env="dev", job="api"}'],
    ["braces only", '{job="api"}', '{env="dev", job="api"}'],
    ["empty braces after a metric", "up{}", 'up{env="dev"}'],
    ["empty braces alone (Prometheus refuses them; the rewrite selects only dev)", "{}", '{env="dev"}'],
    ["a trailing comma and spaces", 'up{ job = "api" , }', 'up{env="dev", job = "api"}'],
    ["a recording-rule name", "job:http_requests:rate5m", 'job:http_requests:rate5m{env="dev"}'],
    ["regex matchers, kept verbatim", 'x{a=~"b|c", d!~"e.*", f!="g"}', 'x{env="dev", a=~"b|c", d!~"e.*", f!="g"}'],
    ["single-quoted and raw strings, kept verbatim", "x{a='it\\'s', b=`C:\\x`}", null],
    ["a __name__ matcher", '{__name__="up"}', '{env="dev", __name__="up"}'],
    ["a __name__ regex", '{__name__=~"node_.*", job="node"}', '{env="dev", __name__=~"node_.*", job="node"}'],
    ["a quoted UTF-8 metric name", '{"my.metric"}', '{env="dev", "my.metric"}'],
    ["quoted UTF-8 names and labels", '{"my.metric", "service.name"="api"}', '{env="dev", "my.metric", "service.name"="api"}'],
    ["a conflicting matcher: both apply, dev AND prod selects nothing", 'up{env="prod"}', 'up{env="dev", env="prod"}'],
    ["a contradicting matcher", 'up{env!="dev"}', 'up{env="dev", env!="dev"}'],
    ["a comment between name and braces", 'up # note\n{job="a"}', 'up{env="dev", job="a"}'],
    ["a comment inside the braces", 'up{\n  job="a", # why\n}', 'up{env="dev", job="a"}'],
    ["a trailing comment, kept", "up # note", 'up{env="dev"} # note'],
    // ranges, offsets, functions
    ["a range selector", "up[5m]", 'up{env="dev"}[5m]'],
    ["rate over a range", "rate(http_requests_total[5m])", 'rate(http_requests_total{env="dev"}[5m])'],
    ["an offset", "up offset 1h", 'up{env="dev"} offset 1h'],
    ["a negative offset on a range", 'rate(x{job="a"}[5m] offset -1h)', 'rate(x{env="dev", job="a"}[5m] offset -1h)'],
    ["duration arithmetic", "x[5m+1m]", 'x{env="dev"}[5m+1m]'],
    ["max_over_time", "max_over_time(x[1h])", 'max_over_time(x{env="dev"}[1h])'],
    ["histogram_quantile over an aggregation", "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
      'histogram_quantile(0.99, sum by (le) (rate(h_bucket{env="dev"}[5m])))'],
    ["label_replace, its strings untouched", 'label_replace(up, "dst", "$1", "src", "(.*)")', 'label_replace(up{env="dev"}, "dst", "$1", "src", "(.*)")'],
    ["absent", 'absent(nonexistent{job="x"})', 'absent(nonexistent{env="dev", job="x"})'],
    ["absent_over_time", "absent_over_time(nope[5m])", 'absent_over_time(nope{env="dev"}[5m])'],
    ["scalar and time", "scalar(x) * time()", 'scalar(x{env="dev"}) * time()'],
    ["sort_by_label", 'sort_by_label(up, "job")', 'sort_by_label(up{env="dev"}, "job")'],
    // aggregations
    ["sum by", "sum by (job) (rate(x[5m]))", 'sum by (job) (rate(x{env="dev"}[5m]))'],
    ["sum ... by after the body", "sum(up) by (job)", 'sum(up{env="dev"}) by (job)'],
    ["sum without", "sum without (instance) (x)", 'sum without (instance) (x{env="dev"})'],
    ["grouping by a UTF-8 label", 'sum by ("service.name") (up)', 'sum by ("service.name") (up{env="dev"})'],
    ["topk", "topk(5, x)", 'topk(5, x{env="dev"})'],
    ["count_values", 'count_values("v", x)', 'count_values("v", x{env="dev"})'],
    ["quantile", "quantile(0.9, x)", 'quantile(0.9, x{env="dev"})'],
    // binary operations
    ["division with on/group_left", "a / on(job) group_left(team) b", 'a{env="dev"} / on(job) group_left(team) b{env="dev"}'],
    ["ignoring", "a + ignoring(x) b", 'a{env="dev"} + ignoring(x) b{env="dev"}'],
    ["a bool comparison", "a > bool 3", 'a{env="dev"} > bool 3'],
    ["and / unless", "a and b unless c", 'a{env="dev"} and b{env="dev"} unless c{env="dev"}'],
    ["or vector(0)", "a or vector(0)", 'a{env="dev"} or vector(0)'],
    ["unary minus and parentheses", "-(a)", '-(a{env="dev"})'],
    ["power and modulo", "x ^ 2 % 3", 'x{env="dev"} ^ 2 % 3'],
    // no selector at all
    ["numbers only", "1 + 1", "1 + 1"],
    ["time()", "time()", "time()"],
    ["a string literal", '"text"', '"text"'],
  ])("%s: %s", (_name, query, expected) => {
    expect(promql(query)).toBe(expected ?? query.replace(/^x\{/, 'x{env="dev", '));
  });
});

describe("injects the decision's matchers as they are", () => {
  it.each([
    ["two ANDed matchers", ['{env="dev", team=~"a|b"}'], 'up{job="x"}', 'up{env="dev", team=~"a|b", job="x"}'],
    ["a UTF-8 label name", ['{"service.name"="checkout"}'], "up", 'up{"service.name"="checkout"}'],
    ["escapes, re-quoted canonically", ["{path='a\"b\\\\c'}"], "up", 'up{path="a\\"b\\\\c"}'],
    ["a __name__ regex: the metric name moves inside the braces", ['{__name__=~"node_.*"}'], 'node_cpu{mode="idle"}',
      '{__name__=~"node_.*", __name__="node_cpu", mode="idle"}'],
    ["a __name__ regex on braces only", ['{__name__=~"node_.*"}'], '{job="n"}', '{__name__=~"node_.*", job="n"}'],
    ["a metric name prefix in the decision", ['up{job="api"}'], "up", '{__name__="up", job="api", __name__="up"}'],
    ["several = and =~ on one label, merged into one anchored alternation", ['{env="dev"}', '{env=~"qa-.*"}'], "up",
      'up{env=~"dev|(?:qa-.*)"}'],
    ["merged values with regex metacharacters, escaped", ['{env="a.b"}', '{env="c|d"}'], "up", 'up{env=~"a\\\\.b|c\\\\|d"}'],
    ["duplicate selectors, counted once", ['{env="dev"}', "{ env = 'dev' }"], "up", 'up{env="dev"}'],
  ])("%s", (_name, labels, query, expected) => {
    expect(promql(query, claims("metrics:read", labels))).toBe(expected);
  });

  it("leaves the query untouched when the decision has no labels claim, whatever it uses", () => {
    expect(promql("up @ 10", claims("metrics:read"))).toBe("up @ 10");
  });
});

describe("refuses", () => {
  const cases: Array<[string, string, QueryRejectionCode, number, string[]?]> = [
    ["the @ modifier", "up @ 1609746000", "query_unsupported", 3],
    ["@ start()", "rate(x[5m]) @ start()", "query_unsupported", 12],
    ["a subquery", "up[5m:1m]", "query_unsupported", 2],
    ["a nested subquery", "max_over_time(rate(x[5m])[1h:])", "query_unsupported", 25],
    ["info(), which reads target_info by itself", "info(up)", "query_unsupported", 0],
    ["info() with a data-label selector", 'info(rate(x[5m]), {k8s_cluster=~".+"})', "query_unsupported", 0],
    ["the experimental anchored modifier", "x[5m] anchored", "query_unsupported", 6],
    ["the experimental smoothed modifier", "rate(x[5m] smoothed)", "query_unsupported", 11],
    ["the experimental fill modifier", "a + fill(0) b", "query_unsupported", 4],
    ["the experimental </ operator", "a </ b", "query_unsupported", 2],
    ["duration functions", "x[step()]", "query_unsupported", 2],
    ["an unknown function", "foo(bar)", "query_syntax", 3],
    ["an unterminated selector", 'up{job="a"', "query_syntax", 10],
    ["an unterminated string", 'up{job="a}', "query_syntax", 7],
    ["an unknown escape", 'up{job="\\q"}', "query_syntax", 8],
    ["a line break in a string", 'up{job="a\nb"}', "query_syntax", 9],
    ["an unclosed call", "sum(up", "query_syntax", 6],
    ["a dangling operator", "up +", "query_syntax", 4],
    ["a stray brace", 'up{job="a"}}', "query_syntax", 11],
    ["an injection attempt", 'up{job="a"} or {job=~".*"', "query_syntax", 25],
    ["a missing comma", 'up{a="b" c="d"}', "query_syntax", 9],
    ["a query over the length limit", "x".repeat(MAX_QUERY_LENGTH + 1), "query_too_long", MAX_QUERY_LENGTH],
    ["a decision without metrics:read", "up", "scope_not_granted", 0, undefined],
    ["selectors on different labels", "up", "several_selectors", 0, ['{env="dev"}', '{team="a"}']],
    ["several selectors with two matchers", "up", "several_selectors", 0, ['{env="dev", team="a"}', '{env="qa"}']],
    ["several selectors with !=", "up", "several_selectors", 0, ['{env!="prod"}', '{env="qa"}']],
  ];
  it.each(cases)("%s", (name, query, code, position, labels) => {
    const c = code === "scope_not_granted" ? claims("logs:read metrics:write", ['{env="dev"}']) : labels ? claims("metrics:read", labels) : DEV;
    let error: unknown;
    try {
      promql(query, c);
    } catch (e) {
      error = e;
    }
    expect(error, name).toBeInstanceOf(QueryRejectedError);
    expect({ code: (error as QueryRejectedError).code, position: (error as QueryRejectedError).position }).toEqual({ code, position });
  });

  it("with a message that names the construct", () => {
    expect(() => promql("up @ 10")).toThrow("the @ modifier is not supported");
    expect(() => promql("up[5m:1m]")).toThrow("subqueries are not supported");
    expect(() => promql("info(up)")).toThrow("the function info() is not supported");
  });
});

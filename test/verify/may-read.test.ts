/** `mayRead`: may this series (label set) be read under this decision? */
import { describe, expect, it } from "vitest";
import { mayRead, type LabelScope } from "../../src/verify/index.ts";
import { claims } from "./helpers.ts";

type Row = [labels: Record<string, string>, expected: boolean];

describe("the decision's selectors decide (missing label = empty string, ANDed matchers, ORed selectors, anchored regexes)", () => {
  const table: Array<[string, string[], Row[]]> = [
    ["one equality", ['{env="dev"}'], [
      [{ env: "dev" }, true], [{ env: "dev", team: "x", __name__: "up" }, true], [{ env: "prod" }, false],
      [{ env: "Dev" }, false], [{ env: "dev " }, false], [{}, false], [{ team: "dev" }, false],
    ]],
    ["an inequality, which a missing label satisfies", ['{env!="prod"}'], [
      [{}, true], [{ env: "dev" }, true], [{ env: "prod" }, false],
    ]],
    ["ANDed matchers", ['{env="dev", team=~"a|b"}'], [
      [{ env: "dev", team: "a" }, true], [{ env: "dev", team: "b" }, true], [{ env: "dev", team: "c" }, false],
      [{ env: "dev" }, false], [{ team: "a" }, false],
    ]],
    ["ORed selectors", ['{env="dev"}', '{team="a"}'], [
      [{ env: "dev" }, true], [{ team: "a" }, true], [{ env: "prod", team: "a" }, true], [{ env: "prod", team: "b" }, false],
    ]],
    ["a regex, fully anchored", ['{env=~"dev|qa"}'], [
      [{ env: "dev" }, true], [{ env: "qa" }, true], [{ env: "devops" }, false], [{ env: "xdev" }, false], [{ env: "" }, false],
    ]],
    ["a negative regex", ['{env!~"prod.*"}'], [
      [{ env: "dev" }, true], [{}, true], [{ env: "prod" }, false], [{ env: "production" }, false],
    ]],
    ["a regex matching the empty string", ['{team=~"a|"}'], [[{}, true], [{ team: "a" }, true], [{ team: "b" }, false]]],
    ["a case-insensitive regex", ['{env=~"(?i)dev"}'], [[{ env: "DEV" }, true], [{ env: "dEv" }, true], [{ env: "prod" }, false]]],
    ["the metric name", ['{__name__=~"node_.*"}'], [
      [{ __name__: "node_cpu_seconds_total" }, true], [{ __name__: "up" }, false], [{}, false],
    ]],
    ["a metric name before the braces", ['up{job="api"}'], [
      [{ __name__: "up", job: "api" }, true], [{ __name__: "down", job: "api" }, false],
    ]],
    ["a UTF-8 label name", ['{"service.name"="checkout"}'], [
      [{ "service.name": "checkout" }, true], [{ service_name: "checkout" }, false],
    ]],
    ["a value with escapes", ['{path="a\\"b\\\\c"}'], [[{ path: 'a"b\\c' }, true], [{ path: "a\\\"b" }, false]]],
    ["a dot, which matches a newline as in Prometheus 3", ['{msg=~"a.b"}'], [[{ msg: "a\nb" }, true], [{ msg: "ab" }, false]]],
  ];
  for (const [name, labels, rows] of table) {
    it.each(rows)(`${name} ${JSON.stringify(labels)}: %j → %s`, (set, expected) => {
      expect(mayRead(claims("metrics:read", labels), set)).toBe(expected);
    });
  }
});

describe("the scope decides first", () => {
  it.each<[string, string, string[] | undefined, LabelScope | undefined, boolean]>([
    ["metrics:read without labels: anything", "metrics:read", undefined, undefined, true],
    ["logs:read without labels: anything", "logs:read", undefined, undefined, true],
    ["metrics:write only: nothing", "metrics:write", undefined, undefined, false],
    ["traces:read only: nothing (labels limit metrics and logs)", "traces:read", undefined, undefined, false],
    ["metrics:read, asked for logs:read: nothing", "metrics:read", undefined, "logs:read", false],
    ["metrics:read logs:write, asked for logs:read: nothing", "logs:write metrics:read", undefined, "logs:read", false],
    ["logs:read, asked for logs:read: the selectors", "logs:read", ['{app="api"}'], "logs:read", true],
    ["metrics:read with labels, but only metrics:write granted", "metrics:write", ['{app="api"}'], undefined, false],
    ["a scope that only starts like metrics:read", "metrics:reader", undefined, undefined, false],
  ])("%s", (_name, scope, labels, asked, expected) => {
    expect(mayRead(claims(scope, labels), { app: "api" }, asked ? { scope: asked } : {})).toBe(expected);
  });
});

describe("fails closed", () => {
  it("on a labels claim that is not valid selectors (hand-built claims)", () => {
    expect(() => mayRead(claims("metrics:read", ["{env="]), { env: "dev" })).toThrow(TypeError);
    expect(() => mayRead(claims("metrics:read", ['{env=~".*"}']), { env: "dev" })).toThrow(/matches every series/);
  });

  it("on a scope option that is not a label scope", () => {
    expect(() => mayRead(claims("traces:read"), {}, { scope: "traces:read" as LabelScope })).toThrow(TypeError);
  });

  it("and reads only own labels, never inherited ones", () => {
    expect(mayRead(claims("metrics:read", ['{env="dev"}']), Object.create({ env: "dev" }) as Record<string, string>)).toBe(false);
  });

  it("and sees a labels array changed in place", () => {
    const c = claims("metrics:read", ['{env="dev"}']);
    expect(mayRead(c, { env: "dev" })).toBe(true);
    (c.labels as string[])[0] = '{env="prod"}';
    expect(mayRead(c, { env: "dev" })).toBe(false);
  });
});

/**
 * Hostile label-policy selectors (issue #7, item 8), against an oracle that evaluates matchers as
 * plain string comparisons and set membership: every spelling of a selector (quotes, escapes,
 * whitespace, a metric-name prefix) must match exactly the label sets the oracle says, including
 * Unicode lookalikes and NFC/NFD/NFKC variants, which must never match each other. Arbitrary text
 * must never crash the parser, and any fault must point inside the text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileSelector,
  MAX_SELECTOR_LENGTH,
  parseSelector,
  printSelector,
  selectorMatches,
  validateLabelPolicySelector,
  type LabelSet,
  type MatchOp,
} from "../../src/core/labels/index.ts";

/** Generated cases per property; their sum is reported in the issue. */
export const RUNS = { matching: 1500, garbage: 1500, validate: 500 } as const;

/** One matcher of the oracle: `=`/`!=` compare with `values[0]`; `=~`/`!~` test membership in `values`. */
interface OracleMatcher {
  name: string;
  op: MatchOp;
  values: string[];
}

const NAMES = ["env", "team", "app", "__name__", "my.label", "\u00fcn\u00ef", "env\u200d", "\u0435nv"];
const VALUES = [
  "dev", "d\u0435v", "\uff44\uff45\uff56", "de\u200dv", "dev\u0301", "DEV", "prod", "", " dev", "dev\n", "a|b", ".*",
  "\u00e9", "e\u0301", "\ufb01", "fi", "\\", '"', "'", "`", "\u{1f600}", "x\ty", "\u00a0", "100%", "{}", "a,b",
];

function oracleMatches(matchers: readonly OracleMatcher[], labels: LabelSet): boolean {
  return matchers.every(({ name, op, values }) => {
    const v = Object.hasOwn(labels, name) ? labels[name]! : "";
    switch (op) {
      case "=": return v === values[0];
      case "!=": return v !== values[0];
      case "=~": return values.includes(v);
      case "!~": return !values.includes(v);
    }
  });
}

// ---- rendering: RE2 escaping, Go string escaping, whitespace -----------------------------------

const re2Literal = (s: string) => s.replace(/[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/g, (c) => `\\${c}`);

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** Writes `value` as a string literal in the chosen style; `escapeMore` picks per character whether to use `\u`. */
function literal(value: string, style: '"' | "'" | "`", escapeMore: readonly boolean[]): string {
  if (style === "`" && !value.includes("`")) return `\`${value}\``;
  const quote = style === "`" ? '"' : style;
  let out = quote;
  let k = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    const more = escapeMore[k++ % escapeMore.length] ?? false;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (more && cp > 0xffff) out += `\\U${hex(cp, 8)}`;
    else if (more) out += `\\u${hex(cp, 4)}`;
    else out += ch;
  }
  return out + quote;
}

const WS = ["", "", " ", "\t", "\n", "\r\n", "  "];

interface Rendered {
  text: string;
  matchers: OracleMatcher[];
}

const opArb = fc.constantFrom<MatchOp>("=", "!=", "=~", "!~");

const matcherArb: fc.Arbitrary<OracleMatcher> = fc
  .record({
    name: fc.constantFrom(...NAMES.filter((n) => n !== "__name__")),
    op: opArb,
    values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  })
  .map(({ name, op, values }) => ({ name, op, values: op === "=" || op === "!=" ? values.slice(0, 1) : values }));

const rendered: fc.Arbitrary<Rendered> = fc
  .record({
    prefix: fc.constantFrom(null, null, "up", "node_cpu:rate5m"),
    matchers: fc.array(matcherArb, { maxLength: 4 }),
    ws: fc.array(fc.constantFrom(...WS), { minLength: 40, maxLength: 40 }),
    styles: fc.array(fc.constantFrom<'"' | "'" | "`">('"', "'", "`"), { minLength: 8, maxLength: 8 }),
    escapes: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
    trailingComma: fc.boolean(),
  })
  .map(({ prefix, matchers, ws, styles, escapes, trailingComma }) => {
    let w = 0;
    const s = () => ws[w++ % ws.length]!;
    const items = matchers.map((m, i) => {
      const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name) ? m.name : literal(m.name, '"', escapes);
      const value = m.op === "=" || m.op === "!=" ? m.values[0]! : m.values.map(re2Literal).join("|");
      return `${name}${s()}${m.op}${s()}${literal(value, styles[i % styles.length]!, escapes)}`;
    });
    const list = items.map((item) => `${s()}${item}${s()}`).join(",");
    const body = `{${list}${trailingComma && items.length > 0 ? `,${s()}` : ""}}`;
    const all = prefix === null ? matchers : [{ name: "__name__", op: "=" as const, values: [prefix] }, ...matchers];
    return { text: `${s()}${prefix ?? ""}${prefix === null ? "" : s()}${body}${s()}`, matchers: all };
  });

const labelSet: fc.Arbitrary<LabelSet> = fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES), { maxKeys: 5 });

describe("selectors agree with the oracle", () => {
  it("the generated worlds reach both matches and non-matches", () => {
    const sample = fc.sample(fc.tuple(rendered, labelSet), { numRuns: 1000, seed: 11 });
    const hits = sample.filter(([r, l]) => oracleMatches(r.matchers, l)).length;
    expect(hits).toBeGreaterThan(150);
    expect(hits).toBeLessThan(850);
  });

  it("every spelling parses, and matches exactly the label sets the oracle matches (lookalikes never stand in)", () => {
    fc.assert(
      fc.property(rendered, fc.array(labelSet, { minLength: 1, maxLength: 4 }), (r, sets) => {
        const parsed = parseSelector(r.text);
        if (!parsed.ok) expect.fail(`refused ${JSON.stringify(r.text)}: ${parsed.error.message} at ${parsed.error.position}`);
        const compiled = compileSelector(parsed.value);
        const canonical = parseSelector(printSelector(parsed.value));
        expect(canonical).toEqual(parsed);
        for (const labels of sets) {
          const want = oracleMatches(r.matchers, labels);
          if (selectorMatches(compiled, labels) !== want) {
            expect({ text: r.text, labels, matches: !want }).toEqual({ text: r.text, labels, matches: want });
          }
        }
      }),
      { numRuns: RUNS.matching },
    );
  });

  it.each([
    ['{env="dev"}', { env: "d\u0435v" }],
    ['{env="dev"}', { env: "\uff44\uff45\uff56" }],
    ['{env="dev"}', { env: "de\u200dv" }],
    ['{env="dev"}', { "env\u200d": "dev" }],
    ['{env="\u00e9"}', { env: "e\u0301" }],
    ['{env=~"dev|prod"}', { env: "DEV" }],
    ['{env=~"dev"}', { env: "dev\n" }],
    ['{env=~"fi"}', { env: "\ufb01" }],
  ])("%s does not match the lookalike %j", (text, labels) => {
    const parsed = parseSelector(text);
    expect(parsed.ok && selectorMatches(compileSelector(parsed.value), labels)).toBe(false);
  });
});

describe("arbitrary text never crashes the parser", () => {
  const piece = fc.constantFrom(
    "{", "}", ",", "=", "!=", "=~", "!~", '"', "'", "`", "\\", "\\x", "\\u", "\\U0010ffff", "\\xff", "\\377", "env", "__name__",
    "up", " ", "\n", "\t", "(", ")", "(?i)", "(?=", "[", "]", "*", "+", "{1000}", "{1001}", ".*", "|", "\ud800", "\udc00",
    "\u0000", "\u200d", "\u0435", "sum", "or", "#", "a".repeat(50),
  );
  const text = fc.oneof(fc.array(piece, { maxLength: 30 }).map((p) => p.join("")), fc.string({ unit: "binary", maxLength: 80 }));

  it("parseSelector and validateLabelPolicySelector always return, with a fault inside the text; accepted text round-trips", () => {
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseSelector(t);
        const validated = validateLabelPolicySelector(t);
        for (const r of [parsed, validated]) {
          if (r.ok) continue;
          expect(Number.isInteger(r.error.position)).toBe(true);
          expect(r.error.position).toBeGreaterThanOrEqual(0);
          expect(r.error.position).toBeLessThanOrEqual(t.length);
        }
        if (parsed.ok) {
          expect(parseSelector(printSelector(parsed.value))).toEqual(parsed);
          expect(() => compileSelector(parsed.value)).not.toThrow();
        }
        if (validated.ok) expect(parsed.ok).toBe(true);
      }),
      { numRuns: RUNS.garbage },
    );
  });

  it("label policies that would limit nothing are refused at write time, whatever their spelling", () => {
    const everything = fc.constantFrom("{}", '{env=~".*"}', '{env=~"(.*)"}', '{env!~"[^\\\\x00-\\\\x{10FFFF}]"}', '{a=~".*", b=~".*|x"}');
    fc.assert(
      fc.property(everything, fc.constantFrom(...WS), (t, w) => {
        expect(validateLabelPolicySelector(`${w}${t}${w}`).ok).toBe(false);
      }),
      { numRuns: RUNS.validate },
    );
  });

  it("refuses oversized input before reading it, and catastrophic regexes", () => {
    expect(parseSelector(`{env="${"a".repeat(MAX_SELECTOR_LENGTH)}"}`)).toMatchObject({ ok: false, error: { code: "selector_too_long" } });
    expect(parseSelector(`{env=~"${"a".repeat(1025)}"}`)).toMatchObject({ ok: false, error: { code: "regex_too_long" } });
    for (const re of ["(a+)+", "(a*)*b", "(a|a)*c", "(a|aa)+$", "((a+)+)+", "(.*a){20}", "(\\\\w+\\\\s?)+$", "(.*)*x", "(a?){25}a{25}", "(x+x+)+y", "(a|ab)*c"]) {
      expect(parseSelector(`{env=~"${re}"}`)).toMatchObject({ ok: false, error: { code: "regex_catastrophic" } });
    }
  });
});

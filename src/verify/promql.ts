/**
 * Enforcing a decision on a PromQL query, as prom-label-proxy does: parse the query with Prometheus's own
 * lezer grammar (`@prometheus-io/lezer-promql`), then rewrite every vector selector from the tree.
 *
 * - Every node of the tree must be of a type this module knows (an allow-list), so syntax added to the
 *   grammar later is refused until someone decides it is safe; parse errors are refused too.
 * - Each `VectorSelector` node is re-printed from its children: the decision's matchers first, then the user's
 *   matchers as the parser delimited them (`metric{env="dev", job="api"}`). Text outside vector selectors is
 *   copied byte for byte. No user text is ever re-interpreted or concatenated into a matcher.
 * - Every string literal is re-read with the Go rules Prometheus applies, so the parser and Prometheus agree
 *   on where each string ends.
 * - The result is parsed again and every vector selector must start with the injected matchers, or the query
 *   is refused: the rewrite proves itself before it is returned.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { METRIC_NAME_LABEL, type Matcher } from "../core/labels/index.ts";
import { QueryRejectedError } from "./errors.ts";
import { checkStringLiteral, printMatcher } from "./print.ts";
import { setsMetricName } from "./selectors.ts";

type Tree = ReturnType<typeof parser.parse>;
type Node = Tree["topNode"];

/** Node types the rewrite understands. Function names are checked apart, against {@link FUNCTIONS}. */
const NODES: ReadonlySet<string> = new Set([
  "PromQL", "ParenExpr", "UnaryExpr", "UnaryOp", "BinaryExpr", "BoolModifier", "Bool", "MatchingModifierClause",
  "On", "Ignoring", "GroupLeft", "GroupRight", "GroupingLabels", "LabelName", "QuotedLabelName", "StringLiteral",
  "Pow", "Mul", "Div", "Mod", "Atan2", "Add", "Sub", "Eql", "Gte", "Gtr", "Lte", "Lss", "Neq", "And", "Or", "Unless",
  "AggregateExpr", "AggregateOp", "AggregateModifier", "By", "Without", "FunctionCallBody",
  "Avg", "Bottomk", "Count", "CountValues", "Group", "Max", "Min", "Quantile", "LimitK", "LimitRatio", "Stddev",
  "Stdvar", "Sum", "Topk", "FunctionCall", "FunctionIdentifier", "MatrixSelector", "DurationExpr", "OffsetExpr",
  "Offset", "OffsetDurationExpr", "NumberDurationLiteral", "NumberDurationLiteralInDurationContext", "inf", "nan",
  "VectorSelector", "Identifier", "LabelMatchers", "UnquotedLabelMatcher", "QuotedLabelMatcher", "MatchOp",
  "EqlSingle", "EqlRegex", "NeqRegex", "LineComment",
]);

/** PromQL functions that read nothing beyond their arguments. `info()` is absent: it reads `target_info` series itself. */
const FUNCTIONS: ReadonlySet<string> = new Set(
  ("abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp clamp_max " +
    "clamp_min cos cosh count_over_time days_in_month day_of_month day_of_week day_of_year deg delta deriv exp " +
    "first_over_time floor histogram_avg histogram_count histogram_fraction histogram_quantile histogram_stddev " +
    "histogram_stdvar histogram_sum double_exponential_smoothing hour idelta increase irate label_replace label_join " +
    "last_over_time ln log10 log2 mad_over_time max_over_time min_over_time minute month pi predict_linear " +
    "present_over_time quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_desc sort_by_label " +
    "sort_by_label_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp " +
    "ts_of_first_over_time ts_of_last_over_time ts_of_max_over_time ts_of_min_over_time vector year").split(" "),
);

/** Why a known but refused node type is refused. */
const REFUSED: Readonly<Record<string, string>> = {
  StepInvariantExpr: "the @ modifier is not supported",
  SubqueryExpr: "subqueries are not supported",
  AnchoredExpr: "the anchored modifier is not supported",
  SmoothedExpr: "the smoothed modifier is not supported",
  FillModifier: "fill modifiers are not supported",
  TrimUpper: "the </ operator is not supported",
  TrimLower: "the >/ operator is not supported",
};

const MODIFIER_KEYWORD: Readonly<Record<string, string>> = { StepInvariantExpr: "At", AnchoredExpr: "Anchored", SmoothedExpr: "Smoothed" };

const MATCHER_NODES: ReadonlySet<string> = new Set(["UnquotedLabelMatcher", "QuotedLabelMatcher", "QuotedLabelName"]);

type Edit = { from: number; to: number; text: string };

/**
 * Returns `query` with `inject` ANDed into every vector selector.
 * @throws {QueryRejectedError} `query_syntax` or `query_unsupported`, with the position of the fault.
 */
export function enforcePromql(query: string, inject: readonly Matcher[]): string {
  const printed = inject.map(printMatcher);
  const edits: Edit[] = [];
  walk(parser.parse(query), query, (node) => edits.push({ from: node.from, to: node.to, text: rewrite(query, node, inject, printed) }));
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += query.slice(at, e.from) + e.text;
    at = e.to;
  }
  out += query.slice(at);
  prove(out, printed.join(", "), edits.length);
  return out;
}

/** Checks every node and calls `onSelector` for each vector selector, in text order. */
function walk(tree: Tree, query: string, onSelector: (node: Node) => void): void {
  tree.iterate({
    enter(ref) {
      const name = ref.type.name;
      if (ref.type.isError) throw new QueryRejectedError("query_syntax", unexpected(query, ref.from), ref.from);
      if (!NODES.has(name)) {
        const why = REFUSED[name] ?? `${JSON.stringify(query.slice(ref.from, ref.to))} (${name}) is not supported`;
        throw new QueryRejectedError("query_unsupported", why, faultAt(query, ref.node));
      }
      if (name === "StringLiteral") checkStringLiteral(query, ref.from, ref.to);
      if (name === "FunctionIdentifier") {
        const fn = query.slice(ref.from, ref.to);
        if (!FUNCTIONS.has(fn)) throw new QueryRejectedError("query_unsupported", `the function ${fn}() is not supported`, ref.from);
        return false;
      }
      if (name === "VectorSelector") onSelector(ref.node);
      return undefined;
    },
  });
}

function rewrite(query: string, node: Node, inject: readonly Matcher[], printed: readonly string[]): string {
  const ident = node.getChild("Identifier");
  const matchers = node.getChild("LabelMatchers");
  const user: string[] = [];
  for (let c = matchers?.firstChild ?? null; c !== null; c = c.nextSibling) {
    if (MATCHER_NODES.has(c.name)) user.push(query.slice(c.from, c.to));
  }
  if (ident === null) return `{${[...printed, ...user].join(", ")}}`;
  const metric = query.slice(ident.from, ident.to);
  if (!setsMetricName(inject)) return `${metric}{${[...printed, ...user].join(", ")}}`;
  // Prometheus refuses a name before the braces together with a __name__ matcher: move the name inside.
  const name = printMatcher({ name: METRIC_NAME_LABEL, op: "=", value: metric });
  return `{${[...printed, name, ...user].join(", ")}}`;
}

/** Parses the rewritten query again: it must be clean, and each of its vector selectors must open with `injected`. */
function prove(out: string, injected: string, selectors: number): void {
  let seen = 0;
  walk(parser.parse(out), out, (node) => {
    seen++;
    const m = node.getChild("LabelMatchers");
    const after = m === null ? "" : out[m.from + 1 + injected.length];
    if (m === null || !out.startsWith(`{${injected}`, m.from) || (after !== "," && after !== "}")) {
      throw new QueryRejectedError("query_unsupported", "the query could not be rewritten safely", node.from);
    }
  });
  if (seen !== selectors) throw new QueryRejectedError("query_unsupported", "the query could not be rewritten safely", 0);
}

/** Where a refused construct shows itself: the `@` or keyword of a modifier, the `[` of a subquery, else the node start. */
function faultAt(query: string, node: Node): number {
  const keyword = MODIFIER_KEYWORD[node.name];
  if (keyword !== undefined) return node.getChild(keyword)?.from ?? node.from;
  const range = node.name === "SubqueryExpr" ? node.getChild("DurationExpr") : null;
  return range === null ? node.from : query.lastIndexOf("[", range.from);
}

function unexpected(query: string, at: number): string {
  if (at >= query.length) return "unexpected end of query";
  return `unexpected ${JSON.stringify(String.fromCodePoint(query.codePointAt(at)!))}`;
}

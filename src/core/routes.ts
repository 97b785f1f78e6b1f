/**
 * The route map (DESIGN §3): which scopes a request needs, from its original method and URI.
 *
 * Rules are compiled once into segment matchers; matching walks the path's segments and never uses
 * a regular expression, so its cost is linear in the path.
 *
 * Paths are read strictly, so that Keycard and the origin cannot disagree about which path was asked
 * for (path confusion). {@link normalizePath} ignores the query and fragment, decodes `%XX`
 * escapes once, and refuses, rather than repairs: a path over {@link MAX_PATH_LENGTH} (or a URI
 * over {@link MAX_URI_LENGTH}); a path that is not absolute; bytes outside printable ASCII, including `\`; malformed escapes or invalid UTF-8;
 * escapes that decode to `/`, `\`, `%` (double encoding) or a control character; empty segments
 * (`//`), except one trailing `/`; and `.` or `..` segments, also encoded (`%2e%2e`) or followed by
 * `;params` (`..;`). An origin that resolves such paths could otherwise be reached outside the rule
 * that Keycard matched.
 *
 * Patterns: segments separated by `/`; a literal segment matches itself (after decoding); a `*`
 * segment matches any one non-empty segment; a segment with one `*` inside (`query*`) matches any
 * segment with that prefix and suffix; a final `**` matches one or more non-empty segments. Methods
 * are compared in upper case; a rule without a method matches every method. The first match wins.
 */
import { err, ok, type Result } from "./result.ts";
import { isKnownScope } from "./scopes.ts";

/** One rule, as operators write it in `KEYCARD_ROUTES`. */
export interface RouteRule {
  method?: string | readonly string[];
  path: string;
  scopes: readonly string[];
}

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "any" }
  | { kind: "glob"; prefix: string; suffix: string }
  | { kind: "rest" };

interface CompiledRule {
  methods: ReadonlySet<string> | null;
  segments: readonly Segment[];
  scopes: readonly string[];
}

/** Compiled rules, in match order. Build it with {@link compileRoutes}. */
export interface RouteMap {
  readonly rules: readonly CompiledRule[];
}

/** Why a rule is refused: the index of the rule, the field, and what is wrong. */
export interface RouteRuleError {
  index: number;
  field: "method" | "path" | "scopes";
  message: string;
}

/** The longest original path Keycard reads; longer is refused, not truncated. */
export const MAX_PATH_LENGTH = 8192;
/** The longest original URI, query included (the query is ignored, but never scanned past this). */
export const MAX_URI_LENGTH = 65536;
/** The most rules a map may hold. */
export const MAX_ROUTE_RULES = 512;
/** The most scopes one rule may require. */
export const MAX_RULE_SCOPES = 16;

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
const PATTERN_SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=:@*-]+$/;
const SCOPE = /^[a-z][a-z0-9-]{0,40}:[a-z][a-z0-9-]{0,40}$/;

/** Checks a method token and returns it in upper case, or null when it is not a method. */
export function normalizeMethod(method: string): string | null {
  const m = method.trim();
  return METHOD.test(m) ? m.toUpperCase() : null;
}

/** Compiles rules once. Every fault names the rule and field. */
export function compileRoutes(rules: readonly RouteRule[]): Result<RouteMap, RouteRuleError> {
  if (rules.length > MAX_ROUTE_RULES) return err({ index: MAX_ROUTE_RULES, field: "path", message: `at most ${MAX_ROUTE_RULES} rules` });
  const compiled: CompiledRule[] = [];
  for (const [index, rule] of rules.entries()) {
    const fail = (field: RouteRuleError["field"], message: string) => err({ index, field, message });
    const methods = compileMethods(rule.method);
    if (methods === undefined) return fail("method", "must be an HTTP method, or a non-empty list of them");
    const segments = compilePattern(rule.path);
    if (typeof segments === "string") return fail("path", segments);
    if (rule.scopes.length === 0 || rule.scopes.length > MAX_RULE_SCOPES) return fail("scopes", `must hold 1 to ${MAX_RULE_SCOPES} scopes`);
    const unknown = rule.scopes.find((s) => !SCOPE.test(s) || !isKnownScope(s));
    if (unknown !== undefined) return fail("scopes", `${JSON.stringify(unknown.slice(0, 64))} is not a known scope`);
    compiled.push({ methods, segments, scopes: [...new Set(rule.scopes)] });
  }
  return ok({ rules: compiled });
}

/** Null for "every method"; undefined when invalid. */
function compileMethods(method: RouteRule["method"]): ReadonlySet<string> | null | undefined {
  if (method === undefined) return null;
  const list = typeof method === "string" ? [method] : method;
  if (list.length === 0) return undefined;
  const out = new Set<string>();
  for (const m of list) {
    const n = normalizeMethod(m);
    if (n === null) return undefined;
    out.add(n);
  }
  return out;
}

/** The segments of a pattern, or a message saying what is wrong. */
function compilePattern(path: string): Segment[] | string {
  if (!path.startsWith("/")) return "must start with /";
  if (path.length > 1024) return "must be at most 1024 characters";
  if (path === "/") return [{ kind: "literal", text: "" }];
  const parts = path.slice(1).split("/");
  const out: Segment[] = [];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (part === "") {
      if (!last) return "must not hold an empty segment (//)";
      out.push({ kind: "literal", text: "" });
      continue;
    }
    if (!PATTERN_SEGMENT.test(part)) return `segment ${JSON.stringify(part.slice(0, 64))} holds a character that is not allowed (%, ?, #, \\ or non-ASCII)`;
    if (isDotSegment(part)) return "must not hold . or .. segments";
    if (part === "**") {
      if (!last) return "** is only allowed as the last segment";
      out.push({ kind: "rest" });
      continue;
    }
    const star = part.indexOf("*");
    if (star < 0) out.push({ kind: "literal", text: part });
    else if (part.indexOf("*", star + 1) >= 0) return `segment ${JSON.stringify(part)} holds more than one *`;
    else if (part === "*") out.push({ kind: "any" });
    else out.push({ kind: "glob", prefix: part.slice(0, star), suffix: part.slice(star + 1) });
  }
  return out;
}

/** Why an original URI is refused. */
export type PathError = "too_long" | "not_absolute" | "bad_character" | "bad_escape" | "encoded_separator" | "empty_segment" | "dot_segment";

/** Reads the path of an original URI into decoded segments; see the module comment for what is refused. */
export function normalizePath(uri: string): Result<string[], PathError> {
  if (uri.length > MAX_URI_LENGTH) return err("too_long");
  let end = uri.length;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c === 0x3f || c === 0x23) {
      end = i;
      break;
    }
  }
  const path = uri.slice(0, end);
  if (path.length > MAX_PATH_LENGTH) return err("too_long");
  if (!path.startsWith("/")) return err("not_absolute");
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return err("bad_character");
  }
  const raw = path.slice(1).split("/");
  const out: string[] = [];
  for (const [i, part] of raw.entries()) {
    if (part === "" && i < raw.length - 1) return err("empty_segment");
    const decoded = decodeSegment(part);
    if (typeof decoded !== "string") return err(decoded.error);
    if (isDotSegment(decoded)) return err("dot_segment");
    out.push(decoded);
  }
  return ok(out);
}

function decodeSegment(part: string): string | { error: PathError } {
  if (!part.includes("%")) return part;
  if (/%(?![0-9A-Fa-f]{2})/.test(part)) return { error: "bad_escape" };
  let decoded: string;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    return { error: "bad_escape" };
  }
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c === 0x2f || c === 0x5c) return { error: "encoded_separator" };
    if (c === 0x25 || c < 0x20 || c === 0x7f) return { error: "bad_escape" };
  }
  return decoded;
}

/** `.` and `..`, also with `;params` after them, which some servers strip before resolving. */
function isDotSegment(segment: string): boolean {
  const semi = segment.indexOf(";");
  const head = semi < 0 ? segment : segment.slice(0, semi);
  return head === "." || head === "..";
}

/** The scopes of the first rule matching a method (null when unknown) and decoded path segments. */
export function matchRoute(map: RouteMap, method: string | null, segments: readonly string[]): readonly string[] | null {
  for (const rule of map.rules) {
    if (rule.methods !== null && (method === null || !rule.methods.has(method))) continue;
    if (matchSegments(rule.segments, segments)) return rule.scopes;
  }
  return null;
}

/**
 * The scopes a request needs: the first rule matching its method and URI, or null when the URI is
 * refused by {@link normalizePath}, the method is not a method, or no rule matches.
 */
export function resolveScopes(map: RouteMap, method: string | null, uri: string): readonly string[] | null {
  const m = method === null ? null : normalizeMethod(method);
  if (method !== null && m === null) return null;
  const path = normalizePath(uri);
  return path.ok ? matchRoute(map, m, path.value) : null;
}

function matchSegments(pattern: readonly Segment[], path: readonly string[]): boolean {
  for (const [i, seg] of pattern.entries()) {
    if (seg.kind === "rest") {
      if (path.length <= i) return false;
      for (let j = i; j < path.length; j++) if (path[j] === "") return false;
      return true;
    }
    const s = path[i];
    if (s === undefined) return false;
    if (seg.kind === "literal" && s !== seg.text) return false;
    if (seg.kind === "any" && s === "") return false;
    if (seg.kind === "glob" && !(s.length >= seg.prefix.length + seg.suffix.length && s.startsWith(seg.prefix) && s.endsWith(seg.suffix))) return false;
  }
  return pattern.length === path.length;
}

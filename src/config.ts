/**
 * The environment, validated once at the entry point. Nothing below it reads raw `env`.
 */
import { z } from "zod";
import { BUILTIN_ROUTES } from "./core/builtin-routes.ts";
import { MAX_DECISION_TTL_SECONDS } from "./core/decision.ts";
import type { ConfiguredJwk } from "./core/keys.ts";
import { compileRoutes, type RouteMap } from "./core/routes.ts";
import { checkTokenFormat } from "./core/token.ts";
import { err, ok, type Result } from "./core/result.ts";

/** Settings every request uses. */
export interface Config {
  operatorToken: string;
  signingKeys: ConfiguredJwk[];
  decisionTtlSeconds: number;
  /** The decision `iss`; when unset, the origin of the request URL. */
  issuer: string;
  /** The revocation bound: how often isolates must have read the revocation feed. */
  revocationPollSeconds: number;
  /** How long an isolate keeps a token record it has not been told is stale. */
  isolateCacheSeconds: number;
  /** False when `KEYCARD_ADMIN_API=off`: a public deployment serving only authorize, JWKS and health. */
  adminApi: boolean;
  /** The org whose tokens with `metrics:read` may read `/metrics` (besides the operator). */
  metricsOrg: string | null;
  /** The route map: `KEYCARD_ROUTES` first, then the built-in rules. */
  routes: RouteMap;
  /** Proxy mode, on when `ORIGIN_URL` is set. */
  proxy: ProxyConfig | null;
}

/** Proxy mode: requests under `prefix` are authorized, then streamed to `originUrl`. */
export interface ProxyConfig {
  /** The origin's base URL, without a trailing slash; the path after `prefix` and the query are appended. */
  originUrl: string;
  /** The path prefix Keycard proxies, e.g. `/proxy`. */
  prefix: string;
  /** Whether the client's Authorization header reaches the origin (default: dropped). */
  forwardAuthorization: boolean;
}

/** First path segments Keycard serves itself, which a proxy prefix may not take. */
const OWN_SEGMENTS = new Set(["api", "authorize", ".well-known", "livez", "readyz", "openapi.json", "docs"]);

const json = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "is not JSON" });
    return z.NEVER;
  }
});

const jwkList = json.pipe(z.array(z.looseObject({ kty: z.string() })).min(1));

const routeRules = z
  .array(
    z.strictObject({
      method: z.union([z.string(), z.array(z.string())]).optional(),
      path: z.string(),
      scopes: z.array(z.string()),
    }),
  )
  .max(256);

const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

const schema = z.object({
  KEYCARD_OPERATOR_TOKEN: z
    .string({ error: "is not set" })
    .refine((t) => checkTokenFormat(t).ok, "is not a well-formed Keycard token (kc_…)"),
  KEYCARD_SIGNING_KEYS: jwkList,
  DECISION_TTL_SECONDS: z.coerce.number().int().min(1).max(MAX_DECISION_TTL_SECONDS).default(60),
  KEYCARD_ISSUER: z.url({ error: "must be Keycard's public URL (the decision iss), e.g. https://keycard.example.com" }),
  REVOCATION_POLL_SECONDS: z.coerce.number().min(0.1).max(60).default(5),
  ISOLATE_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(60),
  /** Operators' route rules: a JSON array of `{method?, path, scopes}` (a string, or an array in wrangler.toml). */
  KEYCARD_ROUTES: z.union([json.pipe(routeRules), routeRules]).default([]),
  ORIGIN_URL: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !u.includes("?") && !u.includes("#"), "must have no query or fragment")
    .optional(),
  PROXY_PREFIX: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, "must be a path like /proxy (no trailing /)")
    .refine((p) => !OWN_SEGMENTS.has(p.split("/")[1]!), "must not start with a path Keycard serves itself")
    .default("/proxy"),
  PROXY_FORWARD_AUTHORIZATION: flag.default(false),
  KEYCARD_ADMIN_API: z.enum(["on", "off"]).default("on"),
  KEYCARD_METRICS_ORG: z.string().min(1).max(64).optional(),
});

/** Validates the raw bindings. The errors name variables and faults, never values. */
export function parseConfig(env: Record<string, unknown>): Result<Config, string[]> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return err(parsed.error.issues.map((i) => `${i.path.join(".") || "env"} ${i.message}`));
  const e = parsed.data;
  const routes = compileRoutes([...e.KEYCARD_ROUTES, ...BUILTIN_ROUTES]);
  if (!routes.ok) {
    const { index, field, message } = routes.error;
    return err([`KEYCARD_ROUTES[${index}].${field} ${message}`]);
  }
  return ok({
    operatorToken: e.KEYCARD_OPERATOR_TOKEN,
    signingKeys: e.KEYCARD_SIGNING_KEYS as ConfiguredJwk[],
    decisionTtlSeconds: e.DECISION_TTL_SECONDS,
    issuer: e.KEYCARD_ISSUER.replace(/\/+$/, ""),
    revocationPollSeconds: e.REVOCATION_POLL_SECONDS,
    isolateCacheSeconds: e.ISOLATE_CACHE_SECONDS,
    routes: routes.value,
    adminApi: e.KEYCARD_ADMIN_API === "on",
    metricsOrg: e.KEYCARD_METRICS_ORG ?? null,
    proxy:
      e.ORIGIN_URL === undefined
        ? null
        : { originUrl: e.ORIGIN_URL.replace(/\/+$/, ""), prefix: e.PROXY_PREFIX, forwardAuthorization: e.PROXY_FORWARD_AUTHORIZATION },
  });
}

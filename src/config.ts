/**
 * The environment, validated once at the entry point. Nothing below it reads raw `env`.
 */
import { z } from "zod";
import { MAX_DECISION_TTL_SECONDS } from "./core/decision.ts";
import type { ConfiguredJwk } from "./core/keys.ts";
import { checkTokenFormat } from "./core/token.ts";
import { err, ok, type Result } from "./core/result.ts";

/** Settings every request uses. */
export interface Config {
  operatorToken: string;
  signingKeys: ConfiguredJwk[];
  decisionTtlSeconds: number;
  /** The decision `iss`; when unset, the origin of the request URL. */
  issuer: string | null;
  /** The revocation bound: how often isolates must have read the revocation feed. */
  revocationPollSeconds: number;
  /** How long an isolate keeps a token record it has not been told is stale. */
  isolateCacheSeconds: number;
}

const jwkList = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.looseObject({ kty: z.string() })).min(1));

const schema = z.object({
  KEYCARD_OPERATOR_TOKEN: z
    .string({ error: "is not set" })
    .refine((t) => checkTokenFormat(t).ok, "is not a well-formed Keycard token (kc_…)"),
  KEYCARD_SIGNING_KEYS: jwkList,
  DECISION_TTL_SECONDS: z.coerce.number().int().min(1).max(MAX_DECISION_TTL_SECONDS).default(60),
  KEYCARD_ISSUER: z.url().optional(),
  REVOCATION_POLL_SECONDS: z.coerce.number().min(0.1).max(60).default(5),
  ISOLATE_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(60),
});

/** Validates the raw bindings. The errors name variables and faults, never values. */
export function parseConfig(env: Record<string, unknown>): Result<Config, string[]> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return err(parsed.error.issues.map((i) => `${i.path.join(".") || "env"} ${i.message}`));
  const e = parsed.data;
  return ok({
    operatorToken: e.KEYCARD_OPERATOR_TOKEN,
    signingKeys: e.KEYCARD_SIGNING_KEYS as ConfiguredJwk[],
    decisionTtlSeconds: e.DECISION_TTL_SECONDS,
    issuer: e.KEYCARD_ISSUER ?? null,
    revocationPollSeconds: e.REVOCATION_POLL_SECONDS,
    isolateCacheSeconds: e.ISOLATE_CACHE_SECONDS,
  });
}

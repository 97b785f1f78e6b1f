/** Builds the dependencies once per isolate, from the validated environment. */
import { v7 as uuidv7 } from "uuid";
import { parseConfig, type Config } from "./config.ts";
import { MAX_DECISION_TTL_SECONDS } from "./core/decision.ts";
import type { Invalidation } from "./services/admin/context.ts";
import type { DecideDeps } from "./services/decide.ts";
import { AttemptLimiter } from "./services/attempts.ts";
import type { AuthorizeDeps } from "./services/authorize.ts";
import { DecisionCache } from "./services/decisions.ts";
import { Observer } from "./services/observe.ts";
import type { AdminStore, StackDirectory, TokenRecords } from "./services/ports.ts";
import { createSigner } from "./services/signer.ts";
import { UsageTracker } from "./services/usage.ts";
import { CachedRecords, DEFAULT_CACHE, type Feed } from "./storage/cached-records.ts";
import { D1AdminStore } from "./storage/d1-admin.ts";
import { D1TokenRecords, writeUsage } from "./storage/d1-records.ts";

/** Everything the routes use. */
export interface Deps {
  config: Config;
  decide: DecideDeps;
  authorize: AuthorizeDeps;
  attempts: AttemptLimiter;
  observer: Observer;
  records: TokenRecords;
  stacks: StackDirectory;
  cache: CachedRecords;
  admin: AdminStore;
  now: () => number;
  newId: () => string;
  /** Drops what an admin change made stale, here and, through the feed, everywhere. */
  invalidate: (change: Invalidation) => Promise<void>;
  /** Work to finish after the response (`waitUntil`): KV fills and usage writes. */
  background: () => Promise<unknown> | null;
}

/** The environment is unusable: the messages name variables, never values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
  }
}

const built = new WeakMap<object, Promise<Deps>>();

/** Returns the isolate's dependencies for this `env`, building them on first use. */
export function getDeps(env: Env): Promise<Deps> {
  let deps = built.get(env);
  if (!deps) {
    deps = build(env);
    built.set(env, deps);
    deps.catch(() => built.delete(env));
  }
  return deps;
}

/** The revocation feed's single global instance. Stubs are per request in Workers, so one per call. */
export function feedOf(env: Env): Feed {
  const id = env.REVOCATIONS.idFromName("global");
  return {
    since: (seq) => env.REVOCATIONS.get(id).since(seq),
    publish: (hashes, stacks) => env.REVOCATIONS.get(id).publish(hashes, stacks),
  };
}

async function build(env: Env): Promise<Deps> {
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new ConfigError(parsed.error);
  const config = parsed.value;
  let signer;
  try {
    signer = await createSigner(config.signingKeys);
  } catch (e) {
    throw new ConfigError([`KEYCARD_SIGNING_KEYS ${(e as Error).message}`]);
  }
  const now = () => Date.now();
  const newId = () => uuidv7();
  const cache = new CachedRecords(
    new D1TokenRecords(env.DB),
    env.TOKENS_KV,
    feedOf(env),
    { ...DEFAULT_CACHE, pollIntervalMs: config.revocationPollSeconds * 1000, isolateTtlMs: config.isolateCacheSeconds * 1000 },
    now,
  );
  const usage = new UsageTracker((rows) => writeUsage(env.DB, rows));
  const decide: DecideDeps = {
    records: cache,
    stacks: cache,
    signer,
    decisions: new DecisionCache(50_000, MAX_DECISION_TTL_SECONDS),
    usage,
    ttlSeconds: config.decisionTtlSeconds,
    now,
    newId,
  };
  const attempts = new AttemptLimiter(env.FAILED_ATTEMPTS ?? null);
  const observer = new Observer(env.DECISIONS ?? null);
  return {
    config,
    decide,
    authorize: { decide, routes: config.routes, attempts, observer },
    attempts,
    observer,
    records: cache,
    stacks: cache,
    cache,
    admin: new D1AdminStore(env.DB),
    now,
    newId,
    invalidate: (c) => cache.invalidate(c.tokenHashes ?? [], c.stackIds ?? []),
    background: () => {
      const jobs = [cache.drain(), usage.flush(now())].filter((p) => p !== null);
      return jobs.length === 0 ? null : Promise.allSettled(jobs);
    },
  };
}

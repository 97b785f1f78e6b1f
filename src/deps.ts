/** Builds the dependencies once per isolate, from the validated environment. */
import { v7 as uuidv7 } from "uuid";
import { parseConfig, type Config } from "./config.ts";
import type { DecideDeps } from "./services/decide.ts";
import type { AdminStore, StackDirectory, TokenRecords } from "./services/ports.ts";
import { createSigner } from "./services/signer.ts";
import { D1AdminStore } from "./storage/d1-admin.ts";
import { D1TokenRecords } from "./storage/d1-records.ts";

/** Everything the routes use. */
export interface Deps {
  config: Config;
  decide: DecideDeps;
  records: TokenRecords;
  stacks: StackDirectory;
  admin: AdminStore;
  now: () => number;
  newId: () => string;
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
  const records = new D1TokenRecords(env.DB);
  const now = () => Date.now();
  const newId = () => uuidv7();
  return {
    config,
    records,
    stacks: records,
    admin: new D1AdminStore(env.DB),
    now,
    newId,
    decide: { records, stacks: records, signer, ttlSeconds: config.decisionTtlSeconds, now, newId },
  };
}

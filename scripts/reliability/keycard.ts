/**
 * Keycard in Miniflare directly, for the reliability run: the Worker bundled from `src/` with esbuild
 * (as `keycard/testing` does), the bindings of wrangler.toml, in-memory D1, KV and Durable Objects,
 * loopback only. Unlike `startKeycard()` it hands back the Miniflare instance, so the run can read D1
 * afterwards, and it captures workerd's stdout/stderr instead of printing one log line per decision.
 *
 * `kvReadDelayMs` > 0 puts a wrapper in front of `TOKENS_KV` (a Miniflare wrapped binding, no change to
 * `src/`) that answers every `get` that much later, as KV does on a cold read in production; Miniflare's
 * own KV answers in about a millisecond, which hides races with KV reads in flight.
 */
import { bindingsOf, bundleWorker } from "../../src/testing/index.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { unstable_splitSqlQuery } from "wrangler";
import { newSecrets } from "../secrets.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** What workerd printed while the run went on. */
export interface RuntimeLog {
  lines: number;
  /** Lines that look like errors (`"level":"error"`, uncaught exceptions): up to 20 distinct ones, with their counts. */
  errors: Map<string, number>;
  errorCount: number;
}

/** A running Keycard. */
export interface RunningKeycard {
  url: string;
  operatorToken: string;
  mf: Miniflare;
  log: RuntimeLog;
  stop(): Promise<void>;
}

function capture(stream: Readable, log: RuntimeLog): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      log.lines++;
      if (/"level":\s*"error"|Uncaught|uncaught|\bError:/.test(line)) {
        log.errorCount++;
        const text = line.slice(0, 400);
        if (log.errors.has(text) || log.errors.size < 20) log.errors.set(text, (log.errors.get(text) ?? 0) + 1);
      }
    }
  });
}

/** The wrapped `TOKENS_KV`: the inner namespace, with every `get` answered `DELAY_MS` later. */
const SLOW_KV = `
export default function (env) {
  const inner = env.INNER;
  const delay = Number(env.DELAY_MS);
  return {
    get: (...args) => new Promise((resolve, reject) => inner.get(...args).then((v) => setTimeout(() => resolve(v), delay), reject)),
    getWithMetadata: (...args) => inner.getWithMetadata(...args),
    put: (...args) => inner.put(...args),
    delete: (...args) => inner.delete(...args),
    list: (...args) => inner.list(...args),
  };
}`;

/** How to start Keycard. */
export interface StartOptions {
  /** Variables over wrangler.toml's. */
  vars?: Record<string, string>;
  /** Extra latency of every `TOKENS_KV.get`, in ms (0: Miniflare's KV as is). */
  kvReadDelayMs?: number;
}

/** Starts Keycard on 127.0.0.1 (a free port) and applies the migrations. */
export async function startKeycard(options: StartOptions = {}): Promise<RunningKeycard> {
  const vars = options.vars ?? {};
  const delay = options.kvReadDelayMs ?? 0;
  const c = bindingsOf(join(ROOT, "wrangler.toml"));
  const secrets = newSecrets();
  const log: RuntimeLog = { lines: 0, errors: new Map(), errorCount: 0 };
  const kv = c.kvNamespaces;
  const keycard = {
    name: "keycard",
    modules: [{ type: "ESModule" as const, path: join(ROOT, "keycard.js"), contents: await bundleWorker() }],
    compatibilityDate: c.compatibilityDate,
    compatibilityFlags: c.compatibilityFlags,
    bindings: {
      ...c.vars,
      // The decision `iss`; decisions are not verified here, so it need not be the listening URL.
      KEYCARD_ISSUER: "http://keycard.reliability",
      ...vars,
      KEYCARD_SIGNING_KEYS: secrets.KEYCARD_SIGNING_KEYS!,
      KEYCARD_OPERATOR_TOKEN: secrets.KEYCARD_OPERATOR_TOKEN!,
    },
    d1Databases: c.d1Databases,
    kvNamespaces: delay > 0 ? kv.filter((b) => b !== "TOKENS_KV") : kv,
    ...(delay > 0 ? { wrappedBindings: { TOKENS_KV: { scriptName: "slow-kv", bindings: { DELAY_MS: delay } } } } : {}),
    durableObjects: c.durableObjects,
    ratelimits: c.ratelimits,
  };
  const slowKv = { name: "slow-kv", modules: true, script: SLOW_KV, kvNamespaces: { INNER: "TOKENS_KV" } };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      capture(stdout, log);
      capture(stderr, log);
    },
    workers: delay > 0 ? [keycard, slowKv] : [keycard],
  });
  try {
    const url = (await mf.ready).origin;
    for (const binding of c.d1Databases) {
      const db = await mf.getD1Database(binding);
      for (const file of readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
        const statements = unstable_splitSqlQuery(readFileSync(join(ROOT, "migrations", file), "utf8"));
        await db.batch(statements.map((s) => db.prepare(s)));
      }
    }
    return { url, operatorToken: secrets.KEYCARD_OPERATOR_TOKEN!, mf, log, stop: () => mf.dispose() };
  } catch (e) {
    await mf.dispose();
    throw e;
  }
}

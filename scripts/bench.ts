/**
 * `npm run bench`: the built Worker in Miniflare directly (no `wrangler dev` proxy), loaded with
 * autocannon. Seeds 1e3 and then 1e6 tokens and, for each size, measures a no-op route (`/livez`)
 * and four /authorize cases in the same run, printing req/s, p50, p99 and the ratio to the no-op.
 *
 * Options (environment): BENCH_SECONDS (default 8), BENCH_CONNECTIONS (16), BENCH_SIZES ("1000,1000000").
 */
import { spawnSync } from "node:child_process";
import { getRandomValues, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { generateToken } from "../src/core/token.ts";
import { newSecrets } from "./secrets.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SIZES = (process.env.BENCH_SIZES ?? "1000,1000000").split(",").map(Number);
const ORG = "bench-org";
const STACK = "bench-stack";
const POLICY = "bench-policy";
const NOW = new Date().toISOString();

const out = mkdtempSync(path.join(tmpdir(), "keycard-bench-"));
const built = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  encoding: "utf8",
});
if (built.status !== 0) throw new Error(`build failed:\n${built.stderr}`);

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = () => generateToken((b) => getRandomValues(b));

/** One Miniflare instance running the built Worker. */
async function start(persist: string, vars: Record<string, string>): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(out, "index.js"),
    modulesRoot: out,
    cf: false,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "bench" },
    kvNamespaces: ["TOKENS_KV"],
    durableObjects: { REVOCATIONS: { className: "RevocationFeed", useSQLite: true } },
    d1Persist: path.join(persist, "d1"),
    kvPersist: path.join(persist, "kv"),
    durableObjectsPersist: path.join(persist, "do"),
    bindings: { ...secrets, KEYCARD_ISSUER: "http://keycard.bench", DECISION_TTL_SECONDS: "60", ...vars },
    host: "127.0.0.1",
    port: 0,
    // The Worker still writes its log line per decision; the bench just doesn't print them (on
    // Cloudflare, logs leave the isolate asynchronously; here they would cost this process CPU).
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.resume();
    },
  });
  await mf.ready;
  return mf;
}

const secrets = newSecrets();

/** Creates the schema and `size` tokens; returns `keep` real secrets (the rest are random hashes). */
async function seed(mf: Miniflare, size: number, keep: number): Promise<string[]> {
  const db = await mf.getD1Database("DB");
  for (const file of readdirSync("migrations").sort()) {
    const sql = readFileSync(path.join("migrations", file), "utf8").replace(/--.*$/gm, "");
    for (const stmt of sql.split(";").map((s) => s.trim()).filter(Boolean)) await db.prepare(stmt).run();
  }
  const json = (v: unknown) => JSON.stringify(v).replaceAll("'", "''");
  await db.batch([
    db.prepare(`INSERT INTO orgs VALUES ('${ORG}', 'bench', '${NOW}', '${NOW}')`),
    db.prepare(`INSERT INTO stacks VALUES ('${STACK}', '${ORG}', 'bench', '${NOW}', '${NOW}')`),
    db.prepare(
      `INSERT INTO access_policies VALUES ('${POLICY}', '${ORG}', 'bench', 'bench', '${json(["set:alloy-data-write"])}',
       '${json([{ type: "org", identifier: ORG, labelPolicies: [] }])}', '${json({ allowedSubnets: [] })}', 'active', '${NOW}', '${NOW}')`,
    ),
  ]);
  const kept = Array.from({ length: keep }, newToken);
  const rows = 300; // D1 caps a statement at 100 KB
  for (let i = 0; i < size; i += rows * 30) {
    const statements = [];
    for (let j = i; j < Math.min(size, i + rows * 30); j += rows) {
      const values = [];
      for (let k = j; k < Math.min(size, j + rows); k++) {
        const hash = k < keep ? sha256(kept[k]!) : sha256(`filler-${size}-${k}`);
        values.push(`('t${k}', '${POLICY}', '${ORG}', 'n${k}', 'n${k}', '${hash}', NULL, NULL, NULL, '${NOW}', '${NOW}')`);
      }
      statements.push(db.prepare(`INSERT INTO tokens VALUES ${values.join(",")}`));
    }
    await db.batch(statements);
  }
  return kept;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/** Loads `url` for SECONDS (or `amount` requests); `next()` gives each request's headers. */
async function load(url: string, next: () => Record<string, string>, amount?: number): Promise<Figures> {
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(amount ? { amount } : { duration: SECONDS }),
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, headers: next() }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
}

const mean = (a: Figures, b: Figures): Figures => ({
  rps: (a.rps + b.rps) / 2,
  p50: (a.p50 + b.p50) / 2,
  p99: (a.p99 + b.p99) / 2,
  non2xx: a.non2xx + b.non2xx,
});

const authorize = (token: string) => ({
  authorization: `Basic ${Buffer.from(`${STACK}:${token}`).toString("base64")}`,
  "x-keycard-scope": "metrics:write",
});

function row(name: string, f: Figures, base: Figures, expected: "2xx" | "4xx"): string {
  const ratio = (f.rps / base.rps).toFixed(2);
  const note = expected === "2xx" && f.non2xx > 0 ? `  (${f.non2xx} non-2xx!)` : "";
  return `| ${name.padEnd(34)} | ${f.rps.toFixed(0).padStart(7)} | ${f.p50.toFixed(2).padStart(5)} | ${f.p99.toFixed(2).padStart(5)} | ${ratio.padStart(5)}× |${note}`;
}

async function bench(size: number): Promise<string[]> {
  const persist = mkdtempSync(path.join(tmpdir(), "keycard-bench-state-"));
  const cold = 200_000;
  const setup = await start(persist, {});
  const tokens = await seed(setup, size, Math.min(size, cold + 1));
  await setup.dispose();
  const lines: string[] = [];
  const [hot, ...fresh] = tokens;
  try {
    // Warm path: isolate cache on (the default).
    const mf = await start(persist, {});
    const base = `${(await mf.ready).origin}`;
    const noopBefore = await load(`${base}/livez`, () => ({}));
    await fetch(`${base}/authorize`, { headers: authorize(hot!) });
    const cached = await load(`${base}/authorize`, () => authorize(hot!));
    const unknown = newToken();
    const unknownFig = await load(`${base}/authorize`, () => authorize(unknown));
    const malformed = hot!.slice(0, -1) + (hot!.endsWith("0") ? "1" : "0");
    const malformedFig = await load(`${base}/authorize`, () => authorize(malformed));
    const noopAfter = await load(`${base}/livez`, () => ({}));
    const noop = mean(noopBefore, noopAfter);
    lines.push(row("no-op (/livez), mean of before/after", noop, noop, "2xx"));
    lines.push(row("authorize: cached hit", cached, noop, "2xx"));
    lines.push(row("authorize: unknown token (repeated)", unknownFig, noop, "4xx"));
    lines.push(row("authorize: malformed (bad checksum)", malformedFig, noop, "4xx"));
    await mf.dispose();
    // Cold isolate cache: every request misses the LRU. KV hit: one token, already in KV.
    const kvOnly = await start(persist, { ISOLATE_CACHE_SECONDS: "0" });
    const kvBase = (await kvOnly.ready).origin;
    await fetch(`${kvBase}/authorize`, { headers: authorize(hot!) });
    await new Promise((r) => setTimeout(r, 200));
    lines.push(row("authorize: KV hit (isolate cold)", await load(`${kvBase}/authorize`, () => authorize(hot!)), noop, "2xx"));
    // D1: every request a token never seen before, so neither cache has it.
    let i = 0;
    const d1 = await load(`${kvBase}/authorize`, () => authorize(fresh[i++]!), Math.min(fresh.length, 20_000));
    lines.push(row(`authorize: D1 (both cold, ${i} tokens)`, d1, noop, "2xx"));
    await kvOnly.dispose();
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
  return lines;
}

console.log(`keycard bench: Miniflare direct, autocannon ${CONNECTIONS} connections × ${SECONDS} s per case, Node ${process.version}`);
for (const size of SIZES) {
  const started = Date.now();
  const lines = await bench(size);
  console.log(`\n${size.toLocaleString("en")} tokens (seeded and measured in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  console.log("| case                               |   req/s | p50 ms | p99 ms | ratio |");
  console.log("|------------------------------------|--------:|------:|------:|------:|");
  for (const l of lines) console.log(l);
}
rmSync(out, { recursive: true, force: true });

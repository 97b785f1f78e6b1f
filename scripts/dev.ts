/**
 * `npm start`: serves Keycard on 127.0.0.1:8787 (PORT and HOST override) with local D1 and KV.
 * It fills `.dev.vars` with any missing secret, applies D1 migrations to local state, prints the
 * operator token, and runs `wrangler dev`. KEYCARD_OPERATOR_TOKEN from the environment wins over
 * `.dev.vars`.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { formatDotenv, newSecrets, parseDotenv } from "./secrets.ts";

const DEV_VARS = ".dev.vars";
const OVERRIDES = ".wrangler/keycard-env.env";
const port = process.env.PORT ?? "8787";
const host = process.env.HOST ?? "127.0.0.1";

function ensureDevVars(): Record<string, string> {
  const current = existsSync(DEV_VARS) ? parseDotenv(readFileSync(DEV_VARS, "utf8")) : {};
  const missing = Object.entries(newSecrets()).filter(([k]) => !current[k]);
  if (missing.length > 0) {
    const next = { ...current, ...Object.fromEntries(missing) };
    writeFileSync(DEV_VARS, formatDotenv(next), { mode: 0o600 });
    chmodSync(DEV_VARS, 0o600);
    console.log(`keycard: wrote ${missing.map(([k]) => k).join(", ")} to ${DEV_VARS}`);
    return next;
  }
  return current;
}

/** Nothing leaves this machine: no telemetry, no fetch of Cloudflare's `Request.cf` placeholder. */
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

function run(args: string[]): void {
  const r = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const vars = ensureDevVars();
mkdirSync(".wrangler", { recursive: true });
// The decision `iss` is this server's URL, never taken from a request's Host header.
const overrides: Record<string, string> = { KEYCARD_ISSUER: process.env.KEYCARD_ISSUER ?? `http://${host}:${port}` };
if (process.env.KEYCARD_OPERATOR_TOKEN) overrides.KEYCARD_OPERATOR_TOKEN = process.env.KEYCARD_OPERATOR_TOKEN;
writeFileSync(OVERRIDES, formatDotenv(overrides), { mode: 0o600 });

run(["d1", "migrations", "apply", "DB", "--local"]);

const operator = overrides.KEYCARD_OPERATOR_TOKEN ?? vars.KEYCARD_OPERATOR_TOKEN;
console.log(`\nkeycard: serving on http://${host}:${port}`);
console.log(`keycard: operator token (from ${overrides.KEYCARD_OPERATOR_TOKEN ? "the environment" : DEV_VARS}): ${operator}\n`);

const child = spawn(
  "npx",
  ["wrangler", "dev", "--ip", host, "--port", port, "--env-file", DEV_VARS, "--env-file", OVERRIDES, "--show-interactive-dev-session=false"],
  { stdio: "inherit", env },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));

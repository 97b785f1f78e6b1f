/**
 * A real local Keycard for end-to-end tests: `wrangler dev` on a free port, with its own D1/KV state and
 * freshly generated secrets in a temp dir (the developer's `.dev.vars` and `.wrangler/state` are never
 * touched). Every wait is bounded; the server is stopped by its process-group id.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { formatDotenv, newSecrets } from "../../scripts/secrets.ts";

/** The repository root. */
export const REPO = resolve(import.meta.dirname, "..", "..");

const WRANGLER = join(REPO, "node_modules", "wrangler", "bin", "wrangler.js");
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

/** Nothing leaves the machine: no telemetry, no fetch of Cloudflare's `Request.cf` data. */
const QUIET_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", CI: "1" };

/** A running local Keycard. */
export interface LocalKeycard {
  url: string;
  operatorToken: string;
  /** A scratch directory removed on stop. */
  dir: string;
  /** The tail of wrangler's output, for failure reports. */
  log: () => string;
  stop: () => Promise<void>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? ok(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Applies the migrations to fresh local state and starts `wrangler dev`; resolves once `/livez` answers. */
export async function startLocalKeycard(): Promise<LocalKeycard> {
  const dir = mkdtempSync(join(tmpdir(), "keycard-cli-e2e-"));
  const state = join(dir, "state");
  const envFile = join(dir, "keycard.env");
  const secrets = newSecrets();

  const migrate = spawnSync(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: REPO,
    env: QUIET_ENV,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (migrate.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`wrangler d1 migrations apply failed (${migrate.status ?? migrate.signal}):\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const [port, inspector] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(envFile, formatDotenv({ ...secrets, KEYCARD_ISSUER: url }), { mode: 0o600 });
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)];
  args.push("--persist-to", state, "--env-file", envFile, "--show-interactive-dev-session=false");
  const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: REPO, env: QUIET_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (chunk: Buffer) => void (log = (log + chunk.toString("utf8")).slice(-LOG_LIMIT));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const killOnExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, "SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
      if (!stopped) signalGroup(child, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before serving:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/livez`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /livez within ${START_TIMEOUT_MS / 1000} s:\n${log}`);
    }
    await delay(250);
  }
  return { url, operatorToken: secrets.KEYCARD_OPERATOR_TOKEN!, dir, log: () => log, stop };
}

/** Signals the whole process group the child leads (npx/wrangler/workerd), by its id. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

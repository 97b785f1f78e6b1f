/**
 * `npm run test:e2e`: Keycard (`npm start`), nginx and Caddy (the recipes of docs/gateways/), an origin
 * that verifies every decision, and Prometheus in agent mode pushing remote_write through both gateways.
 * Everything listens on 127.0.0.1 on free ports; every wait is bounded; only the processes started here
 * are stopped, by process group id, on success, failure, SIGINT and SIGTERM.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, sleep, waitFor, Checks } from "./harness.ts";
import { Admin, startKeycard, type Keycard } from "./keycard.ts";
import { basic, freePort, send } from "./net.ts";
import { startOrigin, type Origin } from "./origin.ts";
import { Procs } from "./procs.ts";
import type { Ports } from "./recipes.ts";
import { BINARIES, startCaddy, startNginx, startPrometheus, which, type Agent } from "./services.ts";
import { expectRefused, gatewayCases, type CaseContext, type Gateway } from "./gateway-cases.ts";
import { GOOD_QUEUES, queuesOf, seed, type World } from "./world.ts";

const SUITE_TIMEOUT_MS = 180_000;
const ARRIVAL_TIMEOUT_MS = 30_000;
const FAILED = "prometheus_remote_storage_samples_failed_total";

const repo = resolve(import.meta.dirname, "..", "..");
const base = mkdtempSync(join(tmpdir(), "keycard-e2e-"));
const logs = join(base, "logs");
mkdirSync(logs);
const procs = new Procs();
const checks = new Checks();
let origin: Origin | null = null;
let stopping = false;

/** Stops everything started here, keeps or removes the run's directory, prints the summary last, exits. */
async function finish(code: number, why: string | null): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  clearTimeout(watchdog);
  if (why !== null) {
    checks.failed++;
    checks.failures.push(why);
    console.log(`FAIL ${why}`);
  }
  await procs.stopAll();
  await origin?.close();
  await checks.check("every process the suite started has exited", () => {
    const left = procs.survivors();
    expect(left.length === 0, `still running: ${left.join(", ")}`);
  });
  for (const n of notes) console.log(`note: ${n}`);
  if (checks.failures.length > 0) console.log(`\nfailures:\n  ${checks.failures.join("\n  ")}`);
  const failed = code !== 0 || checks.failed > 0;
  if (!failed && !process.env.KEEP_E2E_TMP) rmSync(base, { recursive: true, force: true });
  else console.log(`logs and configs: ${base}`);
  console.log(checks.summary());
  process.exit(failed ? code || 1 : 0);
}

process.on("exit", () => procs.killAllNow());
process.on("SIGINT", () => void finish(130, "interrupted (SIGINT)"));
process.on("SIGTERM", () => void finish(143, "terminated (SIGTERM)"));
const watchdog = setTimeout(() => void finish(1, `the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`), SUITE_TIMEOUT_MS);

/** A setup step failed; its check already counted the failure, so the rest is skipped. */
class Abort extends Error {}

const notes = new Set<string>();

function count(o: Origin, sub: string): number {
  return o.accepted.filter((a) => a.claims.sub === sub && a.probe === null).length;
}

async function main(): Promise<void> {
  const started = Date.now();
  const missing = BINARIES.filter((b) => which(b) === null);
  if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: run .ci/e2e-setup.sh (apt-get install ${missing.join(" ")})`);

  const ports: Ports = { keycard: await freePort(), origin: await freePort(), nginx: await freePort(), caddy: await freePort() };
  const agentPort = await freePort();

  let keycard: Keycard | null = null;
  await checks.check("Keycard starts with `npm start` (own .dev.vars and .wrangler state, free port, 127.0.0.1)", async () => {
    keycard = await startKeycard(procs, repo, base, ports.keycard, logs);
  });
  if (!keycard) throw new Abort("Keycard did not start");
  const kc: Keycard = keycard;

  await checks.check("`npm start` listens on 127.0.0.1 only by default (no HOST given), never on 0.0.0.0", async () => {
    const hex = ports.keycard.toString(16).toUpperCase().padStart(4, "0");
    const listening = ["/proc/net/tcp", "/proc/net/tcp6"]
      .flatMap((f) => readFileSync(f, "utf8").split("\n").slice(1))
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hex}`) && cols[3] === "0A")
      .map((cols) => cols[1]!.split(":")[0]!);
    expect(listening.length > 0, "nothing listens on Keycard's port");
    expect(listening.every((a) => a === "0100007F"), `listening on ${listening.join(", ")} (0100007F is 127.0.0.1)`);
  });

  await checks.check("JWKS publishes an Ed25519 key", async () => {
    const r = await send(`${kc.url}/.well-known/jwks.json`);
    const keys = (JSON.parse(r.body) as { keys: { kty: string; crv: string; kid: string }[] }).keys;
    expect(keys.some((k) => k.kty === "OKP" && k.crv === "Ed25519" && k.kid), `no Ed25519 key in ${r.body}`);
  });

  const admin = new Admin(kc.url, kc.operatorToken);
  let world: World | null = null;
  await checks.check("admin API (operator token): orgs, stacks, policies and tokens created", async () => {
    world = await seed(admin);
  });
  if (!world) throw new Abort("could not create the test world");
  const w: World = world;

  origin = await startOrigin(ports.origin, kc.url);
  const o: Origin = origin;
  const nginx: Gateway = { name: "nginx", url: `http://127.0.0.1:${ports.nginx}` };
  const caddy: Gateway = { name: "caddy", url: `http://127.0.0.1:${ports.caddy}` };
  let up = await checks.check("nginx starts with the recipe of docs/gateways/nginx.md", () => startNginx(procs, repo, ports, w.gateway.secret, base, logs));
  up = (await checks.check("Caddy starts with the recipe of docs/gateways/caddy.md", () => startCaddy(procs, repo, ports, w.gateway.secret, base, logs))) && up;
  if (!up) throw new Abort("a gateway did not start");

  let agent: Agent | null = null;
  await checks.check("Prometheus starts in agent mode with the remote_write entries of docs/gateways/prometheus.md", async () => {
    agent = await startPrometheus(procs, repo, ports, agentPort, queuesOf(w), base, logs);
  });
  if (!agent) throw new Abort("Prometheus did not start");
  const prom: Agent = agent;

  for (const q of GOOD_QUEUES) {
    const [gw, style] = q.split("-");
    await checks.check(`Prometheus → ${gw} (${style === "basic" ? "basic auth: stack id + token" : "bearer + X-Keycard-Stack"}) → origin: samples arrive with valid decisions`, async () => {
      const tok = w.queues[q];
      const got = await waitFor(`a verified push from queue ${q}`, () => o.accepted.find((a) => a.claims.sub === tok.id && a.probe === null), {
        timeoutMs: ARRIVAL_TIMEOUT_MS,
      });
      expect(got.path === "/api/v1/push" && got.method === "POST", `arrived as ${got.method} ${got.path}`);
      expect(got.claims.org === w.org, "decision for the wrong org");
      expect(got.headers["content-encoding"] === "snappy" && got.bodyBytes > 0, "no snappy remote_write body");
      expect(got.headers["authorization"] === undefined, "the origin received the client's token");
      if (style === "basic" || got.claims.stack !== undefined) {
        expect(got.claims.stack === w.stack, `decision for stack ${got.claims.stack}, wanted ${w.stack}`);
        expect(got.headers["x-scope-orgid"] === w.stack, "tenant header is not the authorized stack");
      } else {
        notes.add("this Prometheus does not send remote_write `headers:` (X-Keycard-Stack); its bearer queues were checked at org level");
        expect(got.headers["x-scope-orgid"] === "-", `org-level decision, tenant header ${String(got.headers["x-scope-orgid"])}`);
      }
    });
  }
  await checks.check("Prometheus → nginx with the to-be-deleted token: delivers before deletion", () =>
    waitFor("a verified push from queue doomed", () => count(o, w.doomed.id) > 0, { timeoutMs: ARRIVAL_TIMEOUT_MS }),
  );

  const direct = await send(`${kc.url}/authorize`, { headers: { authorization: basic(w.stack, w.queues["caddy-basic"].secret), "x-keycard-scope": "metrics:write" } });
  const ctx: CaseContext = { checks, origin: o, world: w, replayable: direct.headers["x-keycard-decision"] ?? "" };
  for (const g of [nginx, caddy]) await gatewayCases(ctx, g);

  for (const [queue, why] of [
    ["unknown-token", "a wrong token"],
    ["foreign-stack", "a stack of another org"],
    ["outside-subnet", "a client IP outside allowedSubnets"],
  ] as const) {
    await checks.check(`Prometheus pushes with ${why} are refused at the gateway (samples_failed_total > 0)`, () =>
      waitFor(`${FAILED}{remote_name="${queue}"} > 0`, async () => (await prom.counter(FAILED, queue)) > 0, { timeoutMs: ARRIVAL_TIMEOUT_MS, intervalMs: 500 }),
    );
  }

  await checks.check("revocation: after DELETE /api/v1/tokens/{id}, the very next request is refused at both gateways (401)", async () => {
    await admin.deleteToken(w.org, w.doomed.id);
    for (const g of [nginx, caddy]) await expectRefused(ctx, g, { headers: { authorization: basic(w.stack, w.doomed.secret) } }, 401, "invalid_token");
  });
  let doomedCount = 0;
  await checks.check("revocation: Prometheus' own pushes with the deleted token start failing", async () => {
    await waitFor(`${FAILED}{remote_name="doomed"} > 0`, async () => (await prom.counter(FAILED, "doomed")) > 0, {
      timeoutMs: 15_000,
      intervalMs: 300,
    });
    doomedCount = count(o, w.doomed.id);
  });
  await checks.check("the other queues keep delivering after the revocation", async () => {
    const before = GOOD_QUEUES.map((q) => count(o, w.queues[q].id));
    await waitFor("a new push from every good queue", () => GOOD_QUEUES.every((q, i) => count(o, w.queues[q].id) > before[i]!), {
      timeoutMs: 15_000,
    });
  });
  await checks.check("nothing arrives with the deleted token once Prometheus has been refused", async () => {
    await sleep(1000);
    expect(count(o, w.doomed.id) === doomedCount, `${count(o, w.doomed.id) - doomedCount} more pushes arrived`);
  });
  await checks.check("refused queues never reached the origin; nothing without a valid decision did", () => {
    const strays = [w.straying.id, w.office.id].filter((id) => o.accepted.some((a) => a.claims.sub === id));
    expect(strays.length === 0, `accepted pushes from refused tokens: ${strays.join(", ")}`);
    expect(o.rejected.length === 0, `the origin refused ${o.rejected.length} requests: ${o.rejected.slice(0, 3).map((r) => r.reason).join("; ")}`);
  });
  console.log(`e2e: ${o.accepted.length} verified requests at the origin in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
  () => finish(0, null),
  (e: unknown) => {
    for (const p of procs.all()) console.log(`--- ${p.name} (last lines of ${p.log})\n${procs.tail(p, 20)}`);
    if (e instanceof Abort) console.log(`e2e: stopped early: ${e.message}`);
    return finish(1, e instanceof Abort ? null : e instanceof Error ? e.message : String(e));
  },
);

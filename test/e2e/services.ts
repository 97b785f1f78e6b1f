/** nginx, Caddy and Prometheus (agent mode), each from Debian's package, each on its own loopback port. */
import { execFileSync } from "node:child_process";
import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Fatal, waitFor } from "./harness.ts";
import { LOOPBACK, send } from "./net.ts";
import type { Procs, Started } from "./procs.ts";
import { caddyConfig, nginxConfig, prometheusConfig, type Ports, type Queue } from "./recipes.ts";

/** The binaries the suite needs, from `.ci/e2e-setup.sh` (apt: nginx, caddy, prometheus). */
export const BINARIES = ["nginx", "caddy", "prometheus"] as const;

/** The absolute path of a binary on PATH or in the usual Debian places, or null. */
export function which(bin: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin", "/sbin"];
  for (const d of dirs) {
    try {
      accessSync(join(d, bin), constants.X_OK);
      return join(d, bin);
    } catch {
      // not here
    }
  }
  return null;
}

async function untilListening(s: Started, url: string, procs: Procs, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `${s.name} on ${url}`,
    async () => {
      if (s.exited) throw new Fatal(`${s.name} exited with ${s.exitCode}:\n${procs.tail(s, 15)}`);
      await send(url, { timeoutMs: 1000 });
      return true;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Starts nginx with the documented recipe. Workers may run as `nobody`, so its directory is world-readable. */
export async function startNginx(procs: Procs, repo: string, ports: Ports, gatewayToken: string, base: string, logs: string): Promise<Started> {
  const dir = join(base, "nginx");
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, nginxConfig(repo, ports, dir, gatewayToken), { mode: 0o600 });
  const bin = which("nginx")!;
  execFileSync(bin, ["-t", "-q", "-p", dir, "-c", conf, "-e", join(dir, "error.log")], { stdio: "pipe" });
  const s = procs.start("nginx", bin, ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], { log: join(logs, "nginx.log") });
  await untilListening(s, `http://${LOOPBACK}:${ports.nginx}/`, procs);
  return s;
}

/** Starts Caddy with the documented recipe and the gateway's token; its state and config dirs stay under `base`. */
export async function startCaddy(procs: Procs, repo: string, ports: Ports, gatewayToken: string, base: string, logs: string): Promise<Started> {
  const dir = join(base, "caddy");
  mkdirSync(dir);
  const conf = join(dir, "Caddyfile");
  writeFileSync(conf, caddyConfig(repo, ports, dir));
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_DATA_HOME: join(dir, "data"),
    KEYCARD_GATEWAY_TOKEN: gatewayToken,
  };
  const s = procs.start("caddy", which("caddy")!, ["run", "--config", conf, "--adapter", "caddyfile"], { env, log: join(logs, "caddy.log") });
  await untilListening(s, `http://${LOOPBACK}:${ports.caddy}/`, procs);
  return s;
}

/** `--agent` on Prometheus 3, the feature flag on 2.x (Debian bookworm ships 2.42). */
export function agentFlag(bin: string): string {
  const out = execFileSync(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const major = Number(/version (\d+)\./.exec(out)?.[1] ?? "2");
  return major >= 3 ? "--agent" : "--enable-feature=agent";
}

/** A running Prometheus agent and a way to read its own counters. */
export interface Agent {
  proc: Started;
  url: string;
  /** The sum of `metric` over series whose `remote_name` is `queue`. */
  counter(metric: string, queue: string): Promise<number>;
}

/** Starts Prometheus in agent mode, scraping itself and pushing every queue through its gateway. */
export async function startPrometheus(
  procs: Procs,
  repo: string,
  ports: Ports,
  selfPort: number,
  queues: Queue[],
  base: string,
  logs: string,
): Promise<Agent> {
  const dir = join(base, "prometheus");
  mkdirSync(dir);
  const conf = join(dir, "prometheus.yml");
  writeFileSync(conf, prometheusConfig(repo, ports, selfPort, queues), { mode: 0o600 });
  const bin = which("prometheus")!;
  const args = [
    agentFlag(bin),
    `--config.file=${conf}`,
    `--storage.agent.path=${join(dir, "wal")}`,
    `--web.listen-address=${LOOPBACK}:${selfPort}`,
    "--log.level=info",
  ];
  const proc = procs.start("prometheus", bin, args, { log: join(logs, "prometheus.log") });
  const url = `http://${LOOPBACK}:${selfPort}`;
  await waitFor(
    "Prometheus /-/ready",
    async () => {
      if (proc.exited) throw new Fatal(`prometheus exited with ${proc.exitCode}:\n${procs.tail(proc, 15)}`);
      return (await send(`${url}/-/ready`, { timeoutMs: 1000 })).status === 200;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  return {
    proc,
    url,
    async counter(metric, queue) {
      const text = (await send(`${url}/metrics`, { timeoutMs: 3000 })).body;
      let sum = 0;
      for (const line of text.split("\n")) {
        if (!line.startsWith(`${metric}{`) || !line.includes(`remote_name="${queue}"`)) continue;
        sum += Number(line.slice(line.lastIndexOf(" ") + 1));
      }
      return sum;
    },
  };
}

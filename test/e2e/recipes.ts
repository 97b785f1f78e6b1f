/**
 * The gateway and collector configurations, read from the recipes in docs/gateways/. A block marked
 * `<!-- e2e:NAME -->` is the one the suite runs; only its addresses and placeholders are replaced, so
 * the documentation and the test cannot drift apart.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The addresses the recipes are written with. */
export const DOC_ADDRESSES = {
  keycard: "127.0.0.1:8787",
  origin: "127.0.0.1:9009",
  nginx: "127.0.0.1:8080",
  caddy: "127.0.0.1:8081",
} as const;

/** The ports this run uses instead. */
export interface Ports {
  keycard: number;
  origin: number;
  nginx: number;
  caddy: number;
}

/** Reads the fenced block that follows `<!-- e2e:NAME -->` in `docs/gateways/FILE`. */
export function recipeBlock(repo: string, file: string, name: string): string {
  const text = readFileSync(join(repo, "docs", "gateways", file), "utf8");
  const marker = `<!-- e2e:${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/gateways/${file} has no ${marker}`);
  const m = /^\s*```[^\n]*\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!m) throw new Error(`docs/gateways/${file}: no fenced block after ${marker}`);
  return m[1]!;
}

/** Replaces every documented address with this run's, and fails if a block names none of them. */
export function withPorts(block: string, ports: Ports): string {
  let out = block;
  let replaced = 0;
  for (const [key, address] of Object.entries(DOC_ADDRESSES)) {
    const port = ports[key as keyof Ports];
    const next = out.split(address).join(`127.0.0.1:${port}`);
    if (next !== out) replaced++;
    out = next;
  }
  // Caddy's site address is a bare port.
  out = out.replace(/^:8081 \{/m, () => {
    replaced++;
    return `:${ports.caddy} {`;
  });
  if (replaced === 0) throw new Error("recipe names no documented address");
  return out;
}

/** nginx: the documented `server` block, with the gateway's token, inside a minimal main configuration rooted at `dir`. */
export function nginxConfig(repo: string, ports: Ports, dir: string, gatewayToken: string): string {
  const server = withPorts(recipeBlock(repo, "nginx.md", "nginx"), ports).split("<gateway token>").join(gatewayToken);
  if (!server.includes(`listen 127.0.0.1:${ports.nginx};`)) throw new Error("nginx recipe: listen address not replaced");
  if (!server.includes(gatewayToken)) throw new Error("nginx recipe: no <gateway token> placeholder");
  return [
    "worker_processes 1;",
    "daemon off;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    "events { worker_connections 256; }",
    "http {",
    `  access_log ${dir}/access.log;`,
    `  client_body_temp_path ${dir}/client_body;`,
    `  proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`,
    `  scgi_temp_path ${dir}/scgi;`,
    "  client_body_buffer_size 1m;",
    server,
    "}",
    "",
  ].join("\n");
}

/** Caddy: global options that keep it inside `dir` and off the admin port, then the documented site. */
export function caddyConfig(repo: string, ports: Ports, dir: string): string {
  const site = withPorts(recipeBlock(repo, "caddy.md", "caddy"), ports);
  if (!site.startsWith(`:${ports.caddy} {`)) throw new Error("caddy recipe: site address not replaced");
  return [
    "{",
    "\tadmin off",
    "\tauto_https off",
    `\tstorage file_system ${dir}/data`,
    "}",
    "",
    site,
    "",
  ].join("\n");
}

/** One remote_write queue of the Prometheus configuration. */
export interface Queue {
  name: string;
  style: "basic" | "bearer";
  gateway: "nginx" | "caddy";
  stack: string;
  token: string;
}

/** Prometheus (agent): scrape itself every second, push each queue through its gateway as documented. */
export function prometheusConfig(repo: string, ports: Ports, selfPort: number, queues: Queue[]): string {
  const lines = [
    "global:",
    "  scrape_interval: 1s",
    "scrape_configs:",
    "  - job_name: agent",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${selfPort}"]`,
    "remote_write:",
  ];
  for (const q of queues) {
    const block = recipeBlock(repo, "prometheus.md", `prometheus-${q.style}`);
    const items = block.split("\n");
    if (items[0] !== "remote_write:") throw new Error(`prometheus-${q.style}: the block must start with remote_write:`);
    const gatewayPort = q.gateway === "nginx" ? ports.nginx : ports.caddy;
    const item = items
      .slice(1)
      .join("\n")
      .split(DOC_ADDRESSES.nginx)
      .join(`127.0.0.1:${gatewayPort}`)
      .split("<stack id>")
      .join(q.stack)
      .split("<token>")
      .join(q.token);
    if (item.includes("<") || !item.includes(`127.0.0.1:${gatewayPort}`)) throw new Error(`prometheus-${q.style}: placeholders left`);
    lines.push(item);
    lines.push(`    name: ${q.name}`);
    lines.push("    remote_timeout: 5s");
    lines.push("    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s, max_shards: 1}");
    lines.push("    metadata_config: {send: false}");
  }
  return lines.join("\n") + "\n";
}

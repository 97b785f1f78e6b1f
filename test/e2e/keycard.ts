/**
 * Keycard as a user runs it: `npm start` (scripts/dev.ts → wrangler dev) on a free loopback port. It runs
 * in a sandbox directory whose entries link to the repository's, so the `.dev.vars` and `.wrangler`
 * state it creates are the sandbox's, never the developer's.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { newOperatorToken } from "../../scripts/secrets.ts";
import { Fatal, waitFor } from "./harness.ts";
import { LOOPBACK, send } from "./net.ts";
import type { Procs, Started } from "./procs.ts";

/** Never linked into the sandbox: local state and secrets that belong to the developer. */
const PRIVATE = /^(\.git|\.wrangler|\.dev\.vars.*|\.env.*)$/;

/** A running Keycard. */
export interface Keycard {
  url: string;
  operatorToken: string;
  proc: Started;
}

/** Builds the sandbox under `dir` and starts `npm start` there. Resolves once `/livez` answers. */
export async function startKeycard(procs: Procs, repo: string, dir: string, port: number, logs: string): Promise<Keycard> {
  const sandbox = join(dir, "keycard");
  mkdirSync(sandbox);
  for (const entry of readdirSync(repo)) if (!PRIVATE.test(entry)) symlinkSync(join(repo, entry), join(sandbox, entry));

  const operatorToken = newOperatorToken();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    KEYCARD_OPERATOR_TOKEN: operatorToken,
    CI: "true",
    NO_COLOR: "1",
  };
  const proc = procs.start("keycard", "npm", ["start"], { cwd: sandbox, env, log: join(logs, "keycard.log") });
  const url = `http://${LOOPBACK}:${port}`;
  await waitFor(
    "Keycard /livez",
    async () => {
      if (proc.exited) throw new Fatal(`npm start exited with ${proc.exitCode}`);
      if (/Build failed|\[ERROR\]/.test(readFileSync(proc.log, "utf8"))) throw new Fatal("wrangler could not build the Worker (see the log below)");
      return (await send(`${url}/livez`, { timeoutMs: 2000 })).status === 200;
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
  return { url, operatorToken, proc };
}

/** The admin API, as the operator. */
export class Admin {
  private readonly url: string;
  private readonly operatorToken: string;

  constructor(url: string, operatorToken: string) {
    this.url = url;
    this.operatorToken = operatorToken;
  }

  /** Sends one admin call; fails on any status but `want`. */
  async call<T>(method: string, path: string, body?: unknown, want = 200): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.operatorToken}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await send(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status !== want) throw new Error(`${method} ${path} → ${r.status}, wanted ${want}: ${r.body.slice(0, 300)}`);
    return (r.body ? JSON.parse(r.body) : null) as T;
  }

  /** Creates an org; returns its id. */
  async org(name: string): Promise<string> {
    return (await this.call<{ id: string }>("POST", "/api/v1/orgs", { name })).id;
  }

  /** Creates a stack in an org; returns its id. */
  async stack(orgId: string, name: string): Promise<string> {
    return (await this.call<{ id: string }>("POST", "/api/v1/stacks", { orgId, name })).id;
  }

  /** Creates an access policy; returns its id. */
  async policy(orgId: string, body: Record<string, unknown>): Promise<string> {
    return (await this.call<{ id: string }>("POST", `/api/v1/accesspolicies?orgId=${orgId}`, body)).id;
  }

  /** Creates a token under a policy; returns its id and its secret. */
  async token(orgId: string, accessPolicyId: string, name: string): Promise<{ id: string; secret: string }> {
    const t = await this.call<{ id: string; token: string }>("POST", `/api/v1/tokens?orgId=${orgId}`, { accessPolicyId, name });
    return { id: t.id, secret: t.token };
  }

  /** Deletes a token. */
  async deleteToken(orgId: string, id: string): Promise<void> {
    await this.call("DELETE", `/api/v1/tokens/${id}?orgId=${orgId}`, undefined, 204);
  }
}

/**
 * The processes the suite starts. Each runs in a process group of its own (detached), so stopping it
 * reaches its children (npm → node → wrangler → workerd) and nothing else: signals go to the negative
 * PID of a group this suite created, never to a name.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { sleep } from "./harness.ts";

/** One started process. */
export interface Started {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: boolean;
  exitCode: number | null;
}

/** Options of one start. */
export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log: string;
}

/** Starts and stops the suite's processes. */
export class Procs {
  private readonly started: Started[] = [];

  /** Starts `cmd args` in a new process group, stdout and stderr to `log`. */
  start(name: string, cmd: string, args: string[], o: StartOptions): Started {
    const fd = openSync(o.log, "a");
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
    const s: Started = { name, pid: child.pid, log: o.log, child, exited: false, exitCode: null };
    child.on("exit", (code) => {
      s.exited = true;
      s.exitCode = code;
    });
    child.on("error", () => {
      s.exited = true;
    });
    this.started.push(s);
    return s;
  }

  /** The last lines of a process's log, for a failure report. */
  tail(s: Started, lines = 30): string {
    try {
      return readFileSync(s.log, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Every process started, in order. */
  all(): readonly Started[] {
    return this.started;
  }

  /** SIGTERM to each group, then SIGKILL to whatever is left after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    for (const s of [...this.started].reverse()) signalGroup(s.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.started.some((s) => groupAlive(s.pid))) await sleep(100);
    for (const s of this.started) if (groupAlive(s.pid)) signalGroup(s.pid, "SIGKILL");
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && this.started.some((s) => groupAlive(s.pid))) await sleep(50);
  }

  /** Synchronous last resort for `process.on("exit")`: SIGKILL to every group still alive. */
  killAllNow(): void {
    for (const s of this.started) if (groupAlive(s.pid)) signalGroup(s.pid, "SIGKILL");
  }

  /** Groups that still have a member. */
  survivors(): string[] {
    return this.started.filter((s) => groupAlive(s.pid)).map((s) => `${s.name} (pgid ${s.pid})`);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

/** True while a live (non-zombie) process is in the group. Reads /proc where there is one. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (!existsSync("/proc/self/stat")) return true;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z") return true;
  }
  return false;
}

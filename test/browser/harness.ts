/**
 * A tiny step runner for the browser suite: named steps run in order with a bounded time each; after the
 * first failure the rest are skipped (they build on each other). It prints one line per step and the
 * closing `browser: N passed, M failed` line, and a watchdog bounds the whole run.
 */

/** One step's outcome. */
interface Outcome {
  name: string;
  status: "passed" | "failed" | "skipped";
  ms: number;
}

/** Runs steps, counts them, and cleans up once. */
export class Suite {
  private readonly outcomes: Outcome[] = [];
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private failed = false;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly stepTimeoutMs: number;
  /** Printed after a failed step: e.g. the last lines the server logged. */
  context: () => string[] = () => [];

  constructor(stepTimeoutMs: number, totalTimeoutMs: number) {
    this.stepTimeoutMs = stepTimeoutMs;
    this.watchdog = setTimeout(() => {
      console.error(`browser: the run took longer than ${totalTimeoutMs / 1000} s; stopping`);
      this.outcomes.push({ name: "whole run within its time limit", status: "failed", ms: totalTimeoutMs });
      void this.finish();
    }, totalTimeoutMs);
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void this.finish());
  }

  /** Registers something to stop at the end (last registered, first stopped). */
  onCleanup(f: () => Promise<unknown>): void {
    this.cleanups.unshift(f);
  }

  /** Runs one step, unless an earlier one failed. */
  async step(name: string, f: () => Promise<void>): Promise<void> {
    if (this.failed) {
      this.outcomes.push({ name, status: "skipped", ms: 0 });
      console.log(`  - ${name} (skipped)`);
      return;
    }
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        f(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.stepTimeoutMs} ms`)), this.stepTimeoutMs);
        }),
      ]);
      const ms = Math.round(performance.now() - started);
      this.outcomes.push({ name, status: "passed", ms });
      console.log(`  ✓ ${name} (${ms} ms)`);
    } catch (e) {
      const ms = Math.round(performance.now() - started);
      this.failed = true;
      this.outcomes.push({ name, status: "failed", ms });
      console.log(`  ✗ ${name} (${ms} ms)\n${indent(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
      const lines = this.context();
      if (lines.length) console.log(`    the server's last log lines:\n${lines.map((l) => `      ${l}`).join("\n")}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops what was started, prints the closing line and exits (non-zero on any failure). */
  async finish(): Promise<never> {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    for (const f of this.cleanups.splice(0)) {
      await Promise.race([f().catch((e: unknown) => console.error(`cleanup: ${String(e)}`)), new Promise((r) => setTimeout(r, 10_000))]);
    }
    const count = (s: Outcome["status"]) => this.outcomes.filter((o) => o.status === s).length;
    const [passed, failed, skipped] = [count("passed"), count("failed"), count("skipped")];
    console.log(`browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
    process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
  }
}

function indent(s: string): string {
  return s
    .split("\n")
    .slice(0, 12)
    .map((l) => `      ${l}`)
    .join("\n");
}

/**
 * Keeps the Worker's JSON log lines (one per admin call and decision) off the report, and hands the last
 * 30 to the suite for a failed step. `KEYCARD_BROWSER_LOGS=1` prints them as they come.
 */
export function quietWorkerLogs(suite: Suite): void {
  if (process.env.KEYCARD_BROWSER_LOGS === "1") return;
  const kept: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (!text.startsWith('{"')) return write(chunk, ...rest);
    kept.push(...text.trimEnd().split("\n"));
    kept.splice(0, Math.max(0, kept.length - 30));
    return true;
  }) as typeof process.stdout.write;
  suite.context = () => kept.slice();
}

/** Polls `f` until it returns a truthy value, or throws after `ms`. */
export async function eventually<T>(what: string, f: () => Promise<T>, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: still not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

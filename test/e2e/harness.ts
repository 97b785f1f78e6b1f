/** The suite's own small runner: named checks in order, bounded waits, one summary line. */

/** A failed expectation, with what was seen. */
export class CheckFailure extends Error {}

/** An error that waiting longer cannot cure: `waitFor` gives up at once. */
export class Fatal extends Error {}

/** Throws a CheckFailure unless `cond` holds. */
export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailure(message);
}

/** Counts and prints checks. */
export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];

  /** Runs one check; a thrown error fails it and the suite goes on. Returns whether it passed. */
  async check(name: string, fn: () => unknown | Promise<unknown>): Promise<boolean> {
    const started = Date.now();
    try {
      await fn();
      this.passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (e) {
      this.failed++;
      const why = e instanceof Error ? e.message : String(e);
      this.failures.push(`${name}: ${why}`);
      console.log(`FAIL ${name}: ${why}`);
      return false;
    }
  }

  /** The closing line CI reads. */
  summary(): string {
    return `e2e: ${this.passed} passed, ${this.failed} failed`;
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new CheckFailure(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Health: `/livez` checks nothing; `/readyz` checks D1 and KV. */
import type { App } from "../context.ts";

/** Registers `/livez` and `/readyz`. */
export function register(app: App): void {
  app.get("/livez", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const checks = await Promise.all([
      probe(() => c.env.DB.prepare("SELECT 1").first()),
      probe(() => c.env.TOKENS_KV.get("readyz")),
    ]);
    const [d1, kv] = checks;
    const ready = d1 && kv;
    return c.json({ status: ready ? "ok" : "unavailable", checks: { d1: ok(d1), kv: ok(kv) } }, ready ? 200 : 503);
  });
}

async function probe(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch {
    return false;
  }
}

const ok = (b: boolean) => (b ? "ok" : "fail");

import path from "node:path";
import { cloudflareTest, getRunnerName, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
import { defineConfig } from "vitest/config";
import { newSecrets } from "./scripts/secrets.ts";

const PROJECT = "keycard";

/** Bundles a Worker written in TypeScript, as wrangler would deploy it. */
async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, entry)],
    bundle: true,
    format: "esm",
    target: "es2022",
    write: false,
    external: ["cloudflare:*"],
  });
  return out.outputFiles[0]!.text;
}

/**
 * Every suite runs inside workerd, with the real Miniflare D1 and KV bindings of wrangler.toml.
 * Two auxiliary Workers share the Miniflare: `gateway` (examples/gateway-worker, bound to Keycard's
 * `KeycardAuthorizer` entrypoint) and `origin` (an echo origin that Keycard's outbound fetches, as
 * in proxy mode, reach). Plain-Node tests (test/node) run with `node --test`.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  const compatibilityDate = "2026-04-01";
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // The RPC entrypoint has no request URL; the tests' base URL is the issuer.
            KEYCARD_ISSUER: "http://keycard.test",
            // Generated per run: no secret is committed, not even a test one.
            ...newSecrets(),
          },
          // Suites that send thousands of failing requests are not throttled; the limiter's own test
          // swaps in the strict binding.
          ratelimits: {
            FAILED_ATTEMPTS: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
            FAILED_ATTEMPTS_STRICT: { namespace_id: "1002", simple: { limit: 5, period: 60 } },
          },
          serviceBindings: { GATEWAY: "gateway" },
          outboundService: "origin",
          workers: [
            {
              name: "gateway",
              modules: [{ type: "ESModule", path: "index.js", contents: await bundle("examples/gateway-worker/src/index.ts") }],
              compatibilityDate,
              serviceBindings: {
                KEYCARD: { name: getRunnerName({ name: PROJECT } as TestProject), entrypoint: "KeycardAuthorizer" },
                ORIGIN: "origin",
              },
            },
            {
              name: "origin",
              modules: [{ type: "ESModule", path: "index.js", contents: await bundle("test/worker/fixtures/origin.ts") }],
              compatibilityDate,
            },
          ],
        },
      }),
    ],
    test: {
      name: PROJECT,
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/node/**"],
      setupFiles: ["./test/setup.ts"],
    },
  };
});

// Bindings of wrangler.toml, plus the Worker secrets and the test-only binding. Kept by hand.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./src/index.ts");
  }
  interface Env {
    DB: D1Database;
    TOKENS_KV: KVNamespace;
    REVOCATIONS: DurableObjectNamespace<import("./src/storage/revocation-feed.ts").RevocationFeed>;
    REVOCATION_POLL_SECONDS?: string;
    ISOLATE_CACHE_SECONDS?: string;
    DECISION_TTL_SECONDS?: string;
    KEYCARD_OPERATOR_TOKEN?: string;
    KEYCARD_SIGNING_KEYS?: string;
    KEYCARD_ISSUER?: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
interface Env extends Cloudflare.Env {}

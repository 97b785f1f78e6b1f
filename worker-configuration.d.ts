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
    KEYCARD_ADMIN_API?: string;
    KEYCARD_METRICS_ORG?: string;
    FAILED_ATTEMPTS?: RateLimit;
    FAILED_ATTEMPTS_STRICT?: RateLimit;
    DECISIONS?: AnalyticsEngineDataset;
    ISOLATE_CACHE_SECONDS?: string;
    DECISION_TTL_SECONDS?: string;
    KEYCARD_OPERATOR_TOKEN?: string;
    KEYCARD_SIGNING_KEYS?: string;
    KEYCARD_ISSUER?: string;
    /** JSON array of {method?, path, scopes}, or the array itself when written as a TOML array. */
    KEYCARD_ROUTES?: string | unknown[];
    ORIGIN_URL?: string;
    PROXY_PREFIX?: string;
    PROXY_FORWARD_AUTHORIZATION?: string | boolean;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Test only: the example gateway Worker (examples/gateway-worker), bound to Keycard's RPC entrypoint. */
    GATEWAY: Fetcher;
  }
}
interface Env extends Cloudflare.Env {}

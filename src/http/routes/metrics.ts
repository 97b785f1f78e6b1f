/**
 * `GET /metrics`: this isolate's counters in Prometheus text format. Readable with the operator token,
 * or a token of `KEYCARD_METRICS_ORG` holding `metrics:read`. Across isolates, use the Analytics Engine
 * dataset (`DECISIONS`).
 */
import { ApiError } from "../../services/errors.ts";
import type { App } from "../context.ts";
import { authenticate } from "../middleware/admin.ts";

/** Registers `/metrics`. */
export function register(app: App): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/metrics",
    tags: ["operations"],
    summary: "This isolate's counters (Prometheus text): decisions by outcome and reason, cache hit ratio, latency histogram",
    security: [{ bearer: [] }],
    responses: {
      200: { description: "Prometheus text exposition format 0.0.4" },
      401: { description: "No valid credential" },
      403: { description: "Neither the operator token nor metrics:read in KEYCARD_METRICS_ORG" },
    },
  });
  app.get("/metrics", authenticate, async (c) => {
    const deps = c.get("deps");
    const actor = c.get("actor");
    const allowed = actor.kind === "operator" || (actor.orgId === deps.config.metricsOrg && actor.scopes.has("metrics:read"));
    if (!allowed) throw new ApiError(403, "forbidden", "reading /metrics needs the operator token or metrics:read in the metrics org");
    c.header("Cache-Control", "no-store");
    return c.text(deps.observer.metrics(deps.cache.hits), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}

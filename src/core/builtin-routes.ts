/**
 * The built-in route map (DESIGN §3): the ingest and query APIs of Prometheus, Mimir, Loki, OTLP,
 * Tempo and Pyroscope, and the Fleet Management collector RPCs. Operators' `KEYCARD_ROUTES` are
 * matched before these. Writes and deletes come before the one-segment query catch-alls, so that a
 * catch-all never grants a read for a write.
 */
import type { RouteRule } from "./routes.ts";

const rules = (scope: string, paths: readonly string[]): RouteRule[] => paths.map((path) => ({ path, scopes: [scope] }));
const PROM_PREFIXES = ["/api/v1", "/prometheus/api/v1", "/api/prom/api/v1"];
const each = (suffixes: readonly string[]) => PROM_PREFIXES.flatMap((p) => suffixes.map((s) => p + s));

const FM = "/collector.v1.CollectorService";

/** The rules Keycard knows out of the box, in match order. */
export const BUILTIN_ROUTES: readonly RouteRule[] = [
  // Prometheus remote_write (Mimir, Cortex, Prometheus' own receiver) and the Prometheus OTLP receiver.
  ...rules("metrics:write", ["/api/prom/push", ...each(["/push", "/write", "/otlp/v1/metrics"])]),
  ...rules("metrics:delete", each(["/admin/tsdb/**"])),
  ...rules("rules:read", each(["/rules", "/alerts"])),
  // Prometheus and Mimir queries: the listed endpoints, and any one segment under the Mimir prefixes.
  ...rules("metrics:read", [
    ...each(["/query", "/query_range", "/query_exemplars", "/format_query", "/series", "/labels", "/label/*/values", "/metadata"]),
    "/prometheus/api/v1/*",
    "/api/prom/api/v1/*",
  ]),

  // Loki.
  ...rules("logs:write", ["/loki/api/v1/push"]),
  ...rules("logs:delete", ["/loki/api/v1/delete"]),
  ...rules("logs:read", [
    "/loki/api/v1/query*",
    "/loki/api/v1/labels",
    "/loki/api/v1/label/*/values",
    "/loki/api/v1/series",
    "/loki/api/v1/tail",
    "/loki/api/v1/index/*",
    "/loki/api/v1/patterns",
    "/loki/api/v1/detected_*",
  ]),

  // OTLP over HTTP (with and without the /otlp prefix) and gRPC.
  ...rules("metrics:write", ["/otlp/v1/metrics", "/v1/metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"]),
  ...rules("logs:write", ["/otlp/v1/logs", "/v1/logs", "/opentelemetry.proto.collector.logs.v1.LogsService/Export"]),
  ...rules("traces:write", ["/otlp/v1/traces", "/v1/traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export"]),

  // Tempo.
  ...rules("traces:write", ["/tempo/api/push"]),
  ...rules(
    "traces:read",
    ["", "/tempo"].flatMap((p) => [`${p}/api/traces/**`, `${p}/api/v2/traces/**`, `${p}/api/search`, `${p}/api/search/**`, `${p}/api/v2/search/**`]),
  ),

  // Pyroscope.
  ...rules("profiles:write", ["/ingest", "/pyroscope/ingest", "/push.v1.PusherService/Push", "/pyroscope/push.v1.PusherService/Push"]),
  ...rules("profiles:read", ["/querier.v1.QuerierService/*", "/pyroscope/querier.v1.QuerierService/*", "/pyroscope/render*"]),

  // Fleet Management: what a collector does with `set:alloy-data-write`.
  { method: "POST", path: `${FM}/RegisterCollector`, scopes: ["fleet-management:read"] },
  { method: ["GET", "POST"], path: `${FM}/GetConfig`, scopes: ["fleet-management:read"] },
  { path: `${FM}/UnregisterCollector`, scopes: ["fleet-management:read"] },
];

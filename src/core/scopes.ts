/**
 * The scope catalogue (DESIGN §1): `service:action` scopes, and sets that bundle them. Sets are stored
 * as written and expanded when a request is checked.
 */

/** Every scope Keycard knows, with what it allows. */
export const SCOPES: Readonly<Record<string, string>> = {
  "metrics:read": "Query metrics",
  "metrics:write": "Push metrics (Prometheus remote_write, OTLP)",
  "metrics:delete": "Delete metric series",
  "logs:read": "Query logs",
  "logs:write": "Push logs",
  "logs:delete": "Delete log streams",
  "traces:read": "Query traces",
  "traces:write": "Push traces",
  "traces:delete": "Delete traces",
  "profiles:read": "Query profiles",
  "profiles:write": "Push profiles",
  "alerts:read": "Read Alertmanager state",
  "alerts:write": "Change Alertmanager state",
  "rules:read": "Read recording and alerting rules",
  "rules:write": "Change recording and alerting rules",
  "accesspolicies:read": "Read access policies, tokens and audit events",
  "accesspolicies:write": "Create and update access policies and tokens",
  "accesspolicies:delete": "Delete access policies and tokens",
  "stacks:read": "Read stacks",
  "stacks:write": "Create and update stacks",
  "stacks:delete": "Delete stacks",
  "fleet-management:read": "Register collectors and fetch their configuration",
  "fleet-management:write": "Change Fleet Management pipelines and collectors",
  "authorizer:delegate": "Report a client IP to /authorize on behalf of a client (gateways)",
};

const DATA_WRITE = ["metrics:write", "logs:write", "traces:write", "profiles:write", "fleet-management:read"];

/** Scope sets and their members. */
export const SCOPE_SETS: Readonly<Record<string, readonly string[]>> = {
  "set:alloy-data-write": DATA_WRITE,
  "set:otel-data-write": DATA_WRITE,
};

/** Scopes whose reads can be limited by a realm's label policies. */
export const LABEL_SCOPES: ReadonlySet<string> = new Set(["metrics:read", "logs:read"]);

/** True when `scope` is a scope or a set of the catalogue. */
export function isKnownScope(scope: string): boolean {
  return Object.hasOwn(SCOPES, scope) || Object.hasOwn(SCOPE_SETS, scope);
}

/** Expands sets into their members; plain scopes stay as they are. */
export function expandScopes(scopes: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const s of scopes) {
    const members = Object.hasOwn(SCOPE_SETS, s) ? SCOPE_SETS[s]! : [s];
    for (const m of members) out.add(m);
  }
  return out;
}

/** The service part of a scope (`metrics` for `metrics:read`). */
export function serviceOf(scope: string): string {
  const i = scope.indexOf(":");
  return i < 0 ? scope : scope.slice(0, i);
}

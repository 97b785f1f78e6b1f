/**
 * Which scopes a request asks for (DESIGN §3): the explicit `X-Keycard-Scope`, or else the route
 * map applied to the original method and URI that the gateway reports.
 */
import { parseScopeHeader } from "./credential.ts";
import { err, ok, type Result } from "./result.ts";
import { matchRoute, normalizeMethod, normalizePath, type RouteMap } from "./routes.ts";

/** Why no scopes can be derived. */
export type ScopeDenial = "scope_required" | "scope_denied" | "route_invalid" | "route_unmapped";

/** The original method and URI, each null when not reported. */
export interface OriginalRequest {
  method: string | null;
  uri: string | null;
}

/** The two header families gateways report the original request in. */
export interface OriginalHeaders {
  originalMethod: string | null;
  originalUri: string | null;
  forwardedMethod: string | null;
  forwardedUri: string | null;
}

const present = (v: string | null): string | null => (v === null || v.trim() === "" ? null : v.trim());

/** The reports of the original request in nginx's `X-Original-*` and Caddy's and Traefik's `X-Forwarded-*`. */
export function headerReports(h: OriginalHeaders): OriginalRequest[] {
  return [
    { method: h.originalMethod, uri: h.originalUri },
    { method: h.forwardedMethod, uri: h.forwardedUri },
  ];
}

/**
 * Picks the original method and URI from every report of them (the header families, and the path
 * under `/authorize/` for Envoy). Reports that are present must agree: a client that adds its own
 * `X-Forwarded-Uri` behind nginx (or `X-Original-URI` behind Caddy), which the gateway passes on,
 * gets `route_invalid` instead of choosing the route that is checked.
 */
export function pickOriginal(reports: readonly OriginalRequest[]): Result<OriginalRequest, "route_invalid"> {
  let method: string | null = null;
  let uri: string | null = null;
  for (const r of reports) {
    const [m, u] = [present(r.method), present(r.uri)];
    if (m !== null) {
      if (method !== null && method.toUpperCase() !== m.toUpperCase()) return err("route_invalid");
      method ??= m;
    }
    if (u !== null) {
      if (uri !== null && uri !== u) return err("route_invalid");
      uri ??= u;
    }
  }
  return ok({ method, uri });
}

/** What the scopes are derived from. A blank `scope` counts as absent. */
export interface ScopeSource {
  /** `X-Keycard-Scope`. */
  scope: string | null;
  /** The original request, or why the gateway's report of it is refused. */
  original: Result<OriginalRequest, "route_invalid">;
}

/**
 * The requested scopes: an explicit scope header wins (`scope_denied` when malformed); else the
 * route map decides (`route_invalid` for a refused method or URI, `route_unmapped` when no rule
 * matches); with neither, `scope_required`.
 */
export function requestedScopes(src: ScopeSource, routes: RouteMap): Result<string[], ScopeDenial> {
  const explicit = present(src.scope);
  if (explicit !== null) {
    const parsed = parseScopeHeader(explicit);
    return parsed.ok ? parsed : err("scope_denied");
  }
  if (!src.original.ok) return src.original;
  const uri = present(src.original.value.uri);
  if (uri === null) return err("scope_required");
  const rawMethod = present(src.original.value.method);
  const method = rawMethod === null ? null : normalizeMethod(rawMethod);
  if (rawMethod !== null && method === null) return err("route_invalid");
  const path = normalizePath(uri);
  if (!path.ok) return err("route_invalid");
  const scopes = matchRoute(routes, method, path.value);
  return scopes === null ? err("route_unmapped") : ok([...scopes]);
}

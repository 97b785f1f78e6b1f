/** Admin-API middleware: JSON-only bodies, a body limit, and the caller's identity. */
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { resolveActor } from "../../services/actor.ts";
import type { AdminContext } from "../../services/admin/context.ts";
import { ApiError } from "../../services/errors.ts";
import type { AppEnv } from "../context.ts";
import { keyOf } from "./idempotency.ts";

/** The largest admin request body. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/** 413 past the body limit. */
export const limitBody = bodyLimit({
  maxSize: MAX_ADMIN_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "payload_too_large", `request bodies are limited to ${MAX_ADMIN_BODY_BYTES} bytes`);
  },
});

/** 415 for a body that is not `application/json`. */
export const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const hasBody = c.req.header("content-length") !== "0" && c.req.raw.body !== null;
    if (hasBody && type !== "application/json") {
      throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
    }
  }
  await next();
});

const ADMIN_SURFACE = /^\/(api\/|docs$|openapi\.json$|admin(\/|$))/;

/** 404 for the admin surface (`/api/*`, `/docs`, `/openapi.json`, `/admin`) when `KEYCARD_ADMIN_API=off`. */
export const adminEnabled = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("deps").config.adminApi && ADMIN_SURFACE.test(c.req.path)) {
    throw new ApiError(404, "not_found", "the admin API is disabled on this deployment");
  }
  await next();
});

/** One JSON log line per admin request: who, what, the status, how long (never a body or a token). */
export const logAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  await next();
  const deps = c.get("deps");
  deps.observer.admin({
    requestId: (c.req.header("cf-ray") ?? c.req.header("x-request-id") ?? deps.newId()).slice(0, 128),
    actor: c.get("actor")?.id ?? "anonymous",
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
});

/** Authenticates the caller (operator or Keycard token); 401 otherwise, 429 after too many failures. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get("deps");
  const ip = c.req.header("cf-connecting-ip") ?? null;
  const retryAfter = deps.attempts.retryAfter(ip, deps.now());
  if (retryAfter > 0) {
    c.header("Retry-After", String(retryAfter));
    throw new ApiError(429, "rate_limited", "too many failed attempts from this client IP; try again later");
  }
  const actor = await resolveActor(
    { operatorToken: deps.config.operatorToken, records: deps.records },
    c.req.header("authorization") ?? null,
    ip,
    deps.now(),
  );
  if (actor === null) {
    await deps.attempts.failed(ip, deps.now());
    c.header("WWW-Authenticate", `Bearer realm="keycard"`);
    throw new ApiError(401, "unauthenticated", "send a valid Keycard token with admin scopes as Authorization: Bearer <token>");
  }
  c.set("actor", actor);
  await next();
});

/** The admin context of the current request. */
export function adminContext(c: { get: <K extends "deps" | "actor">(k: K) => AppEnv["Variables"][K]; req: { header: (n: string) => string | undefined } }): AdminContext {
  const deps = c.get("deps");
  return {
    store: deps.admin,
    actor: c.get("actor"),
    now: new Date(deps.now()).toISOString(),
    newId: deps.newId,
    requestId: c.req.header("x-request-id") ?? null,
    idempotency: keyOf(c),
    invalidate: deps.invalidate,
  };
}

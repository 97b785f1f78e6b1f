/**
 * Idempotent POST and DELETE: a keyed request whose answer is stored is replayed, with
 * `Idempotent-Replayed: true`, before any route runs; otherwise its key travels to the services, which
 * store the answer in the transaction of the change.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { IdempotencyKey } from "../../services/admin/context.ts";
import { idempotencyKey, storedAnswer } from "../../services/admin/idempotency.ts";
import { IdempotencyRaceError, type StoredResponse } from "../../services/ports.ts";
import type { AppEnv } from "../context.ts";

const keys = new WeakMap<object, IdempotencyKey>();

/** The idempotency key of the current request (null when it carries none). */
export function keyOf(c: object): IdempotencyKey | null {
  return keys.get(c) ?? null;
}

/** Replays stored answers, and passes the key of new requests on to `adminContext`. */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("x-request-id");
  if (header === undefined || (c.req.method !== "POST" && c.req.method !== "DELETE")) return next();
  const url = new URL(c.req.url);
  const key = await idempotencyKey(c.get("actor"), {
    method: c.req.method,
    path: url.pathname,
    orgId: url.searchParams.get("orgId"),
    key: header,
    query: url.searchParams,
    body: await c.req.text(),
  });
  if (key === null) return next();
  const deps = c.get("deps");
  const now = () => new Date(deps.now()).toISOString();
  const stored = await storedAnswer(deps.admin, key, now());
  if (stored !== null) return replay(c, stored);
  keys.set(c, key);
  await next();
  if (c.error instanceof IdempotencyRaceError) {
    const winner = await storedAnswer(deps.admin, key, now());
    if (winner !== null) c.res = replay(c, winner);
  }
});

function replay(c: Context<AppEnv>, stored: StoredResponse): Response {
  const headers = { "Idempotent-Replayed": "true", "Cache-Control": "no-store" };
  if (stored.status === 204) return c.body(null, 204, headers);
  return c.json(stored.body, stored.status as ContentfulStatusCode, headers);
}

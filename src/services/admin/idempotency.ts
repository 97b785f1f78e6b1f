/**
 * Idempotency keys (`x-request-id` on POST and DELETE). A keyed change stores its answer in the same
 * transaction as the change; a retry within 24 h by the same caller, on the same method and path, gets
 * that answer back without a second write. The same key with a different request is a 409.
 */
import type { Actor } from "../actor.ts";
import { ApiError, validationError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { AdminStore, StoredResponse } from "../ports.ts";
import type { IdempotencyKey } from "./context.ts";

/** Defaults that generated clients send on every call: they identify no request, so they are no key. */
export const IGNORED_KEYS: ReadonlySet<string> = new Set(["openapi-x-request-id"]);

/** What the key of a request is made of. */
export interface KeyedRequest {
  method: string;
  path: string;
  /** The `orgId` query parameter, if any. */
  orgId: string | null;
  /** The `x-request-id` header, if any. */
  key: string | null;
  /** The query parameters. */
  query: URLSearchParams;
  /** The raw body text. */
  body: string;
}

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/**
 * The idempotency key of a request, or null when the request is not keyed. The scope is the acting
 * org (the token's own; for the operator, `?orgId=` or none), the actor, the method and the path; the
 * fingerprint hashes the sorted query and the canonical JSON body.
 */
export async function idempotencyKey(actor: Actor, r: KeyedRequest): Promise<IdempotencyKey | null> {
  if ((r.method !== "POST" && r.method !== "DELETE") || r.key === null || IGNORED_KEYS.has(r.key)) return null;
  if (!KEY_SHAPE.test(r.key)) {
    throw validationError([{ path: "x-request-id", message: "must be 1–255 printable ASCII characters without spaces" }]);
  }
  const orgId = actor.kind === "token" ? actor.orgId : (r.orgId ?? "");
  const query = [...r.query].sort(([a, x], [b, y]) => (a === b ? cmp(x, y) : cmp(a, b)));
  const fingerprint = await sha256Hex(`${new URLSearchParams(query)}\n${canonical(r.body)}`);
  return { orgId, actor: actor.id, method: r.method, path: r.path, key: r.key, fingerprint };
}

/** The stored answer to a keyed request, or null. 409 `idempotency_key_reused` when the key was used for another request. */
export async function storedAnswer(store: AdminStore, key: IdempotencyKey, now: string): Promise<StoredResponse | null> {
  const stored = await store.findReplay(key, now);
  if (stored === null) return null;
  if (stored.fingerprint !== key.fingerprint) {
    throw new ApiError(
      409,
      "idempotency_key_reused",
      "this x-request-id was already used for a different request on this method and path; send a new key for a new request",
    );
  }
  return stored;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with sorted keys, so that key order and whitespace do not make a retry look different. */
function canonical(body: string): string {
  if (body.trim() === "") return "";
  try {
    return JSON.stringify(sortKeys(JSON.parse(body)));
  } catch {
    return body;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const entries = Object.keys(v)
    .sort()
    .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]);
  return Object.fromEntries(entries);
}

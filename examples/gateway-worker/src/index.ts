/**
 * An example gateway Worker: it authorizes every request through Keycard's RPC entrypoint (a service
 * binding, no network hop), then forwards it to the origin with the signed decision attached.
 *
 * - The scope comes from Keycard's route map (method and path), so this Worker knows no scopes.
 * - The client IP is the one Cloudflare saw (`CF-Connecting-IP`), which clients cannot set.
 * - A denial is returned as Keycard gave it (401/403, `X-Keycard-Reason`); the origin never sees it.
 * - The client's `Authorization` and any `X-Keycard-*` headers are dropped before the origin.
 * - The request body is streamed to the origin, never buffered.
 */
import type { KeycardAuthorizer } from "../../../src/entrypoint.ts";

/** The bindings of wrangler.toml. */
export interface Env {
  /** `{ service = "keycard", entrypoint = "KeycardAuthorizer" }`. */
  KEYCARD: Service<KeycardAuthorizer>;
  /** The origin: another Worker here; any `Fetcher` (or `fetch` to a URL) works the same. */
  ORIGIN: Fetcher;
}

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    const result = await env.KEYCARD.authorize({
      authorization: request.headers.get("authorization"),
      method: request.method,
      uri: url.pathname + url.search,
      clientIp: request.headers.get("cf-connecting-ip"),
    });
    if (!result.allowed) {
      return Response.json({ code: result.code, message: result.message }, { status: result.status, headers: result.headers });
    }
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) {
      if (name === "authorization" || name.startsWith("x-keycard-")) headers.delete(name);
    }
    headers.set("X-Keycard-Decision", result.decision);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return env.ORIGIN.fetch(url.toString(), { method: request.method, headers, body: hasBody ? request.body : null, redirect: "manual" });
  },
} satisfies ExportedHandler<Env>;

/**
 * Proxy mode (on when `ORIGIN_URL` is set): Keycard fronts an origin. A request under the proxy
 * prefix (`PROXY_PREFIX`, default `/proxy`) is authorized with the scope the route map gives its
 * method and path (the path after the prefix; an `X-Keycard-Scope` from the client is ignored),
 * then streamed to `ORIGIN_URL` + that path + the query, with the decision in `X-Keycard-Decision`
 * (and `-Subject`, `-Org`, `-Stack`). The origin's response streams back as it is.
 *
 * Neither body is ever buffered. Hop-by-hop headers and every client-sent `X-Keycard-*` header are
 * dropped; so is `Authorization`, unless `PROXY_FORWARD_AUTHORIZATION=true`. A denial is the same
 * 401/403 as `/authorize`, and the origin never sees the request. An unreachable origin is a 502.
 */
import type { Context } from "hono";
import { authorize } from "../../services/authorize.ts";
import { answer } from "../answer.ts";
import type { App, AppEnv } from "../context.ts";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

const proxied = new WeakSet<Response>();

/** True for a response streamed back from the origin: the app leaves its headers alone. */
export function isProxied(res: Response): boolean {
  return proxied.has(res);
}

/** The origin path of a request path under `prefix` (`/proxy/a` → `/a`, `/proxy` → `/`), else null. */
export function originPath(pathname: string, prefix: string): string | null {
  if (pathname === prefix) return "/";
  return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : null;
}

/** The headers the origin receives: the client's, less hop-by-hop and `X-Keycard-*`, plus the decision's. */
export function originHeaders(client: Headers, decision: Record<string, string>, forwardAuthorization: boolean): Headers {
  const out = new Headers(client);
  const listed = (client.get("connection") ?? "").split(",").map((s) => s.trim().toLowerCase());
  for (const name of [...out.keys()]) {
    if (HOP_BY_HOP.has(name) || listed.includes(name) || name.startsWith("x-keycard-")) out.delete(name);
  }
  if (!forwardAuthorization) out.delete("authorization");
  for (const [name, value] of Object.entries(decision)) if (name.startsWith("X-Keycard-")) out.set(name, value);
  return out;
}

async function handle(c: Context<AppEnv>, path: string, url: URL): Promise<Response> {
  const deps = c.get("deps");
  const proxy = deps.config.proxy!;
  const h = (name: string) => c.req.header(name) ?? null;
  const outcome = await authorize(
    deps.authorize,
    {
      authorization: h("authorization"),
      scope: null,
      original: { ok: true, value: { method: c.req.method, uri: path + url.search } },
      stack: h("x-keycard-stack"),
      peerIp: h("cf-connecting-ip"),
      gatewayToken: h("x-keycard-gateway-token"),
      delegatedIp: h("x-keycard-client-ip"),
      issuer: deps.config.issuer,
    },
  );
  const work = deps.background();
  if (work) c.executionCtx.waitUntil(work);
  const a = answer(outcome);
  if (a.status !== 200) {
    for (const [name, value] of Object.entries(a.headers)) c.header(name, value);
    return c.json(a.body, a.status);
  }
  const request = c.req.raw;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let res: Response;
  try {
    res = await fetch(proxy.originUrl + path + url.search, {
      method: request.method,
      headers: originHeaders(request.headers, a.headers, proxy.forwardAuthorization),
      body: hasBody ? request.body : null,
      redirect: "manual",
    });
  } catch (e) {
    console.error(JSON.stringify({ level: "error", msg: "origin unreachable", error: (e as Error).name, detail: (e as Error).message }));
    return c.json({ code: "origin_unavailable", message: "the origin cannot be reached" }, 502);
  }
  const out = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
  proxied.add(out);
  return out;
}

/** Registers the proxy: a middleware that takes requests under the prefix when proxy mode is on. */
export function register(app: App): void {
  app.use(async (c, next) => {
    const proxy = c.get("deps").config.proxy;
    if (proxy === null) return next();
    const url = new URL(c.req.url);
    const path = originPath(url.pathname, proxy.prefix);
    if (path === null) return next();
    return handle(c, path, url);
  });
}

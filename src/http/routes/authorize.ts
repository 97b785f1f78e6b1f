/** `/authorize`: forward-auth for gateways. Any method; the body is never read. */
import { decide, type AuthorizeInput } from "../../services/decide.ts";
import { wireDenial } from "../deny.ts";
import type { App } from "../context.ts";

const ALL = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Registers `/authorize` and documents it. */
export function register(app: App): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/authorize",
    summary: "Authorize a token for a scope, stack and client IP (any method; forward-auth style)",
    tags: ["authorize"],
    responses: {
      200: { description: "Allowed. The signed decision is in X-Keycard-Decision and in the body." },
      401: { description: "Missing, malformed, unknown or expired credential. Body {code, message}; X-Keycard-Reason." },
      403: { description: "Policy inactive, client IP, realm or scope refused. Body {code, message}; X-Keycard-Reason." },
    },
  });

  app.on(ALL, "/authorize", async (c) => {
    const deps = c.get("deps");
    const input: AuthorizeInput = {
      authorization: c.req.header("authorization") ?? null,
      scope: c.req.header("x-keycard-scope") ?? null,
      stack: c.req.header("x-keycard-stack") ?? null,
      clientIp: c.req.header("cf-connecting-ip") ?? null,
      issuer: deps.config.issuer ?? new URL(c.req.url).origin,
    };
    const outcome = await decide(deps.decide, input);
    const work = deps.background();
    if (work) c.executionCtx.waitUntil(work);
    if (outcome.allow) {
      const { claims } = outcome;
      c.header("X-Keycard-Decision", outcome.decision);
      c.header("X-Keycard-Subject", claims.sub);
      c.header("X-Keycard-Org", claims.org);
      c.header("X-Keycard-Stack", claims.stack ?? "-");
      c.header("Cache-Control", `private, max-age=${Math.floor((claims.exp - claims.iat) / 2)}`);
      return c.json({ allowed: true, decision: outcome.decision, claims });
    }
    const d = wireDenial(outcome.reason);
    c.header("X-Keycard-Reason", d.code);
    c.header("Cache-Control", "no-store");
    if (d.status === 401) c.header("WWW-Authenticate", `Bearer realm="keycard", error="invalid_token"`);
    return c.json({ code: d.code, message: d.message }, d.status);
  });
}

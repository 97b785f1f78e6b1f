/** `GET /.well-known/jwks.json`: the keys origins verify decisions with. */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";

const route = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  tags: ["authorize"],
  summary: "The public keys of decisions: the current key first, then previous keys still in use",
  responses: {
    200: {
      description: "A JWK Set",
      content: { "application/json": { schema: z.object({ keys: z.array(z.looseObject({ kid: z.string() })) }) } },
    },
  },
});

/** Registers the JWKS route. */
export function register(app: App): void {
  app.openapi(route, (c) => {
    const deps = c.get("deps");
    c.header("Cache-Control", "public, max-age=300");
    return c.json(deps.decide.signer.jwks(deps.now()) as { keys: { kid: string }[] }, 200);
  });
}

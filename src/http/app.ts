/** The Hono app: middleware, then the routes in reading order. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { ConfigError, getDeps } from "../deps.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, onError, validationError, zodDetails } from "./errors.ts";
import { authenticate, limitBody, requireJson } from "./middleware/admin.ts";
import * as accessPolicies from "./routes/access-policies.ts";
import * as authorize from "./routes/authorize.ts";
import * as health from "./routes/health.ts";
import * as jwks from "./routes/jwks.ts";
import * as orgs from "./routes/orgs.ts";
import * as tokens from "./routes/tokens.ts";

/** Builds the app. Dependencies are resolved per isolate from `env` on first use. */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(zodDetails(result.error));
    },
  });
  app.onError(onError);
  app.notFound((c) => c.json({ code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.use(secureHeaders());

  health.register(app);
  app.use(async (c, next) => {
    try {
      c.set("deps", await getDeps(c.env));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(JSON.stringify({ level: "error", msg: "invalid configuration", problems: e.problems }));
      throw new ApiError(503, "misconfigured", "Keycard is not configured; see the server log");
    }
    await next();
  });
  jwks.register(app);
  authorize.register(app);

  app.use("/api/*", authenticate, requireJson, limitBody);
  orgs.register(app);
  accessPolicies.register(app);
  tokens.register(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: { title: "Keycard", version: "0.1.0", description: "Edge token authorizer: access policies, tokens, signed decisions." },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  return app;
}

/** The Hono app: middleware, then the routes in reading order. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { ConfigError, getDeps } from "../deps.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, onError, validationError, zodDetails } from "./errors.ts";
import { adminEnabled, authenticate, limitBody, logAdmin, requireJson } from "./middleware/admin.ts";
import { idempotency } from "./middleware/idempotency.ts";
import * as accessPolicies from "./routes/access-policies.ts";
import * as adminPage from "./routes/admin-page.ts";
import * as auditEvents from "./routes/audit-events.ts";
import * as authorize from "./routes/authorize.ts";
import * as docs from "./routes/docs.ts";
import * as health from "./routes/health.ts";
import * as jwks from "./routes/jwks.ts";
import * as metrics from "./routes/metrics.ts";
import * as orgs from "./routes/orgs.ts";
import * as proxy from "./routes/proxy.ts";
import * as stacks from "./routes/stacks.ts";
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
  const secure = secureHeaders();
  app.use(async (c, next) => {
    await next();
    if (!proxy.isProxied(c.res)) await secure(c, async () => {});
  });

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
  proxy.register(app);
  metrics.register(app);

  app.use(adminEnabled);
  app.use("/api/*", logAdmin, authenticate, requireJson, limitBody, idempotency);
  orgs.register(app);
  stacks.register(app);
  accessPolicies.register(app);
  tokens.register(app);
  auditEvents.register(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", (c) => ({ ...docs.DOCUMENT, servers: [{ url: new URL(c.req.url).origin }] }));
  docs.register(app);
  adminPage.register(app);
  return app;
}

/** The Hono environment shared by the app, its middleware and its routes. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { Actor } from "../services/actor.ts";

/** Bindings and per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: { deps: Deps; actor: Actor };
}

/** The app type routes register on. */
export type App = OpenAPIHono<AppEnv>;

/**
 * The Worker entry: the app, built once per isolate; the revocation feed's Durable Object class; and
 * the `KeycardAuthorizer` RPC entrypoint for gateways that are Workers.
 */
import { createApp } from "./http/app.ts";

export { RevocationFeed } from "./storage/revocation-feed.ts";
export { KeycardAuthorizer } from "./entrypoint.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

/** The Worker entry: the app, built once per isolate, and the revocation feed's Durable Object class. */
import { createApp } from "./http/app.ts";

export { RevocationFeed } from "./storage/revocation-feed.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

/** The Worker entry: the app, built once per isolate. */
import { createApp } from "./http/app.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

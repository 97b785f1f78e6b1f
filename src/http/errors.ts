/**
 * The one error envelope: `{code, message, details?: [{path, message}]}`. Routes throw `ApiError`;
 * `onError` turns it, and anything unexpected, into a response. No stack trace ever leaves.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ApiError, type ErrorDetail } from "../services/errors.ts";

export { ApiError, notFound, validationError, type ErrorDetail } from "../services/errors.ts";

/** Turns zod issues into `details`. */
export function zodDetails(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join("."), message: i.message }));
}

/** The `app.onError` handler. Infrastructure faults become 503 and fail closed. */
export function onError(e: Error, c: Context): Response {
  if (e instanceof ApiError) {
    const body: Record<string, unknown> = { code: e.code, message: e.message };
    if (e.details) body.details = e.details;
    return c.json(body, e.status);
  }
  if (e instanceof HTTPException && e.status < 500) {
    return c.json({ code: "bad_request", message: e.message || "bad request" }, e.status);
  }
  console.error(JSON.stringify({ level: "error", msg: "unhandled", error: e.name, detail: e.message }));
  return c.json({ code: "unavailable", message: "Keycard cannot serve this request right now" }, 503);
}

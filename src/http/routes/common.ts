/** Pieces every admin route declares: JSON bodies, idempotency headers, the error responses, security. */
import type { z } from "@hono/zod-openapi";
import { ErrorBody, RequestIdHeader } from "../schemas.ts";

const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorBody } } });

/** The error responses of an admin route. */
export const errorResponses = {
  400: error("Invalid input: `details` names each bad field"),
  401: error("Missing or invalid credential"),
  403: error("The token lacks the scope, or the realm, this call needs; or it would grant a scope it does not hold"),
  404: error("No such object in the acting org (another org's objects are not found either)"),
  409: error("`conflict`: a name is taken, the object still owns something, or it changed concurrently (read it again and retry); `idempotency_key_reused`"),
  413: error("The body is larger than 64 KiB"),
  415: error("The body is not application/json"),
} as const;

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { "application/json": { schema } }, required: true } };
}

/** The `x-request-id` idempotency header of POST and DELETE. */
export const idempotent = { headers: RequestIdHeader };

/** A JSON response. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The 204 of a delete. */
export const deleted = { 204: { description: "Deleted (a replay of a keyed delete answers the same)" } };

/** Admin routes authenticate with a bearer Keycard token. */
export const security = [{ bearer: [] }];

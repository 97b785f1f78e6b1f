/** Pieces every admin route declares: JSON bodies, the error responses, the security scheme. */
import type { z } from "@hono/zod-openapi";
import { ErrorBody } from "../schemas.ts";

const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorBody } } });

/** The error responses of an admin route. */
export const errorResponses = {
  400: error("Invalid input: `details` names each bad field"),
  401: error("Missing or invalid credential"),
  403: error("The token lacks the scope this call needs"),
  404: error("No such object in the acting org"),
  409: error("The name is taken"),
  415: error("The body is not application/json"),
} as const;

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { "application/json": { schema } }, required: true } };
}

/** A JSON response. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** Admin routes authenticate with a bearer Keycard token. */
export const security = [{ bearer: [] }];

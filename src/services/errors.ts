/** Errors a client can act on, raised by services and mapped to the wire by `http/errors.ts`. */

/** One bad field. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error with a status, a stable code, a message and optional field details. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** A 400 `validation_failed` naming each bad field. */
export function validationError(details: ErrorDetail[]): ApiError {
  const first = details[0];
  const message = first ? `${first.path || "body"}: ${first.message}` : "the request is invalid";
  return new ApiError(400, "validation_failed", message, details);
}

/** A 404 that reads the same whether the object is missing or belongs to another org. */
export function notFound(kind: string): ApiError {
  return new ApiError(404, "not_found", `${kind} not found`);
}

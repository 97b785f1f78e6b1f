/** Why `enforceQuery` refused a query: a stable `code`, a message for humans, and where in the query. */

/** Every stable code a query can be refused with. */
export type QueryRejectionCode =
  /** The decision does not grant the read scope of the query language (`metrics:read` for PromQL, `logs:read` for LogQL). */
  | "scope_not_granted"
  /** The query is longer than {@link MAX_QUERY_LENGTH}. */
  | "query_too_long"
  /** The query does not parse. */
  | "query_syntax"
  /** The query parses but uses a construct the helper does not rewrite (`@`, subqueries, `info()`, comments in LogQL, …). */
  | "query_unsupported"
  /** The decision has several selectors that cannot be merged into one matcher. */
  | "several_selectors"
  /** A decision matcher cannot be written in the query language (a quoted UTF-8 label name in LogQL). */
  | "label_not_expressible";

/** The longest query `enforceQuery` reads, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 65_536;

/**
 * Thrown by `enforceQuery` when a query cannot be rewritten safely. Answer it as a client error (HTTP 400, or
 * 403 for `scope_not_granted`); never run the original query instead.
 */
export class QueryRejectedError extends Error {
  override readonly name = "QueryRejectedError";
  /** The stable reason. */
  readonly code: QueryRejectionCode;
  /** The 0-based offset of the fault in the query (UTF-16 code units); 0 when the fault is not in the text. */
  readonly position: number;

  constructor(code: QueryRejectionCode, message: string, position = 0) {
    super(message);
    this.code = code;
    this.position = position;
  }
}

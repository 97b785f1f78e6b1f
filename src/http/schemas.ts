/**
 * The zod schemas of the admin API: they validate requests and generate the OpenAPI document. This file
 * holds the shared pieces, orgs, stacks and the audit log; `schemas-policies.ts` holds policies and tokens.
 */
import { z } from "@hono/zod-openapi";

/** An ISO-8601 timestamp in a response. */
export const timestamp = z.string().openapi({ example: "2026-11-23T18:00:00.000Z" });

/** An id in a path, a query or a body. */
export const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an id (letters, digits, - and _)");

/** An immutable name: lowercase letters, digits and dashes. */
export const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter or digit");

/** A display name; empty means "the name", as Grafana's clients send it. */
export const displayName = z.string().trim().max(128);

/** An ISO-8601 time in a query, with offset. */
export const queryTime = z.iso.datetime({ offset: true });

/** A boolean query flag. */
export const flag = z.enum(["true", "false"]).optional();

/** `?orgId=&region=`: the org a call acts in, and Grafana's optional region. */
export const OrgQuery = z.object({
  orgId: id.optional().openapi({ description: "The org to act in. Required for the operator token; a token acts in its own org." }),
  region: z.string().max(32).optional().openapi({ description: "Accepted for Grafana compatibility; ignored.", example: "us" }),
});

/** `?region=` alone, for org routes. */
export const RegionQuery = OrgQuery.pick({ region: true });

/** List paging parameters. */
export const ListQuery = OrgQuery.extend({
  pageSize: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: "Items per page (1–1000).", example: 50 }),
  pageCursor: z.string().max(64).optional().openapi({ description: "The cursor from `metadata.pagination.nextPage`." }),
});

/** `?force=true` on deletes of orgs and stacks. */
export const ForceQuery = OrgQuery.extend({
  force: flag.openapi({ description: "Delete what the object still owns too (see the operation's description)." }),
});

/** `{id}` in the path. */
export const IdParam = z.object({ id: id.openapi({ param: { name: "id", in: "path" } }) });

/** The idempotency key of POST and DELETE. */
export const RequestIdHeader = z.object({
  "x-request-id": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      description:
        "Idempotency key. A retry with the same key, by the same caller, on the same method and path, within 24 h, " +
        "gets the first answer (with `Idempotent-Replayed: true`) and writes nothing. The same key with a different " +
        "request is a 409 `idempotency_key_reused`. Only successful changes are remembered. The generated-client " +
        "default `openapi-x-request-id` is not treated as a key.",
      example: "tf-2b7c5e0e-5d8e-4a62-9a3b-0c6f7f4a1e11",
    }),
});

/** The flat error envelope. */
export const ErrorBody = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Error");

/** The list envelope of Grafana's API. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      metadata: z.object({
        pagination: z.object({ pageSize: z.number(), pageCursor: z.string().nullable(), nextPage: z.string().nullable() }),
      }),
    })
    .openapi(name);
}

/** An org, as answered. */
export const Org = z.object({ id: z.string(), name: z.string(), createdAt: timestamp, updatedAt: timestamp }).openapi("Org");
const orgName = z.string().trim().min(1).max(128);
/** The body of `POST /api/v1/orgs`. */
export const OrgCreate = z.strictObject({ name: orgName }).openapi("OrgCreate", { example: { name: "acme" } });
/** The body of `POST /api/v1/orgs/{id}`. */
export const OrgUpdate = z.strictObject({ name: orgName.optional() }).openapi("OrgUpdate", { example: { name: "acme-corp" } });

/** A stack, as answered. */
export const Stack = z
  .object({ id: z.string(), orgId: z.string(), name: z.string(), createdAt: timestamp, updatedAt: timestamp })
  .openapi("Stack");
/** The body of `POST /api/v1/stacks`. */
export const StackCreate = z
  .strictObject({ orgId: id.optional(), name: orgName })
  .openapi("StackCreate", { example: { name: "prod-eu" } });
/** The body of `POST /api/v1/stacks/{id}`. */
export const StackUpdate = z.strictObject({ name: orgName.optional() }).openapi("StackUpdate", { example: { name: "prod-eu-west" } });

/** An audit event, as answered. */
export const AuditEvent = z
  .object({
    id: z.string(),
    orgId: z.string().nullable(),
    actor: z.string().openapi({ description: "The token id of the caller, or `operator`." }),
    action: z.string().openapi({ example: "accesspolicy.update" }),
    targetType: z.string().openapi({ example: "accesspolicy" }),
    targetId: z.string(),
    before: z.unknown().openapi({ description: "The object before the change (null for creations); never a secret." }),
    after: z.unknown().openapi({ description: "The object after the change (null for deletions); never a secret." }),
    requestId: z.string().nullable().openapi({ description: "The `x-request-id` of the change." }),
    createdAt: timestamp,
  })
  .openapi("AuditEvent");

/** The query of `GET /api/v1/auditevents`. */
export const AuditListQuery = ListQuery.extend({
  targetId: id.optional().openapi({ description: "Only events about this object." }),
  targetType: z.enum(["org", "stack", "accesspolicy", "token"]).optional().openapi({ example: "accesspolicy" }),
  action: z.string().max(64).optional().openapi({ description: "e.g. `token.delete`.", example: "accesspolicy.create" }),
  from: queryTime.optional().openapi({ description: "Only events at or after this time.", example: "2026-01-01T00:00:00Z" }),
  to: queryTime.optional().openapi({ description: "Only events before this time.", example: "2099-01-01T00:00:00Z" }),
});

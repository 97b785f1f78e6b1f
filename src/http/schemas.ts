/** The zod schemas of the admin API: they validate requests and generate the OpenAPI document. */
import { z } from "@hono/zod-openapi";

const timestamp = z.string().openapi({ example: "2026-11-23T18:00:00.000Z" });
const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an id (letters, digits, - and _)");
const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter or digit");
const displayName = z.string().trim().min(1).max(128);

/** `?orgId=&region=`: the org a call acts in, and Grafana's optional region. */
export const OrgQuery = z.object({
  orgId: id.optional().openapi({ description: "The org to act in. Required for the operator token." }),
  region: z.string().max(32).optional().openapi({ description: "Accepted for Grafana compatibility; ignored." }),
});

/** List paging parameters. */
export const ListQuery = OrgQuery.extend({
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  pageCursor: z.string().max(64).optional(),
});

/** `{id}` in the path. */
export const IdParam = z.object({ id: id.openapi({ param: { name: "id", in: "path" } }) });

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

export const Org = z.object({ id: z.string(), name: z.string(), createdAt: timestamp, updatedAt: timestamp }).openapi("Org");
export const OrgCreate = z.strictObject({ name: z.string().trim().min(1).max(128) }).openapi("OrgCreate", { example: { name: "acme" } });

export const Stack = z
  .object({ id: z.string(), orgId: z.string(), name: z.string(), createdAt: timestamp, updatedAt: timestamp })
  .openapi("Stack");
export const StackCreate = z
  .strictObject({ orgId: id.optional(), name: z.string().trim().min(1).max(128) })
  .openapi("StackCreate", { example: { name: "prod-eu" } });

const Realm = z.strictObject({
  type: z.enum(["org", "stack"]),
  identifier: id,
  labelPolicies: z
    .array(z.strictObject({ selector: z.string().min(1).max(4096) }))
    .max(16)
    .default([]),
});

export const AccessPolicy = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    displayName: z.string(),
    scopes: z.array(z.string()),
    realms: z.array(z.object({ type: z.enum(["org", "stack"]), identifier: z.string(), labelPolicies: z.array(z.object({ selector: z.string() })) })),
    conditions: z.object({ allowedSubnets: z.array(z.string()) }),
    status: z.enum(["active", "inactive"]),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi("AuthAccessPolicy");

export const AccessPolicyCreate = z
  .strictObject({
    name,
    displayName: displayName.optional(),
    scopes: z.array(z.string().max(64)).min(1).max(64),
    realms: z.array(Realm).min(1).max(32),
    conditions: z.strictObject({ allowedSubnets: z.array(z.string().max(64)).max(64).default([]) }).optional(),
    status: z.enum(["active", "inactive"]).default("active"),
  })
  .openapi("AuthAccessPolicyCreate", {
    example: { name: "alloy-prod", scopes: ["set:alloy-data-write"], realms: [{ type: "stack", identifier: "STACK_ID", labelPolicies: [] }] },
  });

export const Token = z
  .object({
    id: z.string(),
    accessPolicyId: z.string(),
    orgId: z.string(),
    name: z.string(),
    displayName: z.string(),
    expiresAt: z.string().nullable(),
    firstUsedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi("AuthToken");

export const TokenWithSecret = Token.extend({
  token: z.string().openapi({ description: "The secret. Shown once, in this response only." }),
}).openapi("AuthTokenWithSecret");

export const TokenCreate = z
  .strictObject({
    accessPolicyId: id,
    name,
    displayName: displayName.optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .openapi("AuthTokenCreate", { example: { accessPolicyId: "POLICY_ID", name: "alloy-eu-1" } });

export const TokenListQuery = ListQuery.extend({ accessPolicyId: id.optional() });

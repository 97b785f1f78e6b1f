/** The zod schemas of access policies, tokens and the scope catalogue, in Grafana Cloud's shapes. */
import { z } from "@hono/zod-openapi";
import { displayName, flag, id, ListQuery, name, queryTime, timestamp } from "./schemas.ts";

const status = z.enum(["active", "inactive"]);
const realmType = z.enum(["org", "stack"]);

const Realm = z.strictObject({
  type: realmType,
  identifier: id.openapi({ description: "The org id for an org realm, the stack id for a stack realm." }),
  labelPolicies: z
    .array(z.strictObject({ selector: z.string().min(1).max(4096).openapi({ example: '{env="prod"}' }) }))
    .max(16)
    .default([])
    .openapi({ description: "Prometheus series selectors limiting metrics:read and logs:read; any one may match." }),
});

const Conditions = z
  .strictObject({
    allowedSubnets: z
      .array(z.string().max(64))
      .max(64)
      .optional()
      .openapi({ description: "IPv4/IPv6 CIDRs; a host is /32 or /128. Empty means any address." }),
  })
  .nullable();

/** An access policy, as answered (Grafana's `AuthAccessPolicy`). */
export const AccessPolicy = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    displayName: z.string(),
    scopes: z.array(z.string()),
    realms: z.array(z.object({ type: realmType, identifier: z.string(), labelPolicies: z.array(z.object({ selector: z.string() })) })),
    conditions: z.object({ allowedSubnets: z.array(z.string()) }),
    status,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi("AuthAccessPolicy");

/** The body of `POST /api/v1/accesspolicies`. */
export const AccessPolicyCreate = z
  .strictObject({
    name,
    displayName: displayName.optional().openapi({ description: "Defaults to `name` when absent or empty." }),
    scopes: z.array(z.string().max(64)).min(1).max(64),
    realms: z.array(Realm).min(1).max(32),
    conditions: Conditions.optional(),
    status: status.default("active"),
  })
  .openapi("AuthAccessPolicyCreate", {
    example: {
      name: "alloy-prod",
      displayName: "Alloy (prod)",
      scopes: ["set:alloy-data-write", "metrics:read"],
      realms: [{ type: "stack", identifier: "STACK_ID", labelPolicies: [{ selector: '{env="prod"}' }] }],
      conditions: { allowedSubnets: ["10.0.0.0/8", "2001:db8::/32"] },
    },
  });

/** The body of `POST /api/v1/accesspolicies/{id}`: only the fields present change. */
export const AccessPolicyUpdate = z
  .strictObject({
    name: name.optional().openapi({ description: "Immutable: accepted only when unchanged." }),
    displayName: displayName.optional().openapi({ description: "Empty resets it to `name`." }),
    scopes: z.array(z.string().max(64)).min(1).max(64).optional(),
    realms: z.array(Realm).min(1).max(32).optional(),
    conditions: Conditions.optional().openapi({ description: "Replaces the conditions; `{}` or null clears them." }),
    status: status.optional(),
  })
  .openapi("AuthAccessPolicyUpdate", {
    example: {
      displayName: "Alloy (prod, EU)",
      scopes: ["set:alloy-data-write", "logs:read"],
      realms: [{ type: "stack", identifier: "STACK_ID", labelPolicies: [{ selector: '{env="prod", team=~"obs|sre"}' }] }],
      status: "inactive",
    },
  });

/** The query of `GET /api/v1/accesspolicies`. */
export const PolicyListQuery = ListQuery.extend({
  name: name.optional().openapi({ description: "Only the policy with this name.", example: "alloy-prod" }),
  realmType: realmType.optional().openapi({ example: "stack" }),
  realmIdentifier: id.optional().openapi({ description: "Only policies with a realm naming this org or stack." }),
  status: status.optional().openapi({ example: "active" }),
});

/** A token without its secret (Grafana's `AuthToken`). */
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

/** A new token with its secret, shown once (Grafana's `AuthTokenWithSecret`). */
export const TokenWithSecret = Token.extend({
  token: z.string().optional().openapi({ description: "The secret. Shown once, in the first response only." }),
  secretOmitted: z.literal(true).optional().openapi({
    description: "Present on an idempotent replay (`Idempotent-Replayed: true`): the secret was shown only once and is never stored.",
  }),
}).openapi("AuthTokenWithSecret");

/** The body of `POST /api/v1/tokens`. */
export const TokenCreate = z
  .strictObject({
    accessPolicyId: id,
    name,
    displayName: displayName.optional().openapi({ description: "Defaults to `name` when absent or empty." }),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: "Null or absent: never expires." }),
  })
  .openapi("AuthTokenCreate", {
    example: { accessPolicyId: "POLICY_ID", name: "alloy-eu-1", displayName: "Alloy EU 1", expiresAt: "2099-01-01T00:00:00Z" },
  });

/** The body of `POST /api/v1/tokens/{id}`: only the fields present change. */
export const TokenUpdate = z
  .strictObject({
    accessPolicyId: id.optional().openapi({ description: "Immutable: accepted only when unchanged." }),
    name: name.optional().openapi({ description: "Immutable: accepted only when unchanged." }),
    displayName: displayName.optional().openapi({ description: "Empty resets it to `name`." }),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: "Null: never expires." }),
  })
  .openapi("AuthTokenUpdate", { example: { displayName: "Alloy EU 1 (rotating)", expiresAt: "2099-06-01T00:00:00Z" } });

/** The query of `GET /api/v1/tokens`. */
export const TokenListQuery = ListQuery.extend({
  accessPolicyId: id.optional().openapi({ description: "Only the tokens of this policy." }),
  name: name.optional().openapi({ example: "alloy-eu-1" }),
  expiresBefore: queryTime.optional().openapi({ description: "Only tokens expiring before this time.", example: "2100-01-01T00:00:00Z" }),
  expiresAfter: queryTime
    .optional()
    .openapi({ description: "Only tokens expiring after this time (a token that never expires counts).", example: "2030-01-01T00:00:00Z" }),
  includeExpired: flag.openapi({ description: "Include expired tokens (default false).", example: "true" }),
});

/** The answer of `GET /api/v1/accesspolicies/config` (Grafana's `AccessPoliciesConfig`). */
export const Catalogue = z
  .object({
    scopes: z.array(z.object({ name: z.string(), description: z.string(), labelPolicies: z.boolean() })),
    sets: z.array(z.object({ name: z.string(), scopes: z.array(z.string()) })),
    realms: z.array(z.object({ type: realmType, identifier: z.string(), description: z.string() })),
  })
  .openapi("AccessPoliciesConfig");

/** Tokens: created under a policy, secret shown once, stored only as a hash. */
import type { AccessPolicy, Token } from "../../core/model.ts";
import { generateToken } from "../../core/token.ts";
import { managedStacks } from "../actor.ts";
import { validationError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { Page, PageRequest, TokenFilter } from "../ports.ts";
import {
  actingOrg,
  auditEvent,
  conflictAs,
  forbidEscalation,
  fresh,
  journal,
  loadInOrg,
  need,
  needInOwnReach,
  nextUpdatedAt,
  reachOf,
  unchanged,
  type AdminContext,
} from "./context.ts";

/** The writable fields of a new token. */
export interface TokenInput {
  accessPolicyId: string;
  name: string;
  displayName?: string | undefined;
  expiresAt?: string | null | undefined;
}

/** A partial update: `displayName` and `expiresAt` change; `name` and `accessPolicyId` may be sent unchanged. */
export type TokenPatch = Partial<TokenInput>;

/** What a replay of a token creation answers instead of the secret, which is never stored. */
export const SECRET_SHOWN_ONCE = { secretOmitted: true } as const;

/**
 * Creates a token and returns it with its secret: the only time the secret is ever shown. Minting is
 * granting: the caller needs `accesspolicies:write` over the policy's realms and must hold every scope
 * of the policy. A retry with the same `x-request-id` gets the token without its secret.
 */
export async function createToken(ctx: AdminContext, orgId: string | undefined, input: TokenInput): Promise<Token & { token: string }> {
  const acting = ctx.actor.kind === "operator" && orgId === undefined ? undefined : await actingOrg(ctx, orgId);
  if (acting !== undefined) needInOwnReach(ctx, "accesspolicies:write", acting);
  const policy = await ctx.store.getPolicy(input.accessPolicyId);
  if (!policy || (acting !== undefined && policy.orgId !== acting)) {
    throw validationError([{ path: "accessPolicyId", message: "no such access policy in this org" }]);
  }
  need(ctx, "accesspolicies:write", policy.orgId, reachOf(policy), "this access policy");
  const expiresAt = checkExpiry(ctx, input.expiresAt);
  forbidEscalation(ctx, policy.scopes, "mint a token");
  const secret = generateToken((b) => crypto.getRandomValues(b));
  const name = input.name;
  const token: Token = {
    id: ctx.newId(),
    accessPolicyId: policy.id,
    orgId: policy.orgId,
    name,
    displayName: input.displayName || name,
    expiresAt: expiresAt ?? null,
    firstUsedAt: null,
    lastUsedAt: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const event = auditEvent(ctx, { orgId: policy.orgId, action: "token.create", targetType: "token", targetId: token.id, after: token });
  const hash = await sha256Hex(secret);
  await conflictAs(`a token named "${name}" already exists in this access policy`, () =>
    ctx.store.insertToken(token, hash, journal(ctx, [event], { status: 200, body: { ...token, ...SECRET_SHOWN_ONCE } })),
  );
  return { ...token, token: secret };
}

/** Reads a token of the acting org (never its secret). */
export async function getToken(ctx: AdminContext, orgId: string | undefined, id: string): Promise<Token> {
  const { token, policy } = await load(ctx, orgId, id);
  need(ctx, "accesspolicies:read", token.orgId, policy ? reachOf(policy) : null, "this token's access policy");
  return token;
}

/** Lists the tokens of the acting org that pass the filter; expired tokens only with `includeExpired`. */
export async function listTokens(
  ctx: AdminContext,
  orgId: string | undefined,
  filter: Omit<TokenFilter, "withinStacks" | "now">,
  page: PageRequest,
): Promise<Page<Token>> {
  const acting = await actingOrg(ctx, orgId);
  needInOwnReach(ctx, "accesspolicies:read", acting);
  return ctx.store.listTokens(acting, { ...filter, now: ctx.now, withinStacks: managedStacks(ctx.actor) }, page);
}

/**
 * Changes a token's `displayName` and `expiresAt` (a request that changes nothing writes nothing). Changing the expiry is minting anew, so it needs the
 * policy's scopes like creation. The token's cached record is dropped.
 */
export async function updateToken(ctx: AdminContext, orgId: string | undefined, id: string, patch: TokenPatch): Promise<Token> {
  const { token: before, policy } = await load(ctx, orgId, id);
  need(ctx, "accesspolicies:write", before.orgId, policy ? reachOf(policy) : null, "this token's access policy");
  const immutable = (["name", "accessPolicyId"] as const).filter((f) => patch[f] !== undefined && patch[f] !== before[f]);
  if (immutable.length > 0) throw validationError(immutable.map((f) => ({ path: f, message: `is immutable (this token's is "${before[f]}")` })));
  const after: Token = {
    ...before,
    displayName: patch.displayName === undefined ? before.displayName : patch.displayName || before.name,
    expiresAt: patch.expiresAt === undefined ? before.expiresAt : checkExpiry(ctx, patch.expiresAt),
    updatedAt: nextUpdatedAt(ctx, before.updatedAt),
  };
  if (patch.expiresAt !== undefined) forbidEscalation(ctx, policy?.scopes ?? [], "extend a token");
  if (unchanged(before, after, ["displayName", "expiresAt"])) return before;
  const event = auditEvent(ctx, { orgId: before.orgId, action: "token.update", targetType: "token", targetId: id, before, after });
  const hash = await fresh("token", () => ctx.store.updateToken(after, before.updatedAt, journal(ctx, [event], { status: 200, body: after })));
  await ctx.invalidate({ tokenHashes: [hash] });
  return after;
}

/** Deletes a token: it stops working on the next request. */
export async function deleteToken(ctx: AdminContext, orgId: string | undefined, id: string): Promise<void> {
  const { token: before, policy } = await load(ctx, orgId, id);
  need(ctx, "accesspolicies:delete", before.orgId, policy ? reachOf(policy) : null, "this token's access policy");
  const event = auditEvent(ctx, { orgId: before.orgId, action: "token.delete", targetType: "token", targetId: id, before });
  const hash = await fresh("token", () => ctx.store.deleteToken(id, journal(ctx, [event], { status: 204, body: null })));
  await ctx.invalidate({ tokenHashes: [hash] });
}

async function load(ctx: AdminContext, orgId: string | undefined, id: string): Promise<{ token: Token; policy: AccessPolicy | null }> {
  const token = await loadInOrg(ctx, "token", orgId, () => ctx.store.getToken(id));
  return { token, policy: await ctx.store.getPolicy(token.accessPolicyId) };
}

/** A new expiry: null (never) or a time in the future, normalised to ISO-8601 UTC. */
function checkExpiry(ctx: AdminContext, expiresAt: string | null | undefined): string | null {
  if (!expiresAt) return null;
  const iso = new Date(expiresAt).toISOString();
  if (iso <= ctx.now) throw validationError([{ path: "expiresAt", message: "must be in the future" }]);
  return iso;
}

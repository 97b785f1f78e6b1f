/** Tokens: created under a policy, secret shown once, stored only as a hash. */
import type { Token } from "../../core/model.ts";
import { generateToken } from "../../core/token.ts";
import { validationError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { Page, PageRequest } from "../ports.ts";
import { actingOrg, auditEvent, inOrg, need, type AdminContext } from "./context.ts";
import { conflictAs } from "./orgs.ts";
import { actingOrgOf } from "./policies.ts";

/** The writable fields of a new token. */
export interface TokenInput {
  accessPolicyId: string;
  name: string;
  displayName?: string;
  expiresAt?: string | null;
}

/** Creates a token and returns it with its secret: the only time the secret is ever shown. */
export async function createToken(
  ctx: AdminContext,
  orgId: string | undefined,
  input: TokenInput,
): Promise<Token & { token: string }> {
  const acting = await actingOrgOf(ctx, orgId, () => ctx.store.getPolicy(input.accessPolicyId));
  need(ctx, "accesspolicies:write", acting);
  const policy = await ctx.store.getPolicy(input.accessPolicyId);
  if (!policy || policy.orgId !== acting) {
    throw validationError([{ path: "accessPolicyId", message: "no such access policy in this org" }]);
  }
  const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
  if (expiresAt !== null && expiresAt <= ctx.now) {
    throw validationError([{ path: "expiresAt", message: "must be in the future" }]);
  }
  const secret = generateToken((b) => crypto.getRandomValues(b));
  const token: Token = {
    id: ctx.newId(),
    accessPolicyId: policy.id,
    orgId: acting,
    name: input.name,
    displayName: input.displayName ?? input.name,
    expiresAt,
    firstUsedAt: null,
    lastUsedAt: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await conflictAs(`a token named "${input.name}" already exists in this access policy`, async () =>
    ctx.store.insertToken(
      token,
      await sha256Hex(secret),
      auditEvent(ctx, { orgId: acting, action: "token.create", targetType: "token", targetId: token.id, after: token }),
    ),
  );
  return { ...token, token: secret };
}

/** Reads a token of the acting org (never its secret). */
export async function getToken(ctx: AdminContext, orgId: string | undefined, id: string): Promise<Token> {
  const acting = await actingOrgOf(ctx, orgId, () => ctx.store.getToken(id));
  need(ctx, "accesspolicies:read", acting);
  return inOrg(ctx, "token", ctx.store.getToken(id), acting);
}

/** Lists the tokens of the acting org, optionally of one policy. */
export async function listTokens(
  ctx: AdminContext,
  orgId: string | undefined,
  filter: { accessPolicyId: string | null },
  page: PageRequest,
): Promise<Page<Token>> {
  const acting = await actingOrg(ctx, orgId);
  need(ctx, "accesspolicies:read", acting);
  return ctx.store.listTokens(acting, filter, page);
}

/** Deletes a token: it stops working on the next request. */
export async function deleteToken(ctx: AdminContext, orgId: string | undefined, id: string): Promise<void> {
  const acting = await actingOrgOf(ctx, orgId, () => ctx.store.getToken(id));
  need(ctx, "accesspolicies:delete", acting);
  const before = await inOrg(ctx, "token", ctx.store.getToken(id), acting);
  const hash = await ctx.store.deleteToken(
    id,
    auditEvent(ctx, { orgId: acting, action: "token.delete", targetType: "token", targetId: id, before }),
  );
  if (hash !== null) await ctx.invalidate({ tokenHashes: [hash] });
}

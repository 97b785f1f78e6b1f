/** Orgs and stacks: the tenant boundary and the sets of services inside it. */
import type { Org, Stack } from "../../core/model.ts";
import { ApiError, notFound } from "../errors.ts";
import { ConflictError, type Page, type PageRequest } from "../ports.ts";
import { actingOrg, auditEvent, inOrg, need, type AdminContext } from "./context.ts";

/** Creates an org. Operator only. */
export async function createOrg(ctx: AdminContext, input: { name: string }): Promise<Org> {
  if (ctx.actor.kind !== "operator") throw new ApiError(403, "forbidden", "only the operator token can create orgs");
  const org: Org = { id: ctx.newId(), name: input.name, createdAt: ctx.now, updatedAt: ctx.now };
  await conflictAs(`an org named "${input.name}" already exists`, () =>
    ctx.store.insertOrg(org, auditEvent(ctx, { orgId: org.id, action: "org.create", targetType: "org", targetId: org.id, after: org })),
  );
  return org;
}

/** Reads an org: the operator reads any, a token only its own. */
export async function getOrg(ctx: AdminContext, id: string): Promise<Org> {
  if (ctx.actor.kind === "token" && ctx.actor.orgId !== id) throw notFound("org");
  const org = await ctx.store.getOrg(id);
  if (!org) throw notFound("org");
  return org;
}

/** Lists orgs: every org for the operator, its own for a token. */
export async function listOrgs(ctx: AdminContext, page: PageRequest): Promise<Page<Org>> {
  if (ctx.actor.kind === "operator") return ctx.store.listOrgs(page);
  const own = await ctx.store.getOrg(ctx.actor.orgId);
  return { items: own && page.cursor === null ? [own] : [], nextCursor: null };
}

/** Creates a stack in the acting org (`orgId` from the body or the query). */
export async function createStack(ctx: AdminContext, input: { orgId?: string; name: string }): Promise<Stack> {
  const orgId = await actingOrg(ctx, input.orgId);
  need(ctx, "stacks:write", orgId);
  const stack: Stack = { id: ctx.newId(), orgId, name: input.name, createdAt: ctx.now, updatedAt: ctx.now };
  await conflictAs(`a stack named "${input.name}" already exists in this org`, () =>
    ctx.store.insertStack(stack, auditEvent(ctx, { orgId, action: "stack.create", targetType: "stack", targetId: stack.id, after: stack })),
  );
  return stack;
}

/** Reads a stack of the acting org. */
export async function getStack(ctx: AdminContext, id: string, orgId?: string): Promise<Stack> {
  const stack = await ctx.store.getStack(id);
  if (!stack) throw notFound("stack");
  const acting = ctx.actor.kind === "operator" ? (orgId ?? stack.orgId) : await actingOrg(ctx, orgId);
  need(ctx, "stacks:read", acting);
  return inOrg(ctx, "stack", Promise.resolve(stack), acting);
}

/** Lists the stacks of the acting org. */
export async function listStacks(ctx: AdminContext, orgId: string | undefined, page: PageRequest): Promise<Page<Stack>> {
  const acting = await actingOrg(ctx, orgId);
  need(ctx, "stacks:read", acting);
  return ctx.store.listStacks(acting, page);
}

/** Runs a store write, turning a unique-name clash into a 409. */
export async function conflictAs<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof ConflictError) throw new ApiError(409, "conflict", message);
    throw e;
  }
}

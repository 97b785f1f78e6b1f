/** Orgs: the tenant boundary. The operator creates, renames and deletes them; a token sees its own. */
import type { Org } from "../../core/model.ts";
import { ApiError, notFound } from "../errors.ts";
import type { OrgHoldings, Page, PageRequest } from "../ports.ts";
import { auditEvent, conflictAs, fresh, journal, nextUpdatedAt, unchanged, type AdminContext } from "./context.ts";

/** Creates an org. Operator only. */
export async function createOrg(ctx: AdminContext, input: { name: string }): Promise<Org> {
  operatorOnly(ctx, "create orgs");
  const org: Org = { id: ctx.newId(), name: input.name, createdAt: ctx.now, updatedAt: ctx.now };
  const event = auditEvent(ctx, { orgId: org.id, action: "org.create", targetType: "org", targetId: org.id, after: org });
  await conflictAs(`an org named "${input.name}" already exists`, () => ctx.store.insertOrg(org, journal(ctx, [event], { status: 200, body: org })));
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

/** Renames an org. Operator only. */
export async function updateOrg(ctx: AdminContext, id: string, input: { name?: string | undefined }): Promise<Org> {
  const before = await getOrg(ctx, id);
  operatorOnly(ctx, "change orgs");
  const after: Org = { ...before, name: input.name ?? before.name, updatedAt: nextUpdatedAt(ctx, before.updatedAt) };
  if (unchanged(before, after, ["name"])) return before;
  const event = auditEvent(ctx, { orgId: id, action: "org.update", targetType: "org", targetId: id, before, after });
  await conflictAs(`an org named "${after.name}" already exists`, () =>
    fresh("org", () => ctx.store.updateOrg(after, before.updatedAt, journal(ctx, [event], { status: 200, body: after }))),
  );
  return after;
}

/**
 * Deletes an org. Operator only. An org that still owns stacks, policies or tokens is refused with a
 * 409 naming them, unless `force`: then everything in it goes in the same transaction, and every
 * cached token record and stack of the org is dropped.
 */
export async function deleteOrg(ctx: AdminContext, id: string, force: boolean): Promise<void> {
  const before = await getOrg(ctx, id);
  operatorOnly(ctx, "delete orgs");
  const holdings = await ctx.store.orgHoldings(id);
  if (!force && owns(holdings)) throw stillOwns(`org "${before.name}"`, holdings);
  const event = auditEvent(ctx, {
    orgId: id,
    action: "org.delete",
    targetType: "org",
    targetId: id,
    before: { ...before, cascade: holdings },
  });
  const gone = await fresh("org", () => ctx.store.deleteOrg(id, journal(ctx, [event], { status: 204, body: null })));
  await ctx.invalidate(gone);
}

function operatorOnly(ctx: AdminContext, doing: string): void {
  if (ctx.actor.kind !== "operator") throw new ApiError(403, "forbidden", `only the operator token can ${doing}`);
}

function owns(h: OrgHoldings): boolean {
  return h.stacks + h.accessPolicies + h.tokens > 0;
}

const KINDS: [keyof OrgHoldings, string, string][] = [
  ["stacks", "stack", "stacks"],
  ["accessPolicies", "access policy", "access policies"],
  ["tokens", "token", "tokens"],
];

/** A 409 `conflict` naming what an object still owns, with one detail per kind. */
export function stillOwns(what: string, h: Partial<OrgHoldings>): ApiError {
  const parts = KINDS.filter(([k]) => (h[k] ?? 0) > 0).map(([k, one, many]) => ({ path: k, text: `${h[k]} ${h[k] === 1 ? one : many}` }));
  return new ApiError(
    409,
    "conflict",
    `${what} still owns ${parts.map((p) => p.text).join(", ")}; delete them first, or delete with ?force=true`,
    parts.map((p) => ({ path: p.path, message: `${p.text} remaining` })),
  );
}

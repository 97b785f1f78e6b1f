/**
 * Who is calling the admin API: the operator (the `KEYCARD_OPERATOR_TOKEN` secret) or a Keycard token
 * whose policy holds admin scopes. Admin rights are checked here, in one place.
 */
import { parseIp } from "../core/cidr.ts";
import { parseAuthorization } from "../core/credential.ts";
import { checkStanding } from "../core/policy.ts";
import { checkTokenFormat } from "../core/token.ts";
import { secretsEqual, sha256Hex } from "./hash.ts";
import type { TokenRecords } from "./ports.ts";

/** An authenticated admin caller. */
export type Actor =
  | { kind: "operator"; id: "operator" }
  | { kind: "token"; id: string; orgId: string; scopes: ReadonlySet<string>; orgWide: boolean; stacks: ReadonlySet<string> };

/** Why an admin call is refused before it reaches its route. */
export type ActorDenial = "unauthenticated";

/** Authenticates an admin caller; null when the credential is missing, invalid, expired or barred. */
export async function resolveActor(
  deps: { operatorToken: string; records: TokenRecords },
  authorization: string | null,
  clientIp: string | null,
  now: number,
): Promise<Actor | null> {
  const credential = parseAuthorization(authorization);
  if (!credential.ok) return null;
  const { token } = credential.value;
  if (!checkTokenFormat(token).ok) return null;
  if (await secretsEqual(token, deps.operatorToken)) return { kind: "operator", id: "operator" };
  const compiled = await deps.records.byHash(await sha256Hex(token));
  if (compiled === null) return null;
  const { record } = compiled;
  const ip = clientIp === null ? null : parseIp(clientIp.trim());
  if (checkStanding(compiled, ip?.ok ? ip.value : null, now) !== null) return null;
  return {
    kind: "token",
    id: record.tokenId,
    orgId: record.orgId,
    scopes: compiled.scopes,
    orgWide: record.realms.some((r) => r.type === "org" && r.identifier === record.orgId),
    stacks: new Set(record.realms.filter((r) => r.type === "stack").map((r) => r.identifier)),
  };
}

/**
 * True when the actor may use `scope` in `orgId` on something that lies in `within`: the stacks it
 * touches, or null for the whole org (org realms, org-level objects). The operator may do anything.
 * A token needs the scope and an org realm of its org; a token whose realms are stacks covers only
 * objects that lie entirely inside those stacks.
 */
export function mayAct(actor: Actor, scope: string, orgId: string, within: readonly string[] | null = null): boolean {
  if (actor.kind === "operator") return true;
  if (actor.orgId !== orgId || !actor.scopes.has(scope)) return false;
  if (actor.orgWide) return true;
  return within !== null && within.length > 0 && within.every((s) => actor.stacks.has(s));
}

/** The stacks a stack-limited token manages, or null when the actor manages the whole org. */
export function managedStacks(actor: Actor): string[] | null {
  return actor.kind === "operator" || actor.orgWide ? null : [...actor.stacks];
}

/** The scopes of `wanted` (sets expanded) that the actor does not hold itself; none for the operator. */
export function missingScopes(actor: Actor, wanted: Iterable<string>): string[] {
  if (actor.kind === "operator") return [];
  return [...wanted].filter((s) => !actor.scopes.has(s));
}

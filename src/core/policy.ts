/**
 * Policy evaluation: the checks of DESIGN §3, in order, on plain data and an explicit `now`.
 * A denial is data (a `DenyReason`); only a corrupt record is an error, and it throws.
 */
import { cidrSetContains, compileCidrs, type CidrSet, type IpAddress } from "./cidr.ts";
import { parseSelector, printSelector } from "./labels/index.ts";
import type { TokenRecord } from "./model.ts";
import { err, ok, type Result } from "./result.ts";
import { expandScopes, LABEL_SCOPES } from "./scopes.ts";

/** A token record with its rules compiled once: scope set, CIDR set, canonical selectors. */
export interface CompiledRecord {
  record: TokenRecord;
  scopes: ReadonlySet<string>;
  subnets: CidrSet | null;
  /** The canonical selectors of each realm, in `record.realms` order. */
  selectors: string[][];
}

/** Compiles a record. Rules were validated when written, so a failure here means corrupt storage. */
export function compileRecord(record: TokenRecord): CompiledRecord {
  let subnets: CidrSet | null = null;
  if (record.allowedSubnets.length > 0) {
    const compiled = compileCidrs(record.allowedSubnets);
    if (!compiled.ok) throw new Error(`corrupt token record ${record.tokenId}: allowedSubnets[${compiled.error.index}]`);
    subnets = compiled.value;
  }
  const selectors = record.realms.map((realm) =>
    realm.selectors.map((text) => {
      const parsed = parseSelector(text);
      if (!parsed.ok) throw new Error(`corrupt token record ${record.tokenId}: selector at ${parsed.error.position}`);
      return printSelector(parsed.value);
    }),
  );
  return { record, scopes: expandScopes(record.scopes), subnets, selectors };
}

/** The target stack of a request, with the org it belongs to (null when no such stack exists). */
export interface TargetStack {
  id: string;
  orgId: string | null;
}

/** What a request asks for. */
export interface AccessQuery {
  scopes: readonly string[];
  stack: TargetStack | null;
  clientIp: IpAddress | null;
}

/** Why the policy refuses a request. */
export type PolicyDenial =
  | "token_expired"
  | "policy_inactive"
  | "ip_unknown"
  | "ip_not_allowed"
  | "stack_required"
  | "realm_denied"
  | "scope_denied";

/** What the policy grants a request. */
export interface Grant {
  /** The requested scopes with sets expanded, sorted. */
  scopes: string[];
  stackId: string | null;
  /** The selectors of the matching realm, when a granted scope is a label-limited read. */
  labels: string[] | null;
}

/** Checks what holds whatever is asked: expiry, policy status, client IP. Null when the token stands. */
export function checkStanding(c: CompiledRecord, clientIp: IpAddress | null, now: number): PolicyDenial | null {
  const r = c.record;
  if (r.expiresAt !== null && now >= r.expiresAt) return "token_expired";
  if (r.status !== "active") return "policy_inactive";
  if (c.subnets !== null) {
    if (clientIp === null) return "ip_unknown";
    if (!cidrSetContains(c.subnets, clientIp)) return "ip_not_allowed";
  }
  return null;
}

/** Checks expiry, status, client IP, realm and scopes, in that order. */
export function evaluate(c: CompiledRecord, q: AccessQuery, now: number): Result<Grant, PolicyDenial> {
  const r = c.record;
  const standing = checkStanding(c, q.clientIp, now);
  if (standing !== null) return err(standing);
  const realm = matchRealm(r, q.stack);
  if (!realm.ok) return realm;
  const scopes = [...expandScopes(q.scopes)].sort();
  if (scopes.length === 0 || !scopes.every((s) => c.scopes.has(s))) return err("scope_denied");
  const selectors = c.selectors[r.realms.indexOf(realm.value)]!;
  const labels = selectors.length > 0 && scopes.some((s) => LABEL_SCOPES.has(s)) ? selectors : null;
  return ok({ scopes, stackId: q.stack?.id ?? null, labels });
}

/**
 * The realm that covers the target: the stack's own realm first, then the org realm. Without a target
 * stack the request acts at org level, which only an org realm covers.
 */
function matchRealm(r: TokenRecord, stack: TargetStack | null): Result<TokenRecord["realms"][number], PolicyDenial> {
  const orgRealm = r.realms.find((x) => x.type === "org" && x.identifier === r.orgId);
  if (stack === null) return orgRealm ? ok(orgRealm) : err("stack_required");
  if (stack.orgId !== r.orgId) return err("realm_denied");
  const stackRealm = r.realms.find((x) => x.type === "stack" && x.identifier === stack.id);
  const realm = stackRealm ?? orgRealm;
  return realm ? ok(realm) : err("realm_denied");
}

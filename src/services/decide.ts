/**
 * The authorize pipeline, top to bottom: parse the credential → check its format → look it up →
 * evaluate the policy → sign the decision. Rejections are data; storage faults throw.
 */
import { parseIp, formatIp } from "../core/cidr.ts";
import { parseAuthorization } from "../core/credential.ts";
import { decisionClaims, type DecisionClaims } from "../core/decision.ts";
import { evaluate, type PolicyDenial, type TargetStack } from "../core/policy.ts";
import type { ScopeDenial } from "../core/request-scopes.ts";
import type { Result } from "../core/result.ts";
import { checkTokenFormat } from "../core/token.ts";
import { sha256Hex } from "./hash.ts";
import type { StackDirectory, TokenRecords } from "./ports.ts";
import type { DecisionCache } from "./decisions.ts";
import type { GatewayDenial } from "./delegation.ts";
import type { Signer } from "./signer.ts";
import type { UsageTracker } from "./usage.ts";

/** Every reason a request can be refused. */
export type DenyReason =
  | "missing_credential"
  | "invalid_token"
  | "stack_conflict"
  | "rate_limited"
  | ScopeDenial
  | GatewayDenial
  | PolicyDenial;

/** The token a denial concerns, once known (for logs; never the secret). */
export interface DeniedToken {
  id: string;
  policyId: string;
  orgId: string;
}

/** What /authorize (or the RPC entrypoint) hands to the pipeline, taken from the request as is. */
export interface AuthorizeInput {
  authorization: string | null;
  /** The requested scopes, resolved by `services/authorize.ts` (X-Keycard-Scope or the route map). */
  scopes: Result<string[], ScopeDenial>;
  stack: string | null;
  clientIp: string | null;
  /** When a gateway reported `clientIp`, its org: the client's token must be of the same org. */
  ipReportedByOrg?: string | null;
  issuer: string;
}

/** The outcome: a signed decision, or a reason. `token` is set once the token is known (for logs). */
export type Outcome =
  | { allow: true; decision: string; claims: DecisionClaims }
  | { allow: false; reason: DenyReason; token?: DeniedToken };

/** What the pipeline needs. */
export interface DecideDeps {
  records: TokenRecords;
  stacks: StackDirectory;
  signer: Signer;
  decisions: DecisionCache;
  usage: UsageTracker;
  ttlSeconds: number;
  now: () => number;
  newId: () => string;
}

/** Decides one request. */
export async function decide(deps: DecideDeps, input: AuthorizeInput): Promise<Outcome> {
  const credential = parseAuthorization(input.authorization);
  if (!credential.ok) return deny(credential.error === "missing" ? "missing_credential" : "invalid_token");
  const { token, username } = credential.value;
  if (!checkTokenFormat(token).ok) return deny("invalid_token");
  const scopes = input.scopes;
  if (!scopes.ok) return deny(scopes.error);
  const header = input.stack?.trim() || null;
  if (username !== null && header !== null && username !== header) return deny("stack_conflict");
  const stackId = username ?? header;

  const hash = await sha256Hex(token);
  const compiled = await deps.records.byHash(hash);
  if (compiled === null) return deny("invalid_token");
  const { record } = compiled;
  if ((input.ipReportedByOrg ?? record.orgId) !== record.orgId) return { allow: false, reason: "gateway_not_allowed", token: denied(record) };
  const stack: TargetStack | null = stackId === null ? null : { id: stackId, orgId: await deps.stacks.orgOf(stackId) };
  const ip = input.clientIp === null ? null : parseIp(input.clientIp.trim());
  const clientIp = ip?.ok ? formatIp(ip.value) : null;

  const now = deps.now();
  const grant = evaluate(compiled, { scopes: scopes.value, stack, clientIp: ip?.ok ? ip.value : null }, now);
  if (!grant.ok) return { allow: false, reason: grant.error, token: denied(record) };
  deps.usage.note(record.tokenId, now);
  const key = `${deps.signer.kid}|${hash}|${grant.value.scopes.join(" ")}|${grant.value.stackId}|${clientIp}|${input.issuer}`;
  const reused = deps.decisions.get(key, compiled, now);
  if (reused) return { allow: true, decision: reused.decision, claims: reused.claims };
  const claims = decisionClaims(record, grant.value, { issuer: input.issuer, clientIp, now, ttlSeconds: deps.ttlSeconds, jti: deps.newId() });
  const decision = await deps.signer.sign(claims);
  deps.decisions.set(key, compiled, decision, claims, now);
  return { allow: true, decision, claims };
}

function denied(r: { tokenId: string; policyId: string; orgId: string }): DeniedToken {
  return { id: r.tokenId, policyId: r.policyId, orgId: r.orgId };
}

function deny(reason: DenyReason): Outcome {
  return { allow: false, reason };
}

/**
 * Client-IP delegation (DESIGN §3). By default the client IP is the address that connected to
 * Keycard (`CF-Connecting-IP`). A gateway calling on behalf of a client may report that client's
 * address in `X-Keycard-Client-IP`, and Keycard uses it only when the gateway also presents its own
 * Keycard token in `X-Keycard-Gateway-Token` (`Bearer <token>` or the bare token) and that token:
 * - exists, has not expired, and its policy is active;
 * - holds `authorizer:delegate`;
 * - is presented from an address its own policy's `allowedSubnets` admit (when it has any);
 * - belongs to the same org as the client's token (checked in `decide`, once that token is known):
 *   a gateway of one org never vouches for another org's clients.
 *
 * A gateway token that is malformed, unknown or expired is `gateway_token_invalid` (401); one that
 * stands but may not delegate from here is `gateway_not_allowed` (403). Either way the request is
 * refused: a misconfigured gateway fails loudly instead of silently falling back to its own IP.
 * `X-Forwarded-For`, `X-Real-IP` and `True-Client-IP` are never read.
 */
import { parseIp } from "../core/cidr.ts";
import { checkStanding } from "../core/policy.ts";
import { err, ok, type Result } from "../core/result.ts";
import { checkTokenFormat } from "../core/token.ts";
import { sha256Hex } from "./hash.ts";
import type { TokenRecords } from "./ports.ts";

/** The scope a gateway token needs to report client IPs. */
export const DELEGATE_SCOPE = "authorizer:delegate";

/** Why a gateway's report is refused. */
export type GatewayDenial = "gateway_token_invalid" | "gateway_not_allowed";

/** The client IP to check, and the org of the gateway that reported it (null when none did). */
export interface ClientIp {
  ip: string | null;
  reportedByOrg: string | null;
}

/** Where the client IP may come from. Blank values count as absent. */
export interface ClientIpSource {
  /** The address that connected to Keycard: `CF-Connecting-IP`, or the RPC caller's `clientIp`. */
  peerIp: string | null;
  /** `X-Keycard-Gateway-Token`. */
  gatewayToken: string | null;
  /** `X-Keycard-Client-IP`: exactly one address. */
  delegatedIp: string | null;
}

/** What delegation needs: the token records port (so its caches apply) and the clock. */
export interface DelegationDeps {
  records: TokenRecords;
  now: () => number;
}

const MAX_GATEWAY_HEADER = 1024;

/**
 * The client IP to check policies against: the delegated address when a trusted gateway reports
 * it (null when it reports none), else the peer address.
 */
export async function resolveClientIp(deps: DelegationDeps, src: ClientIpSource): Promise<Result<ClientIp, GatewayDenial>> {
  const header = src.gatewayToken?.trim() ?? "";
  if (header === "") return ok({ ip: src.peerIp, reportedByOrg: null });
  if (header.length > MAX_GATEWAY_HEADER) return err("gateway_token_invalid");
  const token = header.replace(/^bearer\s+/i, "");
  if (!checkTokenFormat(token).ok) return err("gateway_token_invalid");
  const compiled = await deps.records.byHash(await sha256Hex(token));
  if (compiled === null) return err("gateway_token_invalid");
  const peer = src.peerIp === null ? null : parseIp(src.peerIp.trim());
  const standing = checkStanding(compiled, peer?.ok ? peer.value : null, deps.now());
  if (standing === "token_expired") return err("gateway_token_invalid");
  if (standing !== null || !compiled.scopes.has(DELEGATE_SCOPE)) return err("gateway_not_allowed");
  const delegated = src.delegatedIp?.trim() ?? "";
  return ok({ ip: delegated === "" ? null : delegated, reportedByOrg: compiled.record.orgId });
}

/**
 * Signing-key rotation, as data. `KEYCARD_SIGNING_KEYS` is a JSON array of Ed25519 JWKs: the first is
 * private and signs; the others are previous keys, public only, each with `retire_after` (epoch
 * seconds). A previous key stays in the JWKS until then, so every decision it signed can still be
 * verified until its `exp`.
 */
import { MAX_DECISION_TTL_SECONDS } from "./decision.ts";

/** A configured key: the signing key (with `d`), or a previous public key. */
export interface ConfiguredJwk {
  kty: string;
  crv?: string;
  x?: string;
  d?: string;
  retire_after?: number;
  [k: string]: unknown;
}

/** How long past the longest decision a retired key stays published (origin clock skew). */
export const RETIRE_GRACE_SECONDS = 60;

/**
 * Puts `next` (a new private key) first and demotes the current signing key to a public key that
 * retires once every decision it may have signed has expired. Keys already past retirement are dropped.
 * `nowSeconds` is epoch seconds.
 */
export function rotateKeys(current: readonly ConfiguredJwk[], next: ConfiguredJwk, nowSeconds: number): ConfiguredJwk[] {
  const retireAfter = nowSeconds + MAX_DECISION_TTL_SECONDS + RETIRE_GRACE_SECONDS;
  const previous = current.map((k, i) => {
    const pub: ConfiguredJwk = { kty: k.kty, crv: k.crv, x: k.x };
    const retire = i === 0 ? retireAfter : k.retire_after;
    return retire === undefined ? pub : { ...pub, retire_after: retire };
  });
  return [next, ...previous.filter((k) => k.retire_after === undefined || k.retire_after > nowSeconds)];
}

/** The keys to publish at `nowSeconds`: the signing key and every previous key not yet retired. */
export function publishedKeys(keys: readonly ConfiguredJwk[], nowSeconds: number): ConfiguredJwk[] {
  return keys.filter((k, i) => i === 0 || k.retire_after === undefined || k.retire_after > nowSeconds);
}

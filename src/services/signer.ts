/**
 * Signs decisions with the current Ed25519 key and publishes the JWKS. Keys come from the
 * `KEYCARD_SIGNING_KEYS` secret (see `core/keys.ts` for the format and rotation). Only EdDSA is ever
 * used; no `jku`, `x5u` or `jwk` header is emitted.
 */
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from "jose";
import { DECISION_TYP, type DecisionClaims } from "../core/decision.ts";
import { publishedKeys, type ConfiguredJwk } from "../core/keys.ts";

/** Signs decisions and publishes verification keys. */
export interface Signer {
  /** The RFC 7638 thumbprint of the signing key. */
  readonly kid: string;
  /** The public keys origins verify with at `nowMs`: the current key first, then unretired previous keys. */
  jwks(nowMs: number): { keys: JWK[] };
  sign(claims: DecisionClaims): Promise<string>;
}

/** Builds a signer from the configured JWKs. Throws with a message naming the fault (never the key). */
export async function createSigner(configured: readonly ConfiguredJwk[]): Promise<Signer> {
  const [current] = configured;
  if (!current || typeof current.d !== "string") throw new Error("the first signing key must be a private key (with d)");
  const published: { jwk: JWK; source: ConfiguredJwk }[] = [];
  for (const [i, jwk] of configured.entries()) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
      throw new Error(`signing key ${i} is not an Ed25519 JWK`);
    }
    const pub = { kty: "OKP", crv: "Ed25519", x: jwk.x };
    const kid = await calculateJwkThumbprint(pub, "sha256");
    published.push({ jwk: { ...pub, kid, alg: "EdDSA", use: "sig" }, source: jwk });
  }
  const key = await importJWK({ kty: "OKP", crv: "Ed25519", x: current.x, d: current.d }, "EdDSA");
  const kid = published[0]!.jwk.kid!;
  return {
    kid,
    jwks: (nowMs) => {
      const live = new Set(publishedKeys(configured, Math.floor(nowMs / 1000)));
      return { keys: published.filter((p) => live.has(p.source)).map((p) => p.jwk) };
    },
    sign: (claims) => new SignJWT({ ...claims }).setProtectedHeader({ alg: "EdDSA", kid, typ: DECISION_TYP }).sign(key),
  };
}

/**
 * Signs decisions with the current Ed25519 key and publishes every configured key in the JWKS.
 * Keys come from the `KEYCARD_SIGNING_KEYS` secret: a JSON array of JWKs. The first must be private
 * and signs; the others are previous keys, kept published (public parts only) until the decisions
 * they signed have expired.
 */
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from "jose";
import { DECISION_TYP, type DecisionClaims } from "../core/decision.ts";

/** Signs decisions and publishes verification keys. */
export interface Signer {
  /** The RFC 7638 thumbprint of the signing key. */
  readonly kid: string;
  /** The public keys origins verify with, current first. */
  readonly jwks: { keys: JWK[] };
  sign(claims: DecisionClaims): Promise<string>;
}

/** Builds a signer from the configured JWKs. Throws with a message naming the fault (never the key). */
export async function createSigner(jwks: readonly JWK[]): Promise<Signer> {
  const [current] = jwks;
  if (!current || typeof current.d !== "string") throw new Error("the first signing key must be a private key (with d)");
  const published: JWK[] = [];
  for (const [i, jwk] of jwks.entries()) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
      throw new Error(`signing key ${i} is not an Ed25519 JWK`);
    }
    const pub = { kty: "OKP", crv: "Ed25519", x: jwk.x };
    const kid = await calculateJwkThumbprint(pub, "sha256");
    published.push({ ...pub, kid, alg: "EdDSA", use: "sig" });
  }
  const key = await importJWK({ kty: "OKP", crv: "Ed25519", x: current.x, d: current.d }, "EdDSA");
  const kid = published[0]!.kid!;
  return {
    kid,
    jwks: { keys: published },
    sign: (claims) =>
      new SignJWT({ ...claims }).setProtectedHeader({ alg: "EdDSA", kid, typ: DECISION_TYP }).sign(key),
  };
}

/** `createDecisionVerifier`: what it accepts, and every way a forged, stale or foreign decision is refused. */
import {
  base64url,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { DecisionClaims as SignedClaims } from "../../src/core/decision.ts";
import { createDecisionVerifier, type DecisionClaims, type DecisionVerifierOptions } from "../../src/verify/index.ts";

const ISS = "https://keycard.example.com";
const NOW = 1_800_000_000; // seconds; every test runs on this fixed clock
const at = (seconds: number) => () => seconds * 1000;

let key: CryptoKey, publicJwk: JWK, kid: string, jwks: JSONWebKeySet;
let attacker: CryptoKey, attackerJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  publicJwk = await exportJWK(pair.publicKey);
  key = pair.privateKey;
  kid = await calculateJwkThumbprint(publicJwk);
  jwks = { keys: [{ ...publicJwk, kid, alg: "EdDSA", use: "sig" }] };
  const evil = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  attacker = evil.privateKey;
  attackerJwk = await exportJWK(evil.publicKey);
});

/** The claims Keycard signs: typed with the core's own type, so the helper's type is proven to accept them. */
function signed(over: Partial<SignedClaims> = {}): SignedClaims {
  return {
    iss: ISS, aud: ["metrics"], sub: "tok_1", org: "org_1", stack: "stack_1", scope: "metrics:read",
    labels: ['{env="dev"}'], pol: "pol_1", ip: "10.1.2.3", jti: "j1", iat: NOW, nbf: NOW, exp: NOW + 60, ...over,
  };
}

function sign(payload: JWTPayload | SignedClaims, header: Record<string, unknown> = {}, signer: CryptoKey = key): Promise<string> {
  return new SignJWT({ ...payload }).setProtectedHeader({ alg: "EdDSA", kid, typ: "kc-decision+jwt", ...header }).sign(signer);
}

function verifier(over: Partial<DecisionVerifierOptions> = {}) {
  return createDecisionVerifier({ jwks, issuer: ISS, audience: "metrics", now: at(NOW + 1), ...over } as DecisionVerifierOptions);
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; claim?: string }> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(errors.JOSEError);
    const claim = e instanceof errors.JWTClaimValidationFailed ? e.claim : undefined;
    return { code: (e as errors.JOSEError).code, ...(claim ? { claim } : {}) };
  }
  throw new Error("the decision was accepted");
}

describe("accepts", () => {
  it("every claim Keycard signs (the helper's claims type is checked against the core's)", () => {
    const fromCore: DecisionClaims = signed();
    expect(fromCore.iss).toBe(ISS);
  });


  it("a decision signed by the JWKS key, with typed and frozen claims", async () => {
    const claims: DecisionClaims = await verifier().verify(await sign(signed()));
    expect(claims).toMatchObject({ iss: ISS, aud: ["metrics"], org: "org_1", scope: "metrics:read", labels: ['{env="dev"}'] });
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims.labels)).toBe(true);
  });

  it("a decision for several services when one of them is this origin's", async () => {
    const claims = await verifier({ audience: "logs" }).verify(await sign(signed({ aud: ["logs", "metrics"] })));
    expect(claims.aud).toEqual(["logs", "metrics"]);
  });

  it("keys fetched from a remote JWKS through a custom fetch (a Workers service binding)", async () => {
    const seen: string[] = [];
    const fetch = async (url: string) => {
      seen.push(url);
      return Response.json(jwks);
    };
    const v = createDecisionVerifier({ jwksUrl: `${ISS}/.well-known/jwks.json`, fetch, issuer: ISS, audience: "metrics", now: at(NOW) });
    expect((await v.verify(await sign(signed()))).sub).toBe("tok_1");
    expect(seen).toEqual([`${ISS}/.well-known/jwks.json`]);
  });
});

describe("refuses", () => {
  it.each([
    ["a wrong issuer", { iss: "https://evil.example.com" }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "iss" }],
    ["a wrong audience", { aud: ["logs"] }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" }],
    ["a string audience", { aud: "metrics" }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" }],
    ["no exp", { exp: undefined }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "exp" }],
    ["no jti", { jti: undefined }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "jti" }],
    ["no org", { org: undefined }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "org" }],
    ["a lifetime over 300 s", { exp: NOW + 301 }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "exp" }],
    ["a labels claim that is not a list", { labels: '{env="dev"}' }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "labels" }],
    ["an empty labels claim", { labels: [] }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "labels" }],
    ["a selector that does not parse", { labels: ['{env="dev"'] }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "labels" }],
    ["a selector that matches everything", { labels: ['{env=~".*"}'] }, { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "labels" }],
  ])("%s", async (_name, over, expected) => {
    const payload: Record<string, unknown> = { ...signed(), ...over };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    expect(await refusal(verifier().verify(await sign(payload as JWTPayload)))).toEqual(expected);
  });

  it.each([
    ["a JWT typ", { typ: "JWT" }],
    ["no typ", { typ: undefined }],
  ])("%s header", async (_name, header) => {
    expect(await refusal(verifier().verify(await sign(signed(), header)))).toEqual({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "typ" });
  });

  it("alg none", async () => {
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const jwt = `${enc({ alg: "none", kid, typ: "kc-decision+jwt" })}.${enc(signed())}.`;
    expect((await refusal(verifier().verify(jwt))).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
  });

  it("HS256 signed with the public key bytes as the HMAC secret", async () => {
    const secret = base64url.decode(publicJwk.x!);
    const jwt = await new SignJWT({ ...signed() }).setProtectedHeader({ alg: "HS256", kid, typ: "kc-decision+jwt" }).sign(secret);
    expect((await refusal(verifier().verify(jwt))).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
  });

  it.each([
    ["jwk", () => ({ jwk: attackerJwk })],
    ["jku", () => ({ jku: "https://evil.example.com/jwks.json" })],
    ["x5u", () => ({ x5u: "https://evil.example.com/cert.pem" })],
    ["x5c", () => ({ x5c: ["MIIB"] })],
  ])("a %s header, even naming the real kid", async (_name, header) => {
    expect((await refusal(verifier().verify(await sign(signed(), header(), attacker)))).code).toBe("ERR_JWS_INVALID");
  });

  it("a decision signed by another key under the real kid", async () => {
    expect((await refusal(verifier().verify(await sign(signed(), {}, attacker)))).code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  it("a decision whose kid is not in the JWKS", async () => {
    expect((await refusal(verifier().verify(await sign(signed(), { kid: "unknown" })))).code).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("a tampered payload", async () => {
    const [h, , s] = (await sign(signed())).split(".");
    const forged = base64url.encode(JSON.stringify({ ...signed(), labels: undefined, org: "org_2" }));
    expect((await refusal(verifier().verify(`${h}.${forged}.${s}`))).code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  it.each(["", "a.b", "not a jwt"])("the malformed decision %j", async (jwt) => {
    expect((await refusal(verifier().verify(jwt))).code).toMatch(/^ERR_JW[ST]_INVALID$/);
  });
});

describe("clock skew at ±1 s of exp and nbf (exp = nbf + 60)", () => {
  const EXP = NOW + 60;
  it.each([
    ["1 s before exp", "ok", EXP - 1, 0],
    ["at exp", "ERR_JWT_EXPIRED", EXP, 0],
    ["1 s after exp", "ERR_JWT_EXPIRED", EXP + 1, 0],
    ["1 s after exp, 5 s tolerance", "ok", EXP + 1, 5],
    ["6 s after exp, 5 s tolerance", "ERR_JWT_EXPIRED", EXP + 6, 5],
    ["1 s before nbf", "ERR_JWT_CLAIM_VALIDATION_FAILED", NOW - 1, 0],
    ["at nbf", "ok", NOW, 0],
    ["1 s after nbf", "ok", NOW + 1, 0],
    ["1 s before nbf, 5 s tolerance", "ok", NOW - 1, 5],
    ["6 s before nbf, 5 s tolerance", "ERR_JWT_CLAIM_VALIDATION_FAILED", NOW - 6, 5],
  ])("%s → %s", async (_name, expected, now, tolerance) => {
    const verify = verifier({ now: at(now), clockToleranceSeconds: tolerance }).verify(await sign(signed()));
    if (expected === "ok") await expect(verify).resolves.toMatchObject({ jti: "j1" });
    else expect((await refusal(verify)).code).toBe(expected);
  });
});

describe("options", () => {
  it.each([
    ["a tolerance over 60 s", { clockToleranceSeconds: 61 }, RangeError],
    ["a negative tolerance", { clockToleranceSeconds: -1 }, RangeError],
    ["a NaN tolerance", { clockToleranceSeconds: Number.NaN }, RangeError],
    ["no issuer", { issuer: "" }, TypeError],
    ["no audience", { audience: "" }, TypeError],
    ["both a JWKS and a URL", { jwksUrl: `${ISS}/.well-known/jwks.json` }, TypeError],
    ["neither a JWKS nor a URL", { jwks: undefined }, TypeError],
    ["a plain-http JWKS URL on a public host", { jwks: undefined, jwksUrl: "http://keycard.example.com/.well-known/jwks.json" }, TypeError],
  ])("refuses %s at once", (_name, over, type) => {
    expect(() => verifier(over as Partial<DecisionVerifierOptions>)).toThrow(type);
  });

  it.each(["http://127.0.0.1:8787/.well-known/jwks.json", "http://localhost:8787/.well-known/jwks.json", "http://[::1]/jwks"])(
    "accepts the loopback JWKS URL %s",
    (jwksUrl) => expect(() => verifier({ jwks: undefined, jwksUrl } as Partial<DecisionVerifierOptions>)).not.toThrow(),
  );
});

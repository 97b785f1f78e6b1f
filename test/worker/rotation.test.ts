/** Key rotation: old decisions verify until their exp; new ones use the new kid; no failures mid-stream. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { rotateKeys, type ConfiguredJwk } from "../../src/core/keys.ts";
import { createApp } from "../../src/http/app.ts";
import { basic, BASE, newOrg, newPolicyToken, newStack } from "./helpers.ts";

async function newKey(): Promise<ConfiguredJwk> {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
  const { kty, crv, x, d } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { kty: kty!, crv: crv!, x: x!, d: d! };
}

/** One deployment of Keycard with these signing keys, sharing the test's D1, KV and feed. */
function deployment(keys: ConfiguredJwk[]) {
  const app = createApp();
  const deployed = { ...env, KEYCARD_SIGNING_KEYS: JSON.stringify(keys) } as Env;
  return async (path: string, headers: Record<string, string> = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${BASE}${path}`, { headers }), deployed, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

let headers: Record<string, string>;
let k1: ConfiguredJwk, k2: ConfiguredJwk;
beforeAll(async () => {
  const org = await newOrg();
  const stack = await newStack(org);
  const { secret } = await newPolicyToken(org, { scopes: ["metrics:write"], realms: [{ type: "org", identifier: org }] });
  headers = { authorization: basic(stack, secret), "x-keycard-scope": "metrics:write" };
  [k1, k2] = [await newKey(), await newKey()];
});

const verifyWith = (jwks: JSONWebKeySet, jwt: string) =>
  jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: BASE, audience: "metrics", typ: "kc-decision+jwt", algorithms: ["EdDSA"] });

describe("signing-key rotation", () => {
  it("keeps old decisions verifiable and signs new ones with the new kid", async () => {
    const before = deployment([k1]);
    const old = (await before("/authorize", headers)).headers.get("x-keycard-decision")!;
    const after = deployment(rotateKeys([k1], k2, Math.floor(Date.now() / 1000)));
    const jwks = (await (await after("/.well-known/jwks.json")).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys.every((k) => !("d" in k))).toBe(true);
    await expect(verifyWith(jwks, old)).resolves.toBeTruthy();
    const fresh = (await after("/authorize", headers)).headers.get("x-keycard-decision")!;
    expect(decodeProtectedHeader(fresh).kid).toBe(jwks.keys[0]!.kid);
    expect(decodeProtectedHeader(fresh).kid).not.toBe(decodeProtectedHeader(old).kid);
    expect(decodeProtectedHeader(fresh)).not.toHaveProperty("jku");
    expect(decodeProtectedHeader(fresh)).not.toHaveProperty("jwk");
  });

  it("verifies all of 1,000 authorizations with a rotation in the middle, refetching the JWKS on an unknown kid", async () => {
    const before = deployment([k1]);
    const after = deployment(rotateKeys([k1], k2, Math.floor(Date.now() / 1000)));
    let current = before;
    let jwks = (await (await current("/.well-known/jwks.json")).json()) as JSONWebKeySet;
    let failures = 0;
    let refetches = 0;
    for (let i = 0; i < 1000; i++) {
      if (i === 500) current = after;
      const res = await current("/authorize", headers);
      const jwt = res.headers.get("x-keycard-decision")!;
      const { kid } = decodeProtectedHeader(jwt);
      if (!jwks.keys.some((k) => k.kid === kid)) {
        jwks = (await (await current("/.well-known/jwks.json")).json()) as JSONWebKeySet;
        refetches++;
      }
      await verifyWith(jwks, jwt).catch(() => failures++);
    }
    expect(failures).toBe(0);
    expect(refetches).toBe(1);
  });
});

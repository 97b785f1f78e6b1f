/** Signing keys and decisions: rotation output the Worker accepts, and verification as an origin does it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configuredKeys, fromJwks, newSigningKey, rotate } from "../../src/cli/commands/keys.ts";
import { readDotenv, setDotenv } from "../../src/cli/dotenv.ts";
import { decisionClaims } from "../../src/core/decision.ts";
import { checkTokenFormat } from "../../src/core/token.ts";
import type { ConfiguredJwk } from "../../src/core/keys.ts";
import { createSigner } from "../../src/services/signer.ts";
import { json, keycard, NOW } from "./fake.ts";

const T = NOW / 1000;
/** now + the longest decision (300 s) + the grace (60 s). */
const RETIRE = T + 360;

describe("rotate", () => {
  it("puts a new private key first and demotes the current one until its decisions have expired", async () => {
    const old = await newSigningKey();
    const r = await rotate([old], T);
    const keys = JSON.parse(r.value) as ConfiguredJwk[];
    assert.equal(keys.length, 2);
    assert.equal(typeof keys[0]!.d, "string");
    assert.deepEqual(keys[1], { kty: "OKP", crv: "Ed25519", x: old.x, retire_after: RETIRE });
    assert.deepEqual(r.previous.map((p) => p.retireAfter), [RETIRE]);
  });
  it("makes a value the Worker's signer accepts, publishing both keys until the retirement", async () => {
    const r = await rotate([await newSigningKey()], T);
    const signer = await createSigner(JSON.parse(r.value) as ConfiguredJwk[]);
    assert.equal(signer.kid, r.kid);
    assert.deepEqual(signer.jwks(NOW).keys.map((k) => k.kid), [r.kid, r.previous[0]!.kid]);
    assert.deepEqual(signer.jwks(RETIRE * 1000).keys.map((k) => k.kid), [r.kid]);
  });
  it("makes a first key from nothing", async () => {
    const r = await rotate([], T);
    assert.equal((JSON.parse(r.value) as ConfiguredJwk[]).length, 1);
    assert.deepEqual(r.previous, []);
  });
  it("retires keys read from a JWKS, which does not publish their retirement", async () => {
    const [a, b] = [await newSigningKey(), await newSigningKey()];
    const keys = fromJwks([{ ...a, d: undefined, kid: "ka", alg: "EdDSA" }, { ...b, d: undefined, kid: "kb" }], "jwks", T);
    assert.deepEqual(keys, [{ kty: "OKP", crv: "Ed25519", x: a.x }, { kty: "OKP", crv: "Ed25519", x: b.x, retire_after: RETIRE }]);
  });
  it("refuses keys that are not Ed25519", () => {
    assert.throws(() => configuredKeys([{ kty: "EC", crv: "P-256", x: "a", y: "b" }], "src"), /key 0 is not an Ed25519 JWK/);
    assert.throws(() => configuredKeys({ keys: [] }, "src"), /not a list of JWKs/);
  });
});

describe("keys rotate", () => {
  it("demotes the keys the server publishes, and prints only the value on stdout", async () => {
    const current = await createSigner([await newSigningKey()]);
    const r = await keycard(["keys", "rotate"], { handler: () => json(current.jwks(NOW)) });
    assert.equal(r.code, 0, r.stderr);
    const keys = JSON.parse(r.stdout) as ConfiguredJwk[];
    assert.deepEqual(keys[1], { kty: "OKP", crv: "Ed25519", x: current.jwks(NOW).keys[0]!.x, retire_after: RETIRE });
    assert.match(r.stderr, new RegExp(`previous key ${current.kid} published until 2026-11-23T18:06:00Z`));
    assert.match(r.stderr, /wrangler secret put KEYCARD_SIGNING_KEYS/);
  });
  it("will not guess which Keycard to read the current keys from", async () => {
    const r = await keycard(["keys", "rotate"], { env: { KEYCARD_URL: "" } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keycard: keys rotate reads the current keys from the deployed Keycard: pass --url/);
    assert.equal(r.sent.length, 0);
  });
  it("reads the current value from stdin with --from stdin", async () => {
    const old = await newSigningKey();
    const r = await keycard(["keys", "rotate", "--from", "stdin", "--json"], { stdin: JSON.stringify([old]) });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { KEYCARD_SIGNING_KEYS: string; previous: unknown[] };
    assert.equal((JSON.parse(out.KEYCARD_SIGNING_KEYS) as ConfiguredJwk[])[1]!.d, undefined);
    assert.equal(out.previous.length, 1);
    assert.equal(r.sent.length, 0);
  });
  it("rewrites .dev.vars in place with --write-dev-vars, printing no key", async () => {
    const old = await newSigningKey();
    const files = new Map([[".dev.vars", `KEYCARD_OPERATOR_TOKEN='kc_x'\nKEYCARD_SIGNING_KEYS='${JSON.stringify([old])}'\nOTHER=1\n`]]);
    const r = await keycard(["keys", "rotate", "--write-dev-vars"], { files });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.sent.length, 0);
    const text = files.get(".dev.vars")!;
    assert.match(text, /^KEYCARD_OPERATOR_TOKEN='kc_x'\nKEYCARD_SIGNING_KEYS='\[.*\]'\nOTHER=1\n$/);
    const keys = JSON.parse(readDotenv(text, "KEYCARD_SIGNING_KEYS")!) as ConfiguredJwk[];
    assert.deepEqual(keys[1], { kty: "OKP", crv: "Ed25519", x: old.x, retire_after: RETIRE });
  });
  it("says what is missing when .dev.vars has no keys", async () => {
    const r = await keycard(["keys", "rotate", "--write-dev-vars"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^keycard: \.dev\.vars has no KEYCARD_SIGNING_KEYS \(run npm start once, or pass --from none\)$/m);
  });
  it("lists the published keys, signing key first", async () => {
    const r1 = await rotate([await newSigningKey()], T);
    const signer = await createSigner(JSON.parse(r1.value) as ConfiguredJwk[]);
    const r = await keycard(["keys", "list"], { handler: () => json(signer.jwks(NOW)) });
    assert.match(r.stdout, new RegExp(`^${r1.kid} +signing +EdDSA +Ed25519\n${r1.previous[0]!.kid} +previous +EdDSA +Ed25519\n$`, "m"));
  });
});

describe("dotenv", () => {
  it("reads quoted and bare values", () => {
    assert.equal(readDotenv(`A='{"x":1}'\nB="y"\nC=z\n`, "A"), '{"x":1}');
    assert.equal(readDotenv(`B="y"`, "B"), "y");
    assert.equal(readDotenv(`C=z`, "C"), "z");
    assert.equal(readDotenv(`C=z`, "D"), undefined);
  });
  it("replaces a key where it stands, or appends it", () => {
    assert.equal(setDotenv("A=1\nB=2\n", "A", "3"), "A='3'\nB=2\n");
    assert.equal(setDotenv("A=1", "B", "2"), "A=1\nB='2'\n");
    assert.equal(setDotenv("", "B", "2"), "B='2'\n");
  });
});

describe("decisions verify", () => {
  const issuer = "https://keycard.test";
  const record = { tokenId: "t1", orgId: "o1", policyId: "p1" } as Parameters<typeof decisionClaims>[0];
  const grant = { scopes: ["metrics:write"], stackId: "s1", labels: null } as Parameters<typeof decisionClaims>[1];

  async function setup(at = NOW, iss = issuer) {
    const signer = await createSigner([await newSigningKey()]);
    const jwt = await signer.sign(decisionClaims(record, grant, { issuer: iss, clientIp: "10.1.2.3", now: at, ttlSeconds: 60, jti: "j1" }));
    return { signer, jwt, handler: () => json(signer.jwks(NOW)) };
  }

  it("verifies a decision and prints its claims", async () => {
    const { jwt, handler, signer } = await setup();
    const r = await keycard(["decisions", "verify", jwt], { handler });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.sent[0]!.url.pathname, "/.well-known/jwks.json");
    assert.equal(r.sent[0]!.headers.get("authorization"), null);
    assert.match(r.stdout, new RegExp(`^valid: signed by key ${signer.kid}, expires in 60 s$`, "m"));
    assert.match(r.stdout, /^token +t1$/m);
  });
  it("reads the decision from stdin with -", async () => {
    const { jwt, handler } = await setup();
    const r = await keycard(["decisions", "verify", "-", "--json", "--audience", "metrics"], { handler, stdin: `${jwt}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).claims.sub, "t1");
  });
  const rejections: [string, () => Promise<{ argv: string[]; handler: () => Response }>, RegExp][] = [
    ["an expired decision", async () => ({ ...(await setup(NOW - 120_000)), argv: [] }), /^keycard: decision rejected: expired at 2026-11-23T17:59:00\.000Z$/],
    ["another issuer", async () => ({ ...(await setup(NOW, "https://elsewhere")), argv: [] }), /^keycard: decision rejected: issuer is "https:\/\/elsewhere", expected "https:\/\/keycard\.test" \(use --issuer\)$/],
    ["a missing audience", async () => ({ ...(await setup()), argv: ["--audience", "logs"] }), /^keycard: decision rejected: aud is \["metrics"\], without the --audience asked for$/],
    [
      "a key Keycard does not publish",
      async () => {
        const { jwt } = await setup();
        const other = await createSigner([await newSigningKey()]);
        return { jwt, argv: [], handler: () => json(other.jwks(NOW)) };
      },
      /^keycard: decision rejected: signed by a key Keycard does not publish/,
    ],
  ];
  for (const [name, make, line] of rejections) {
    it(`rejects ${name} in one line, exit 1`, async () => {
      const { jwt, argv, handler } = (await make()) as { jwt: string; argv: string[]; handler: () => Response };
      const r = await keycard(["decisions", "verify", jwt, ...argv], { handler });
      assert.equal(r.code, 1);
      assert.match(r.stderr.trim(), line);
    });
  }
  it("rejects what is not a JWS", async () => {
    const r = await keycard(["decisions", "verify", "not-a-jwt"], { handler: () => json({ keys: [] }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a compact JWS decision/);
  });
});

describe("secrets generate", () => {
  it("prints a well-formed operator token alone on stdout", async () => {
    const r = await keycard(["secrets", "generate", "KEYCARD_OPERATOR_TOKEN"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^kc_[0-9A-Za-z]{38}\n$/);
    assert.equal(checkTokenFormat(r.stdout.trim()).ok, true);
    assert.match(r.stderr, /wrangler secret put KEYCARD_OPERATOR_TOKEN/);
    assert.equal(r.sent.length, 0);
  });
  it("prints a first signing key the Worker accepts", async () => {
    const r = await keycard(["secrets", "generate", "KEYCARD_SIGNING_KEYS"]);
    const keys = JSON.parse(r.stdout) as ConfiguredJwk[];
    assert.equal(keys.length, 1);
    assert.equal((await createSigner(keys)).jwks(NOW).keys.length, 1);
  });
  it("refuses other names", async () => {
    const r = await keycard(["secrets", "generate", "KEYCARD_TOKEN"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keycard: no secret named KEYCARD_TOKEN: use KEYCARD_OPERATOR_TOKEN or KEYCARD_SIGNING_KEYS/);
  });
});

/**
 * `keycard keys …`: the decision signing keys. `KEYCARD_SIGNING_KEYS` is a JSON array of Ed25519 JWKs:
 * the first is private and signs; the others are previous keys, public only, each published until its
 * `retire_after` (src/core/keys.ts). Rotation itself is `rotateKeys`; this adds where the current keys
 * come from and where the new value goes.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { booleanValue, stringValue } from "../args.ts";
import type { Command, Context } from "../command.ts";
import { MAX_DECISION_TTL_SECONDS } from "../../core/decision.ts";
import { RETIRE_GRACE_SECONDS, rotateKeys, type ConfiguredJwk } from "../../core/keys.ts";
import { readDotenv, setDotenv } from "../dotenv.ts";
import { CliError, TransportError, UsageError } from "../errors.ts";
import { table, time } from "../output.ts";
import { JWKS_PATH } from "./decisions.ts";

/** The secret's name. */
export const SIGNING_KEYS = "KEYCARD_SIGNING_KEYS";

/** A rotation: the new secret value, the new key's id, and the previous keys still published. */
export interface Rotation {
  value: string;
  kid: string;
  previous: { kid: string; retireAfter: number | null }[];
}

/** Checks a configured key list: Ed25519 JWKs only. Private parts are kept for `rotateKeys` to drop. */
export function configuredKeys(keys: unknown, source: string): ConfiguredJwk[] {
  if (!Array.isArray(keys)) throw new CliError(`${source}: not a list of JWKs`);
  return keys.map((k, i) => {
    const jwk = k as ConfiguredJwk;
    if (jwk?.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new CliError(`${source}: key ${i} is not an Ed25519 JWK`);
    return jwk;
  });
}

/**
 * The configured keys behind a published JWKS. The JWKS does not carry `retire_after`; a previous key
 * no longer signs, so every decision it signed expires within the longest decision lifetime: it
 * retires then (plus the grace for clock skew).
 */
export function fromJwks(keys: unknown, source: string, nowSeconds: number): ConfiguredJwk[] {
  const retireAfter = nowSeconds + MAX_DECISION_TTL_SECONDS + RETIRE_GRACE_SECONDS;
  return configuredKeys(keys, source).map((k, i) => {
    const pub: ConfiguredJwk = { kty: k.kty, crv: k.crv, x: k.x };
    return i === 0 ? pub : { ...pub, retire_after: retireAfter };
  });
}

/** A new Ed25519 private key as a JWK. */
export async function newSigningKey(): Promise<ConfiguredJwk> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { kty, crv, x, d } = await exportJWK(privateKey);
  return { kty: kty!, crv, x, d };
}

/** Rotates: a new signing key first, the current one demoted (core/keys.ts `rotateKeys`). */
export async function rotate(current: readonly ConfiguredJwk[], nowSeconds: number): Promise<Rotation> {
  const next = rotateKeys(current, await newSigningKey(), nowSeconds);
  const kids = await Promise.all(next.map((k) => calculateJwkThumbprint({ kty: k.kty, crv: k.crv, x: k.x } as JWK, "sha256")));
  return {
    value: JSON.stringify(next),
    kid: kids[0]!,
    previous: next.slice(1).map((k, i) => ({ kid: kids[i + 1]!, retireAfter: k.retire_after ?? null })),
  };
}

function parseKeys(text: string, source: string): ConfiguredJwk[] {
  try {
    return configuredKeys(JSON.parse(text), source);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${source} is not JSON`);
  }
}

async function currentKeys(ctx: Context, from: string, devVars: string, nowSeconds: number): Promise<ConfiguredJwk[]> {
  if (from === "none") return [];
  if (from === "stdin") return parseKeys(await ctx.io.readStdin(), `${SIGNING_KEYS} on stdin`);
  if (from === "jwks") {
    if (stringValue(ctx.values, "url") === undefined && !ctx.io.env.KEYCARD_URL) {
      throw new UsageError("keys rotate reads the current keys from the deployed Keycard: pass --url (or set KEYCARD_URL), or --from stdin, dev-vars or none", ["keys", "rotate"]);
    }
    const jwks = await ctx.client.call<{ keys?: unknown }>("GET", JWKS_PATH, { auth: false });
    if (!Array.isArray(jwks?.keys)) throw new TransportError(`GET ${JWKS_PATH}: the answer is not a JWK Set; check --url`);
    return fromJwks(jwks.keys, `${ctx.url.origin}${JWKS_PATH}`, nowSeconds);
  }
  const text = await ctx.io.readFile(devVars);
  const value = text === null ? undefined : readDotenv(text, SIGNING_KEYS);
  if (value === undefined) throw new CliError(`${devVars} has no ${SIGNING_KEYS} (run npm start once, or pass --from none)`);
  return parseKeys(value, `${SIGNING_KEYS} in ${devVars}`);
}

const rotateCommand: Command = {
  path: ["keys", "rotate"],
  summary: `Generate a new signing key and print the new ${SIGNING_KEYS} value`,
  options: {
    from: {
      type: "string",
      value: "source",
      choices: ["jwks", "stdin", "dev-vars", "none"],
      description:
        "the current keys: jwks (what <url> publishes; default), stdin (the current secret value), dev-vars (default with --write-dev-vars), or none (a first key)",
    },
    "write-dev-vars": { type: "boolean", description: "write the new value into .dev.vars (local development) instead of printing it" },
    "dev-vars": { type: "string", value: "path", description: "the dev vars file (default .dev.vars)" },
  },
  help: `The new private key comes first and signs as soon as the secret is deployed. The key it replaces
stays published, public only, until every decision it signed has expired: retire_after = now +
${MAX_DECISION_TTL_SECONDS} s (the longest decision) + ${RETIRE_GRACE_SECONDS} s. Keys past their retirement are dropped.
With --from jwks the retirement times of older keys are not published; they retire on the same bound.

The value goes to stdout alone; pipe it straight into the Worker secret:
  keycard keys rotate --url https://keycard.example.com | npx wrangler secret put ${SIGNING_KEYS} [--env production]
For local development (then restart npm start):
  keycard keys rotate --write-dev-vars`,
  run: async (ctx) => {
    const write = booleanValue(ctx.values, "write-dev-vars");
    const devVars = stringValue(ctx.values, "dev-vars") ?? ".dev.vars";
    const from = stringValue(ctx.values, "from") ?? (write ? "dev-vars" : "jwks");
    const nowSeconds = Math.floor(ctx.io.now() / 1000);
    const current = await currentKeys(ctx, from, devVars, nowSeconds);
    const source = { jwks: `${ctx.url.origin}${JWKS_PATH}`, stdin: "stdin", "dev-vars": devVars, none: "none" }[from];
    const rotation = await rotate(current, nowSeconds);
    const previous =
      rotation.previous.length === 0
        ? "no previous keys"
        : rotation.previous.map((p) => `previous key ${p.kid} published ${p.retireAfter === null ? "indefinitely" : `until ${time(new Date(p.retireAfter * 1000).toISOString())}`}`).join(", ");
    const summary = { kid: rotation.kid, previous: rotation.previous };
    if (write) {
      await ctx.io.writeFile(devVars, setDotenv((await ctx.io.readFile(devVars)) ?? "", SIGNING_KEYS, rotation.value));
      ctx.note(`wrote ${SIGNING_KEYS} to ${devVars}: new key ${rotation.kid}, ${previous}; restart npm start to use it`);
      if (ctx.json) ctx.printJson({ ...summary, file: devVars });
      return 0;
    }
    ctx.note(`current keys from ${source}; new signing key ${rotation.kid}, ${previous}`);
    ctx.note(`warning: stdout holds a private key; pipe it into: npx wrangler secret put ${SIGNING_KEYS}`);
    if (ctx.json) ctx.printJson({ ...summary, [SIGNING_KEYS]: rotation.value });
    else ctx.print(rotation.value);
    return 0;
  },
};

const listKeysCommand: Command = {
  path: ["keys", "list"],
  summary: "List the keys Keycard publishes (current first)",
  options: {},
  run: async (ctx) => {
    const jwks = await ctx.client.call<{ keys?: JWK[] }>("GET", JWKS_PATH, { auth: false });
    if (!Array.isArray(jwks?.keys)) throw new TransportError(`GET ${JWKS_PATH}: the answer is not a JWK Set; check --url`);
    if (ctx.json) ctx.printJson(jwks);
    else ctx.print(table(["KID", "ROLE", "ALG", "CRV"], jwks.keys.map((k, i) => [k.kid ?? "-", i === 0 ? "signing" : "previous", k.alg ?? "-", k.crv ?? "-"])));
    return 0;
  },
};

/** The key commands. */
export const keyCommands: Command[] = [listKeysCommand, rotateCommand];

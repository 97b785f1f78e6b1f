/**
 * Local secrets: an operator token and an Ed25519 signing key (private JWK). Used by `npm start` to
 * fill `.dev.vars`, and by the test config, so no secret is ever committed.
 */
import { generateKeyPairSync, getRandomValues } from "node:crypto";
import { generateToken } from "../src/core/token.ts";

/** A new operator token in Keycard's token format. */
export function newOperatorToken(): string {
  return generateToken((b) => getRandomValues(b));
}

/** A new Ed25519 private key as a JWK. */
export function newSigningJwk(): { kty: string; crv: string; x: string; d: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const { kty, crv, x, d } = privateKey.export({ format: "jwk" });
  return { kty: kty!, crv: crv!, x: x!, d: d! };
}

/** Fresh values for every secret Keycard needs. */
export function newSecrets(): Record<string, string> {
  return {
    KEYCARD_OPERATOR_TOKEN: newOperatorToken(),
    KEYCARD_SIGNING_KEYS: JSON.stringify([newSigningJwk()]),
  };
}

/** Reads a dotenv file's KEY=VALUE lines (single-quoted values are taken literally). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

/** Writes KEY=VALUE lines, single-quoting values so JSON survives. */
export function formatDotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}='${v}'`)
    .join("\n") + "\n";
}

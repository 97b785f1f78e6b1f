/**
 * `npm run keys:rotate`: adds a new Ed25519 signing key. New decisions use it at once; the previous key
 * stays published until every decision it signed has expired (core/keys.ts).
 *
 *   npm run keys:rotate                     rotate the key in .dev.vars (local development)
 *   npm run --silent keys:rotate -- --print < current.json | npx wrangler secret put KEYCARD_SIGNING_KEYS
 *                                           read the current value on stdin, print the next one (production)
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { rotateKeys, type ConfiguredJwk } from "../src/core/keys.ts";
import { formatDotenv, newSigningJwk, parseDotenv } from "./secrets.ts";

const DEV_VARS = ".dev.vars";
const print = process.argv.includes("--print");
const now = Math.floor(Date.now() / 1000);

if (print) {
  const current = JSON.parse(readFileSync(0, "utf8")) as ConfiguredJwk[];
  process.stdout.write(JSON.stringify(rotateKeys(current, newSigningJwk(), now)));
} else {
  if (!existsSync(DEV_VARS)) throw new Error(`${DEV_VARS} does not exist: run npm start once first`);
  const vars = parseDotenv(readFileSync(DEV_VARS, "utf8"));
  const current = JSON.parse(vars.KEYCARD_SIGNING_KEYS ?? "[]") as ConfiguredJwk[];
  const next = rotateKeys(current, newSigningJwk(), now);
  writeFileSync(DEV_VARS, formatDotenv({ ...vars, KEYCARD_SIGNING_KEYS: JSON.stringify(next) }), { mode: 0o600 });
  chmodSync(DEV_VARS, 0o600);
  console.log(`keycard: rotated the signing key in ${DEV_VARS}; ${next.length - 1} previous key(s) still published. Restart npm start.`);
}

/** `keycard decisions verify`: checks a decision the way an origin does, against Keycard's JWKS. */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from "jose";
import { stringValue } from "../args.ts";
import type { Command } from "../command.ts";
import { DECISION_TYP, type DecisionClaims } from "../../core/decision.ts";
import { CliError, TransportError } from "../errors.ts";
import { claimRows, duration, keyValues, time } from "../output.ts";

/** The JWKS path. */
export const JWKS_PATH = "/.well-known/jwks.json";

/** Why a decision is refused, in one line (jose's codes are stable). */
export function rejection(e: unknown, issuer: string): string {
  if (e instanceof errors.JWTExpired) return `expired at ${new Date(Number(e.payload.exp) * 1000).toISOString()}`;
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "iss") return `issuer is "${String(e.payload.iss)}", expected "${issuer}" (use --issuer)`;
    if (e.claim === "typ") return `typ is not ${DECISION_TYP}: not a Keycard decision`;
    if (e.claim === "aud") return `aud is ${JSON.stringify(e.payload.aud)}, without the --audience asked for`;
    return `claim "${e.claim}": ${e.reason === "check_failed" ? "check failed" : e.reason}`;
  }
  if (e instanceof errors.JWKSNoMatchingKey) return "signed by a key Keycard does not publish (rotated out, or another Keycard)";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the signature does not verify";
  if (e instanceof errors.JOSEAlgNotAllowed) return "not signed with EdDSA";
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return "not a compact JWS decision";
  if (e instanceof errors.JOSEError) return e.message;
  throw e;
}

/** The `decisions verify` command. */
export const verifyCommand: Command = {
  path: ["decisions", "verify"],
  summary: "Verify a signed decision against Keycard's JWKS and print its claims",
  args: [{ name: "jwt", description: "the decision (X-Keycard-Decision), or - to read it from stdin" }],
  options: {
    issuer: { type: "string", value: "url", description: "the expected iss (default: the origin of --url)" },
    audience: { type: "string", value: "service", description: "require this service in aud, e.g. metrics" },
  },
  help: `Fetches <url>/.well-known/jwks.json and checks what an origin checks: alg EdDSA, typ
${DECISION_TYP}, a published key, the signature, iss, exp and nbf (and aud with --audience).
Exit status 0 when valid, 1 otherwise.

Example:
  keycard authorize --token $T --scope metrics:write --stack $STACK --json | jq -r .decision | keycard decisions verify -`,
  run: async (ctx) => {
    const arg = ctx.args[0]!;
    const jwt = (arg === "-" ? await ctx.io.readStdin() : arg).trim();
    const issuer = stringValue(ctx.values, "issuer") ?? ctx.url.origin;
    const audience = stringValue(ctx.values, "audience");
    const jwks = await ctx.client.call<JSONWebKeySet>("GET", JWKS_PATH, { auth: false });
    if (!Array.isArray(jwks?.keys)) throw new TransportError(`GET ${JWKS_PATH}: the answer is not a JWK Set; check --url`);
    let verified: Awaited<ReturnType<typeof jwtVerify<DecisionClaims>>>;
    try {
      verified = await jwtVerify<DecisionClaims>(jwt, createLocalJWKSet(jwks), {
        algorithms: ["EdDSA"],
        typ: DECISION_TYP,
        issuer,
        ...(audience ? { audience } : {}),
        currentDate: new Date(ctx.io.now()),
      });
    } catch (e) {
      throw new CliError(`decision rejected: ${rejection(e, issuer)}`, undefined, { cause: e });
    }
    const { payload: c, protectedHeader: h } = verified;
    if (ctx.json) {
      ctx.printJson({ valid: true, header: h, claims: c });
      return 0;
    }
    const now = ctx.io.now() / 1000;
    ctx.print(
      `valid: signed by key ${h.kid ?? "-"}, expires in ${duration(c.exp - now)}\n${keyValues([
        ["issuer", c.iss],
        ...claimRows(c),
        ["issued", time(new Date(c.iat * 1000).toISOString())],
        ["expires", time(new Date(c.exp * 1000).toISOString())],
        ["id", c.jti],
      ])}`,
    );
    return 0;
  },
};


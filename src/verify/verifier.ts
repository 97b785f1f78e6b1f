/** Verifying decisions offline against Keycard's JWKS, with everything an attacker could choose pinned. */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import { checkClaims, DECISION_TYP, MAX_CLOCK_TOLERANCE_SECONDS, MAX_DECISION_TTL_SECONDS, type DecisionClaims } from "./claims.ts";

/** Where the verification keys come from: Keycard's JWKS URL, or a JWKS held locally. */
export type DecisionKeySource =
  | {
      /** `https://<keycard>/.well-known/jwks.json`. Plain `http:` only for loopback hosts (local development). */
      jwksUrl: string | URL;
      jwks?: never;
      /**
       * The fetch used for the JWKS, e.g. `(url, init) => env.KEYCARD.fetch(url, init)` for a Workers service
       * binding. Default: the global `fetch`.
       */
      fetch?: FetchImplementation;
    }
  | {
      /** A JWKS held locally (tests, or keys distributed out of band). */
      jwks: JSONWebKeySet;
      jwksUrl?: never;
      fetch?: never;
    };

/** Options of {@link createDecisionVerifier}. */
export type DecisionVerifierOptions = DecisionKeySource & {
  /** The Keycard URL decisions must come from (`iss`), e.g. `https://keycard.example.com`. */
  issuer: string;
  /** The service this origin is (`aud`): `metrics`, `logs`, `traces`, … */
  audience: string;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds: 0 (default) to {@link MAX_CLOCK_TOLERANCE_SECONDS}. */
  clockToleranceSeconds?: number;
  /** The clock, in epoch milliseconds. Default: `Date.now`. Tests pass a fixed one. */
  now?: () => number;
};

/** Verifies decisions. Create one per origin and reuse it: it caches the JWKS. */
export interface DecisionVerifier {
  /**
   * Verifies a decision (the `X-Keycard-Decision` header) and returns its claims, frozen.
   * @throws jose errors (`errors.JOSEError` subclasses, each with a stable `code`): `ERR_JWT_EXPIRED`,
   *   `ERR_JWT_CLAIM_VALIDATION_FAILED` (wrong `iss`, `aud` or `typ`, not yet valid, malformed claims; `claim` names
   *   it), `ERR_JOSE_ALG_NOT_ALLOWED` (anything but EdDSA, `none` included), `ERR_JWS_INVALID` (not a JWS, or a
   *   `jku`/`jwk`/`x5u`/`x5c` header),
   *   `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`, `ERR_JWKS_NO_MATCHING_KEY`, …
   */
  verify(jwt: string): Promise<DecisionClaims>;
}

/** Header parameters that point at or carry a key; a decision never has them, and they are refused unread. */
const KEY_HEADERS = ["jku", "jwk", "x5u", "x5c"] as const;

/**
 * Creates a decision verifier: jose's `jwtVerify` with `alg` (EdDSA), `typ` (`kc-decision+jwt`), `iss` and
 * `aud` pinned, `exp`/`nbf`/`iat`/`sub`/`jti` required, a decision lifetime of at most 300 s, and keys only
 * from the configured JWKS (`createRemoteJWKSet`, which caches and refetches on an unknown `kid`).
 *
 * ```ts
 * const decisions = createDecisionVerifier({
 *   jwksUrl: "https://keycard.example.com/.well-known/jwks.json",
 *   issuer: "https://keycard.example.com",
 *   audience: "metrics",
 * });
 * const claims = await decisions.verify(request.headers.get("x-keycard-decision") ?? "");
 * ```
 * @throws TypeError or RangeError on bad options, at once.
 */
export function createDecisionVerifier(options: DecisionVerifierOptions): DecisionVerifier {
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new RangeError(`clockToleranceSeconds must be 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
  if (typeof options.issuer !== "string" || options.issuer === "") throw new TypeError("issuer is required");
  if (typeof options.audience !== "string" || options.audience === "") throw new TypeError("audience is required");
  const keys = keySource(options);
  const { issuer, audience, now } = options;
  return {
    async verify(jwt) {
      if (typeof jwt !== "string") throw new errors.JWTInvalid("the decision must be a string");
      const header = protectedHeader(jwt);
      const embedded = KEY_HEADERS.find((name) => name in header);
      if (embedded) throw new errors.JWSInvalid(`decisions never carry a "${embedded}" header`);
      const { payload } = await jwtVerify(jwt, keys, {
        algorithms: ["EdDSA"],
        typ: DECISION_TYP,
        issuer,
        audience,
        clockTolerance: tolerance,
        maxTokenAge: MAX_DECISION_TTL_SECONDS,
        requiredClaims: ["exp", "nbf", "iat", "sub", "jti"],
        currentDate: now ? new Date(now()) : undefined,
      });
      return checkClaims(payload);
    },
  };
}

function protectedHeader(jwt: string): ReturnType<typeof decodeProtectedHeader> {
  try {
    return decodeProtectedHeader(jwt);
  } catch {
    throw new errors.JWSInvalid("the decision is not a compact JWS");
  }
}

function keySource(options: DecisionKeySource): JWTVerifyGetKey {
  if (options.jwks !== undefined && options.jwksUrl !== undefined) throw new TypeError("give jwksUrl or jwks, not both");
  if (options.jwks !== undefined) return createLocalJWKSet(options.jwks);
  if (options.jwksUrl === undefined) throw new TypeError("jwksUrl or jwks is required");
  const url = new URL(options.jwksUrl);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new TypeError("jwksUrl must be https: (http: only for localhost)");
  }
  return createRemoteJWKSet(url, options.fetch ? { [customFetch]: options.fetch } : {});
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

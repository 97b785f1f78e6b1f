/** Reading the credential a client presents: a Bearer token, or Basic `<stackId>:<token>`. */
import { err, ok, type Result } from "./result.ts";

/** The most an Authorization header may hold; longer is malformed, not parsed. */
export const MAX_AUTHORIZATION_LENGTH = 1024;

/** A presented credential: the token, and the basic-auth username when there is one. */
export interface Credential {
  token: string;
  username: string | null;
}

/** Parses an Authorization header. `missing` when there is none; `malformed` for anything unusable. */
export function parseAuthorization(header: string | null): Result<Credential, "missing" | "malformed"> {
  if (header === null || header.trim() === "") return err("missing");
  if (header.length > MAX_AUTHORIZATION_LENGTH) return err("malformed");
  const space = header.indexOf(" ");
  if (space < 0) return err("malformed");
  const scheme = header.slice(0, space).toLowerCase();
  const rest = header.slice(space + 1).trim();
  if (scheme === "bearer") return rest && !/\s/.test(rest) ? ok({ token: rest, username: null }) : err("malformed");
  if (scheme !== "basic") return err("malformed");
  let decoded: string;
  try {
    decoded = atob(rest);
  } catch {
    return err("malformed");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return err("malformed");
  const username = decoded.slice(0, colon);
  return ok({ token: decoded.slice(colon + 1), username: username === "" ? null : username });
}

/** The most scopes one request may ask for. */
export const MAX_REQUESTED_SCOPES = 16;

/** Parses `X-Keycard-Scope`: scopes separated by spaces or commas. */
export function parseScopeHeader(header: string | null): Result<string[], "missing" | "malformed"> {
  if (header === null) return err("missing");
  const scopes = header.split(/[\s,]+/).filter((s) => s !== "");
  if (scopes.length === 0) return err("missing");
  if (scopes.length > MAX_REQUESTED_SCOPES) return err("malformed");
  return scopes.every((s) => /^[a-z][a-z0-9-]{0,40}:[a-z][a-z0-9-]{0,40}$/.test(s)) ? ok(scopes) : err("malformed");
}

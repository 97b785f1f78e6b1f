/**
 * The token format (DESIGN §2): `kc_`, 32 base62 characters of randomness (~190 bits), then 6 base62
 * characters holding the CRC32 of everything before them. Secret scanners can recognise it, and a
 * mistyped or truncated token is rejected before any storage read.
 */
import { err, ok, type Result } from "./result.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** The prefix every Keycard token starts with. */
export const TOKEN_PREFIX = "kc_";
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
/** The exact length of a well-formed token. */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
/** A regular expression that secret scanners can use to find Keycard tokens. */
export const TOKEN_PATTERN = /\bkc_[0-9A-Za-z]{38}\b/;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(head: string): string {
  let n = crc32(head);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/**
 * Builds a token from a source of random bytes (pass `crypto.getRandomValues`). Bytes are drawn by
 * rejection sampling so that every base62 character is uniform.
 */
export function generateToken(fillRandom: (bytes: Uint8Array<ArrayBuffer>) => unknown): string {
  let body = "";
  const bytes = new Uint8Array(64);
  while (body.length < BODY_LENGTH) {
    fillRandom(bytes);
    for (const b of bytes) {
      if (b < 248 && body.length < BODY_LENGTH) body += ALPHABET[b % 62];
    }
  }
  const head = TOKEN_PREFIX + body;
  return head + checksum(head);
}

/** Why a presented string is not a well-formed token. */
export type TokenFormatError = "prefix" | "length" | "charset" | "checksum";

/** Checks prefix, length, alphabet and checksum: everything that needs no storage. */
export function checkTokenFormat(token: string): Result<string, TokenFormatError> {
  if (!token.startsWith(TOKEN_PREFIX)) return err("prefix");
  if (token.length !== TOKEN_LENGTH) return err("length");
  for (let i = TOKEN_PREFIX.length; i < TOKEN_LENGTH; i++) {
    if (!isBase62(token.charCodeAt(i))) return err("charset");
  }
  const head = token.slice(0, TOKEN_LENGTH - CHECKSUM_LENGTH);
  if (checksum(head) !== token.slice(TOKEN_LENGTH - CHECKSUM_LENGTH)) return err("checksum");
  return ok(token);
}

function isBase62(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

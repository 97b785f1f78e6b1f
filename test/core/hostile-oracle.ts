import fc from "fast-check";

/**
 * Independent reference implementations ("oracles") for the hostile-input suites. They are written
 * from the specs (RFC 4291/5952 text forms, WHATWG forgiving-base64, DESIGN §2 token format), on
 * BigInt and regular expressions, and share no code with `src/`: a bug in Keycard's parser shows up
 * as a disagreement, not as the same mistake twice.
 */

/** An address as a number: family and value (32 or 128 bits). */
export interface OracleIp {
  family: 4 | 6;
  value: bigint;
}

/** A CIDR rule as a number. */
export interface OracleCidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const MAPPED_PREFIX = 0xffffn;

function v4(text: string): bigint | null {
  if (!DOTTED_QUAD.test(text)) return null;
  return text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

function hexGroups(text: string): string[] | null {
  return text === "" ? [] : text.split(":");
}

function v6(text: string): bigint | null {
  let body = text;
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (text.includes(".")) {
    const tail = v4(text.slice(lastColon + 1));
    if (tail === null) return null;
    body = `${text.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const left = hexGroups(halves[0]!);
  const right = halves.length === 2 ? hexGroups(halves[1]!) : [];
  if (left === null || right === null) return null;
  if (![...left, ...right].every((g) => HEX_GROUP.test(g))) return null;
  const explicit = left.length + right.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
  const groups = [...left, ...Array<string>(8 - explicit).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

/** Parses an address as written (no mapping): a strict dotted quad, or an RFC 4291 text form. */
export function oracleIpAsWritten(text: string): OracleIp | null {
  if (!text.includes(":")) {
    const value = v4(text);
    return value === null ? null : { family: 4, value };
  }
  const value = v6(text);
  return value === null ? null : { family: 6, value };
}

/** True for `::ffff:0:0/96`, the IPv4-mapped range. */
export const isMapped = (value: bigint): boolean => value >> 32n === MAPPED_PREFIX;

/** Parses a client address; an IPv4-mapped IPv6 address becomes IPv4 (DESIGN §1). */
export function oracleIp(text: string): OracleIp | null {
  const ip = oracleIpAsWritten(text);
  if (ip === null) return null;
  return ip.family === 6 && isMapped(ip.value) ? { family: 4, value: ip.value & 0xffffffffn } : ip;
}

/** A rule, or the error code Keycard must answer with. */
export function oracleCidr(text: string): OracleCidr | { code: "invalid_cidr" | "cidr_host_bits" } {
  const slash = text.indexOf("/");
  if (slash < 0) return { code: "invalid_cidr" };
  const ip = oracleIpAsWritten(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === null || !/^(0|[1-9][0-9]*)$/.test(prefixText)) return { code: "invalid_cidr" };
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return { code: "invalid_cidr" };
  if (ip.family === 6 && prefix >= 96 && isMapped(ip.value)) return { code: "invalid_cidr" };
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) return { code: "cidr_host_bits" };
  return { family: ip.family, network: ip.value, prefix };
}

/** Whether any rule contains the (normalised) address: same family, same leading `prefix` bits. */
export function oracleContains(rules: readonly OracleCidr[], ip: OracleIp): boolean {
  return rules.some((r) => {
    if (r.family !== ip.family) return false;
    const shift = BigInt((r.family === 4 ? 32 : 128) - r.prefix);
    return ip.value >> shift === r.network >> shift;
  });
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, no leading zeros, longest zero run of ≥ 2 as `::`). */
export function oracleFormatIp(ip: OracleIp): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => (ip.value >> BigInt(112 - 16 * i)) & 0xffffn);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

/** Big-endian 32-bit words of an address, as Keycard's `IpAddress.words` holds them. */
export function wordsToBigInt(words: readonly number[]): bigint {
  return words.reduce((acc, w) => (acc << 32n) | BigInt(w >>> 0), 0n);
}

// ---------------------------------------------------------------------------------------------
// Tokens (DESIGN §2): `kc_` + 32 base62 + 6 base62 holding CRC-32 of the first 35 characters.

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_SHAPE = /^kc_[0-9A-Za-z]{38}$/;

/** CRC-32 (IEEE 802.3, reflected 0xEDB88320), bit by bit over the UTF-8 bytes. */
export function oracleCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The 6-character base62 checksum of a token head. */
export function oracleChecksum(head: string): string {
  let n = BigInt(oracleCrc32(head));
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = BASE62[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out;
}

/** A token from 32 base62 characters of body. */
export function oracleToken(body: string): string {
  return `kc_${body}${oracleChecksum(`kc_${body}`)}`;
}

/** True for a well-formed token: the exact shape, and a checksum that matches. */
export function oracleTokenValid(token: string): boolean {
  return TOKEN_SHAPE.test(token) && oracleChecksum(token.slice(0, 35)) === token.slice(35);
}

// ---------------------------------------------------------------------------------------------
// Authorization headers: `Bearer <token>` or `Basic base64(user:token)`.

/** WHATWG forgiving-base64 decode, as a binary (Latin-1) string; null on failure. */
export function oracleAtob(input: string): string | null {
  let data = input.replace(/[\t\n\f\r ]/g, "");
  if (data.length % 4 === 0) data = data.replace(/==?$/, "");
  if (data.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/.test(data)) return null;
  let bits = 0;
  let buffer = 0;
  let out = "";
  for (const c of data) {
    buffer = (buffer << 6) | BASE64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** What a header yields: a credential, or why it is refused. */
export type OracleCredential = { token: string; username: string | null } | "missing" | "malformed";

/**
 * The reference reading of an Authorization header: `missing` when absent or blank; `malformed` past
 * 1,024 characters, without a single-space-separated scheme, for any scheme but Bearer/Basic (ASCII
 * case-insensitive), for a Bearer value that is empty or holds whitespace, and for Basic that does not
 * decode or has no colon. The username is everything before the first colon (empty means none).
 */
export function oracleAuthorization(header: string | null): OracleCredential {
  if (header === null || /^\s*$/.test(header)) return "missing";
  if (header.length > 1024) return "malformed";
  const m = /^([^ ]*) ([\s\S]*)$/.exec(header);
  if (!m) return "malformed";
  const scheme = m[1]!;
  const rest = m[2]!.replace(/^\s+|\s+$/g, "");
  if (/^bearer$/i.test(scheme)) return rest !== "" && !/\s/.test(rest) ? { token: rest, username: null } : "malformed";
  if (!/^basic$/i.test(scheme)) return "malformed";
  const decoded = oracleAtob(rest);
  if (decoded === null || !decoded.includes(":")) return "malformed";
  const colon = decoded.indexOf(":");
  const username = decoded.slice(0, colon);
  return { token: decoded.slice(colon + 1), username: username === "" ? null : username };
}

// ---------------------------------------------------------------------------------------------
// Unicode lookalikes: characters people (and some normalisers) read as ASCII token characters.

/** Lookalikes per ASCII character: Cyrillic, Greek, fullwidth, mathematical, compatibility forms. */
export const LOOKALIKES: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, string[]> = {};
  const add = (ascii: string, ...forms: string[]) => (table[ascii] ??= []).push(...forms);
  const cyrillic: Record<string, string> = {
    a: "\u0430", c: "\u0441", e: "\u0435", o: "\u043e", p: "\u0440", x: "\u0445", y: "\u0443", k: "\u043a",
    A: "\u0410", B: "\u0412", C: "\u0421", E: "\u0415", H: "\u041d", K: "\u041a", M: "\u041c", O: "\u041e",
    P: "\u0420", T: "\u0422", X: "\u0425",
  };
  const greek: Record<string, string> = {
    o: "\u03bf", a: "\u03b1", v: "\u03bd", A: "\u0391", B: "\u0392", E: "\u0395", Z: "\u0396", H: "\u0397",
    I: "\u0399", K: "\u039a", M: "\u039c", N: "\u039d", O: "\u039f", P: "\u03a1", T: "\u03a4", Y: "\u03a5", X: "\u03a7",
  };
  for (const [a, f] of Object.entries(cyrillic)) add(a, f);
  for (const [a, f] of Object.entries(greek)) add(a, f);
  for (let i = 0; i < 10; i++) {
    add(String(i), String.fromCodePoint(0xff10 + i), String.fromCodePoint(0x1d7ce + i), String.fromCodePoint(0x2080 + i));
  }
  for (let i = 0; i < 26; i++) {
    add(String.fromCharCode(65 + i), String.fromCodePoint(0xff21 + i), String.fromCodePoint(0x1d400 + i));
    add(String.fromCharCode(97 + i), String.fromCodePoint(0xff41 + i), String.fromCodePoint(0x1d41a + i));
    // A character whose low byte is the ASCII letter: catches any `charCodeAt(i) & 0xff` shortcut.
    add(String.fromCharCode(97 + i), String.fromCharCode(0x100 + 97 + i));
  }
  add("_", "\uff3f", "\u2017", "\u02cd");
  add("K", "\u212a");
  add("1", "\u00b9", "\u0661");
  add("2", "\u00b2");
  add("3", "\u00b3");
  add("a", "\u00aa", "\u0251");
  add("o", "\u00ba");
  return table;
})();

/** Invisible characters that survive copy and paste. */
export const INVISIBLES: readonly string[] = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"];

/** Combining marks. */
export const COMBINING: readonly string[] = ["\u0301", "\u0300", "\u0308", "\u0338", "\u20dd", "\u034f"];

const BASE62_CHARS = [...BASE62];

const splice = (t: string, i: number, remove: number, insert: string) => t.slice(0, i) + insert + t.slice(i + remove);

/** One hostile edit of a valid token: lookalikes, invisibles, combining marks, case, edits, prefixes, framing, NFD. */
export const mutation = (t: string): fc.Arbitrary<string> =>
  fc.record({ i: fc.integer({ min: 0, max: t.length - 1 }), pick: fc.nat(), ch: fc.constantFrom(...BASE62_CHARS) }).chain(({ i, pick, ch }) => {
    const c = t[i]!;
    const looks = LOOKALIKES[c] ?? [];
    return fc.constantFrom(
      looks.length > 0 ? splice(t, i, 1, looks[pick % looks.length]!) : splice(t, i, 1, "\u0430"),
      splice(t, i, 0, INVISIBLES[pick % INVISIBLES.length]!),
      splice(t, i + 1, 0, COMBINING[pick % COMBINING.length]!),
      splice(t, i, 1, c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()),
      splice(t, i, 1, ch),
      splice(t, i, 1, ""),
      splice(t, i, 0, ch),
      splice(t, i, 2, `${t[i + 1] ?? ""}${c}`),
      t.slice(0, i),
      `${t}${ch}`,
      t.replace(/^kc_/, ["KC_", "Kc_", "kc-", "kc_kc_", "\uff4b\uff43\uff3f", " kc_", "kc_\u00a0", "kc__", "kc"][pick % 9]!),
      [` ${t}`, `${t} `, `${t}\n`, `${t}\r\n`, `${t}\u0000`, `\u0000${t}`, `"${t}"`, `${t};`][pick % 8]!,
      [...t].map((x) => String.fromCodePoint((x.codePointAt(0)! - 0x21 + 0xff01) >>> 0)).join(""),
      t.normalize("NFD"),
    );
  });


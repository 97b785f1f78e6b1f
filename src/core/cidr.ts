/**
 * Client addresses and `conditions.allowedSubnets` rules (DESIGN §1). Parsing is strict, rules are
 * compiled once into plain arrays of numbers, and a membership test costs one `&` and `===` per
 * 32-bit word, because it runs on every authorize request.
 *
 * IPv4-mapped client addresses (`::ffff:a.b.c.d`) are normalised to IPv4 by {@link parseIp}, so
 * they are matched against IPv4 rules only. IPv6 rules never match an IPv4 client: not even `::/0`
 * does, so allowing everyone takes both `0.0.0.0/0` and `::/0`.
 */
import ipaddr from "ipaddr.js";
import { err, ok, type Result } from "./result.ts";

/** Why a text is not an acceptable address or rule. The message quotes the input and says how to fix it. */
export type CidrError = { code: "invalid_ip" | "invalid_cidr" | "cidr_host_bits"; message: string };

/**
 * An address as plain data: big-endian unsigned 32-bit `words`, one for IPv4 and four for IPv6.
 * Values from {@link parseIp} never hold an IPv4-mapped IPv6 address.
 */
export type IpAddress =
  | { readonly family: 4; readonly words: readonly [number] }
  | { readonly family: 6; readonly words: readonly [number, number, number, number] };

/** One CIDR rule: its network address (host bits all clear) and its prefix length. */
export type Cidr = { readonly network: IpAddress; readonly prefix: number };

/**
 * Compiled rules, safe to store as JSON. `v4` is a flat list of `[network, mask]` pairs and `v6` of
 * `[n0, n1, n2, n3, m0, m1, m2, m3]` groups, as signed 32-bit integers (what `&` yields). Build it
 * with {@link compileCidrs} only; the layout may change.
 */
export type CidrSet = { readonly v4: readonly number[]; readonly v6: readonly number[] };

type Words6 = [number, number, number, number];

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const MAPPED_BITS = 96;
const QUOTE_LIMIT = 64;

const quote = (text: string): string =>
  JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);
const cidrError = (message: string): CidrError => ({ code: "invalid_cidr", message });
const isMapped = (words: readonly number[]): boolean => words[0] === 0 && words[1] === 0 && words[2] === 0xffff;

function parseV4(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** RFC 4291 §2.2 hex forms: groups of 1–4 hex digits, eight of them, or at most seven around one `::`. */
function isWellFormedHex(text: string): boolean {
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/**
 * ipaddr.js alone would accept zone ids, hex and octal octets in a dotted tail, and would turn the
 * IPv4-compatible `::a.b.c.d` into `::ffff:a.b.c.d`; so the tail is parsed strictly here and rewritten
 * as two hex groups, and the grammar is checked before ipaddr.js reads the groups.
 */
function parseV6(text: string): Words6 | null {
  let hex = text;
  if (text.includes(".")) {
    const colon = text.lastIndexOf(":");
    const tail = parseV4(text.slice(colon + 1));
    if (tail === null) return null;
    hex = `${text.slice(0, colon + 1)}${(tail >>> 16).toString(16)}:${(tail & 0xffff).toString(16)}`;
  }
  if (!isWellFormedHex(hex) || !ipaddr.IPv6.isValid(hex)) return null;
  const parts = ipaddr.IPv6.parse(hex).parts;
  const word = (i: number): number => ((parts[2 * i]! << 16) | parts[2 * i + 1]!) >>> 0;
  return [word(0), word(1), word(2), word(3)];
}

/** Parses an address as written, without mapping `::ffff:a.b.c.d` to IPv4. */
function parseAsWritten(text: string): IpAddress | null {
  if (!text.includes(":")) {
    const word = parseV4(text);
    return word === null ? null : { family: 4, words: [word] };
  }
  const words = parseV6(text);
  return words === null ? null : { family: 6, words };
}

function normalise(ip: IpAddress): IpAddress {
  return ip.family === 6 && isMapped(ip.words) ? { family: 4, words: [ip.words[3]] } : ip;
}

function explainBadIp(text: string): string {
  const shown = quote(text);
  if (text === "") return "the IP address is empty";
  if (/\s/.test(text)) return `${shown} contains whitespace; give the bare address`;
  if (text.includes("%")) return `${shown} has a zone id ("%…"), which is not allowed; give the bare address`;
  if (/[[\]]/.test(text) || /^[0-9.]+:[0-9]+$/.test(text)) {
    return `${shown} has brackets or a port; give the bare address`;
  }
  if (/^[0-9.]+$/.test(text)) {
    return /(^|\.)0[0-9]/.test(text)
      ? `${shown} has an octet with a leading zero, which is ambiguous (octal?); write each octet in plain decimal`
      : `${shown} is not an IPv4 address: it needs exactly four decimal octets, each 0–255`;
  }
  return `${shown} is not an IPv4 address (like 192.0.2.1) or an IPv6 address (like 2001:db8::1)`;
}

/** Per-word masks for a prefix, as signed 32-bit integers. */
function masksFor(prefix: number, wordCount: number): number[] {
  return Array.from({ length: wordCount }, (_, i) => {
    const bits = Math.min(32, Math.max(0, prefix - 32 * i));
    return bits === 0 ? 0 : -1 << (32 - bits);
  });
}

function withMask(ip: IpAddress, prefix: number): IpAddress {
  const masks = masksFor(prefix, ip.words.length);
  const word = (i: number): number => (ip.words[i]! & masks[i]!) >>> 0;
  return ip.family === 4 ? { family: 4, words: [word(0)] } : { family: 6, words: [word(0), word(1), word(2), word(3)] };
}

/**
 * Parses a client address strictly. IPv4 is a dotted quad of decimal octets 0–255 with no leading
 * zeros; IPv6 is any RFC 4291 text form (`::`, compressed, a dotted-quad tail), in any case. Zone
 * ids, brackets, ports, whitespace and the legacy IPv4 forms (`127.1`, `0x7f.0.0.1`) are rejected.
 * An IPv4-mapped address (`::ffff:a.b.c.d`) becomes IPv4; an IPv4-compatible one (`::a.b.c.d`) stays IPv6.
 */
export function parseIp(text: string): Result<IpAddress, CidrError> {
  const ip = parseAsWritten(text);
  return ip === null ? err({ code: "invalid_ip", message: explainBadIp(text) }) : ok(normalise(ip));
}

/**
 * Parses a rule `address/prefix`. The prefix is required (a single host is `/32` or `/128`), is
 * decimal with no sign or leading zeros, and is at most 32 (IPv4) or 128 (IPv6). Host bits must be
 * clear (`cidr_host_bits`, with the network the user probably meant).
 *
 * An IPv6 rule inside `::ffff:0:0/96`, such as `::ffff:10.0.0.0/104`, is rejected with the IPv4 rule
 * to write instead (`10.0.0.0/8`): mapped clients are matched as IPv4, so such a rule could never
 * match, and an IPv4 rule has exactly one spelling.
 */
export function parseCidr(text: string): Result<Cidr, CidrError> {
  const shown = quote(text);
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAsWritten(addressText);
  if (address === null) return err(cidrError(`${shown} is not a CIDR: ${explainBadIp(addressText)}`));
  if (slash === -1) {
    const host = normalise(address);
    const single = `${formatIp(host)}/${host.family === 4 ? 32 : 128}`;
    return err(cidrError(`${shown} has no prefix length; for a single host write "${single}"`));
  }
  const prefixText = text.slice(slash + 1);
  const bits = address.family === 4 ? 32 : 128;
  if (!DECIMAL.test(prefixText)) {
    return err(cidrError(`${shown}: the prefix length must be a decimal number with no sign or leading zeros`));
  }
  const prefix = Number(prefixText);
  if (prefix > bits) {
    return err(cidrError(`${shown}: the prefix length must be 0–${bits} for an IPv${address.family} address`));
  }
  if (address.family === 6 && prefix >= MAPPED_BITS && isMapped(address.words)) {
    const v4 = withMask(normalise(address), prefix - MAPPED_BITS);
    const rule = `${formatIp(v4)}/${prefix - MAPPED_BITS}`;
    const message = `${shown} is an IPv4-mapped range; IPv4 clients are matched by IPv4 rules, so write "${rule}"`;
    return err(cidrError(message));
  }
  const network = withMask(address, prefix);
  if (network.words.some((word, i) => word !== address.words[i])) {
    const meant = `${formatIp(network)}/${prefix}`;
    return err({ code: "cidr_host_bits", message: `${shown} has host bits set; did you mean "${meant}"?` });
  }
  return ok({ network, prefix });
}

/**
 * Compiles `allowedSubnets` once, when a policy is written or loaded. Fails on the first bad rule,
 * with its index. The result is plain JSON-safe data for {@link cidrSetContains}.
 */
export function compileCidrs(rules: readonly string[]): Result<CidrSet, { index: number; error: CidrError }> {
  const v4: number[] = [];
  const v6: number[] = [];
  for (const [index, rule] of rules.entries()) {
    const parsed = parseCidr(rule);
    if (!parsed.ok) return err({ index, error: parsed.error });
    const { network, prefix } = parsed.value;
    const target = network.family === 4 ? v4 : v6;
    target.push(...network.words.map((word) => word | 0), ...masksFor(prefix, network.words.length));
  }
  return ok({ v4, v6 });
}

/**
 * Whether any rule of the set contains the address. IPv4 addresses are checked against IPv4 rules and
 * IPv6 against IPv6 only. An empty set contains nothing; what "no rules" means is the caller's call.
 */
export function cidrSetContains(set: CidrSet, ip: IpAddress): boolean {
  if (ip.family === 4) {
    const a = ip.words[0];
    const rules = set.v4;
    for (let i = 0; i < rules.length; i += 2) if ((a & rules[i + 1]!) === rules[i]) return true;
    return false;
  }
  const [a, b, c, d] = ip.words;
  const rules = set.v6;
  for (let i = 0; i < rules.length; i += 8) {
    if (
      (a & rules[i + 4]!) === rules[i] &&
      (b & rules[i + 5]!) === rules[i + 1] &&
      (c & rules[i + 6]!) === rules[i + 2] &&
      (d & rules[i + 7]!) === rules[i + 3]
    ) {
      return true;
    }
  }
  return false;
}

/** Canonical text: a dotted quad for IPv4, RFC 5952 (lowercase, longest zero run as `::`) for IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const w = ip.words[0];
    return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
  }
  return new ipaddr.IPv6(ip.words.flatMap((word) => [word >>> 16, word & 0xffff])).toRFC5952String();
}

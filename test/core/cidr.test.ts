import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cidrSetContains,
  compileCidrs,
  formatIp,
  parseCidr,
  parseIp,
  type CidrSet,
  type IpAddress,
} from "../../src/core/cidr.ts";

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};

const compile = (rules: readonly string[]): CidrSet => {
  const compiled = compileCidrs(rules);
  if (!compiled.ok) throw new Error(compiled.error.error.message);
  return compiled.value;
};

describe("parseIp", () => {
  it.each([
    ["192.0.2.1", 4, "192.0.2.1", "a dotted quad"],
    ["0.0.0.0", 4, "0.0.0.0", "the all-zeros IPv4 address"],
    ["255.255.255.255", 4, "255.255.255.255", "the broadcast address"],
    ["::", 6, "::", "the unspecified IPv6 address"],
    ["::1", 6, "::1", "IPv6 loopback"],
    ["2001:DB8::1", 6, "2001:db8::1", "upper-case hex, printed lower-case"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", 6, "2001:db8::1", "the full form with zero-padded groups"],
    ["1:2:3:4:5:6:7::", 6, "1:2:3:4:5:6:7:0", "a :: that stands for one group"],
    ["1:0:0:1:0:0:0:1", 6, "1:0:0:1::1", "the longest zero run compressed (RFC 5952)"],
    ["1:0:0:2:0:0:3:4", 6, "1::2:0:0:3:4", "the first of two equal zero runs compressed"],
    ["2001:db8:0:1:1:1:1:1", 6, "2001:db8:0:1:1:1:1:1", "a single zero group left alone"],
    ["::ffff:192.0.2.1", 4, "192.0.2.1", "an IPv4-mapped address, as IPv4"],
    ["::FFFF:c000:201", 4, "192.0.2.1", "an IPv4-mapped address written in hex, as IPv4"],
    ["::192.0.2.1", 6, "::c000:201", "an IPv4-compatible address, which stays IPv6"],
    ["64:ff9b::192.0.2.1", 6, "64:ff9b::c000:201", "a NAT64 address with a dotted-quad tail"],
    ["1:2:3:4:5:6:1.2.3.4", 6, "1:2:3:4:5:6:102:304", "six groups and a dotted-quad tail"],
  ] as const)("accepts %s as IPv%d %s: %s", (text, family, canonical, _why) => {
    const parsed = ip(text);
    expect(parsed.family).toBe(family);
    expect(formatIp(parsed)).toBe(canonical);
  });

  it.each([
    ["010.0.0.1", "octets with leading zeros are ambiguous", /leading zero/],
    ["1.2.3", "an IPv4 address needs four octets", /four decimal octets/],
    ["127.1", "shorthand IPv4 forms are not accepted", /four decimal octets/],
    ["0x7f.0.0.1", "hex octets are not accepted", /not an IPv4 address/],
    ["1.2.3.4.5", "five octets are one too many", /four decimal octets/],
    ["256.0.0.1", "octets stop at 255", /each 0–255/],
    [" 1.2.3.4", "leading whitespace is not trimmed", /whitespace/],
    ["1.2.3.4 ", "trailing whitespace is not trimmed", /whitespace/],
    ["1.2.3.4\n", "a trailing newline is not trimmed", /whitespace/],
    ["", "an empty string is no address", /empty/],
    ["fe80::1%eth0", "zone ids are not allowed", /zone id/],
    ["[::1]", "brackets are not part of the address", /brackets/],
    ["[::1]:443", "a bracketed address with a port is not an address", /brackets or a port/],
    ["192.0.2.1:443", "a port is not part of the address", /brackets or a port/],
    ["١٩٢.٠.٢.١", "Arabic-Indic digits are not decimal digits here", /not an IPv4 address/],
    ["１.２.３.４", "full-width digits are not decimal digits here", /not an IPv4 address/],
    ["::ffff:010.0.0.1", "a dotted-quad tail follows the IPv4 rules too", /not an IPv4 address/],
    ["::ffff:0x7f.0.0.1", "a dotted-quad tail cannot be hex", /not an IPv4 address/],
    ["::1.2.3", "a dotted-quad tail needs four octets", /not an IPv4 address/],
    ["1::2::3", "only one :: is allowed", /not an IPv4 address/],
    [":::", "three colons are not an address", /not an IPv4 address/],
    ["1:2:3:4:5:6:7:8:9", "nine groups are one too many", /not an IPv4 address/],
    ["1:2:3:4:5:6:7:8::", "a :: must stand for at least one group", /not an IPv4 address/],
    ["1:2:3", "three groups without :: are too few", /not an IPv4 address/],
    [":1:2:3:4:5:6:7:8", "a single leading colon is not allowed", /not an IPv4 address/],
    ["12345::", "a group has at most four hex digits", /not an IPv4 address/],
    ["g::1", "g is not a hex digit", /not an IPv4 address/],
    ["1:2:3:4:5:6:7:1.2.3.4", "seven groups and a dotted-quad tail are too many", /not an IPv4 address/],
    ["1.2.3.4::", "a dotted quad must come last", /not an IPv4 address/],
  ])("rejects %j: %s", (text, _why, message) => {
    const parsed = parseIp(text);
    expect(parsed).toMatchObject({ ok: false, error: { code: "invalid_ip" } });
    if (!parsed.ok) expect(parsed.error.message).toMatch(message);
  });

  it("quotes long input only in part, so a hostile value cannot flood the logs", () => {
    const parsed = parseIp("1".repeat(10_000));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message.length).toBeLessThan(200);
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0", 8],
    ["0.0.0.0/0", "0.0.0.0", 0],
    ["192.0.2.1/32", "192.0.2.1", 32],
    ["::/0", "::", 0],
    ["2001:DB8::/32", "2001:db8::", 32],
    ["2001:db8::1/128", "2001:db8::1", 128],
    ["::/96", "::", 96],
    ["fe80::/10", "fe80::", 10],
  ] as const)("accepts %s as network %s with prefix %d", (text, network, prefix) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(formatIp(parsed.value.network)).toBe(network);
      expect(parsed.value.prefix).toBe(prefix);
    }
  });

  it.each([
    ["10.0.0.1/8", "cidr_host_bits", "host bits are set", /has host bits set; did you mean "10\.0\.0\.0\/8"\?/],
    ["2001:db8::1/32", "cidr_host_bits", "IPv6 host bits are set", /did you mean "2001:db8::\/32"\?/],
    ["10.0.0.1", "invalid_cidr", "a bare IPv4 address needs /32", /no prefix length; .* write "10\.0\.0\.1\/32"/],
    ["2001:DB8::1", "invalid_cidr", "a bare IPv6 address needs /128", /for a single host write "2001:db8::1\/128"/],
    ["::ffff:10.0.0.1", "invalid_cidr", "a bare mapped address is an IPv4 host", /write "10\.0\.0\.1\/32"/],
    ["10.0.0.0/33", "invalid_cidr", "an IPv4 prefix stops at 32", /0–32 for an IPv4/],
    ["::/129", "invalid_cidr", "an IPv6 prefix stops at 128", /0–128 for an IPv6/],
    ["10.0.0.0/032", "invalid_cidr", "a prefix with a leading zero is ambiguous", /no sign or leading zeros/],
    ["10.0.0.0/-1", "invalid_cidr", "a negative prefix is no prefix", /no sign or leading zeros/],
    ["10.0.0.0/+8", "invalid_cidr", "a prefix takes no sign", /no sign or leading zeros/],
    ["10.0.0.0/0x8", "invalid_cidr", "a prefix is decimal", /decimal number/],
    ["10.0.0.0/8.0", "invalid_cidr", "a prefix is a whole number", /decimal number/],
    ["10.0.0.0/", "invalid_cidr", "the prefix cannot be empty", /decimal number/],
    ["10.0.0.0/٨", "invalid_cidr", "the prefix uses ASCII digits only", /decimal number/],
    ["10.0.0.0/8/8", "invalid_cidr", "there is one slash", /decimal number/],
    ["", "invalid_cidr", "an empty rule is no rule", /empty/],
    ["/8", "invalid_cidr", "the address is required", /empty/],
    ["1.2.3.4/32 ", "invalid_cidr", "trailing whitespace is not trimmed", /decimal number/],
    [" 1.2.3.4/32", "invalid_cidr", "leading whitespace is not trimmed", /whitespace/],
    ["١٠.0.0.0/8", "invalid_cidr", "the address uses ASCII digits only", /not an IPv4 address/],
    ["010.0.0.0/8", "invalid_cidr", "octets with leading zeros are ambiguous", /leading zero/],
    ["fe80::%eth0/64", "invalid_cidr", "zone ids are not allowed", /zone id/],
    ["[::1]/128", "invalid_cidr", "brackets are not part of the address", /brackets/],
    ["::ffff:10.0.0.0/104", "invalid_cidr", "an IPv4 rule is written as IPv4", /IPv4-mapped range; .* write "10\.0\.0\.0\/8"/],
    ["::ffff:a00:0/104", "invalid_cidr", "an IPv4-mapped rule in hex is written as IPv4", /write "10\.0\.0\.0\/8"/],
    ["::ffff:0:0/96", "invalid_cidr", "the whole mapped range is written 0.0.0.0/0", /write "0\.0\.0\.0\/0"/],
  ])("rejects %j with %s: %s", (text, code, _why, message) => {
    const parsed = parseCidr(text);
    expect(parsed).toMatchObject({ ok: false, error: { code } });
    if (!parsed.ok) expect(parsed.error.message).toMatch(message);
  });
});

describe("compileCidrs", () => {
  it("reports the index of the first bad rule", () => {
    expect(compileCidrs(["10.0.0.0/8", "2001:db8::/32", "10.0.0.1/8", "nope"])).toMatchObject({
      ok: false,
      error: { index: 2, error: { code: "cidr_host_bits" } },
    });
  });

  it("compiles to plain data that still matches after a JSON round trip", () => {
    const set = compile(["10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0"]);
    const stored: CidrSet = JSON.parse(JSON.stringify(set));
    expect(stored).toEqual(set);
    expect(cidrSetContains(stored, ip("2001:db8::7"))).toBe(true);
    expect(cidrSetContains(stored, ip("2001:db9::7"))).toBe(false);
  });
});

describe("cidrSetContains", () => {
  it.each([
    ["10.1.2.3", ["10.0.0.0/8"], true, "an IPv4 client inside an IPv4 range is allowed"],
    ["10.255.255.255", ["10.0.0.0/8"], true, "the last address of a range is allowed"],
    ["11.0.0.0", ["10.0.0.0/8"], false, "the first address after a range is denied"],
    ["192.0.2.1", ["192.0.2.1/32"], true, "a /32 allows its one host"],
    ["192.0.2.2", ["192.0.2.1/32"], false, "a /32 denies its neighbour"],
    ["::ffff:10.1.2.3", ["10.0.0.0/8"], true, "an IPv4-mapped client is matched against IPv4 rules"],
    ["::FFFF:a01:203", ["10.0.0.0/8"], true, "an IPv4-mapped client in hex is matched against IPv4 rules"],
    ["::ffff:11.0.0.1", ["10.0.0.0/8"], false, "an IPv4-mapped client outside the IPv4 range is denied"],
    ["::10.1.2.3", ["10.0.0.0/8"], false, "an IPv4-compatible client is IPv6 and misses IPv4 rules"],
    ["::10.1.2.3", ["::/96"], true, "an IPv4-compatible client matches the IPv6 rule that covers it"],
    ["2001:db8::1", ["2001:db8::1/128"], true, "a /128 allows its one host"],
    ["2001:DB8:0:0:0:0:0:1", ["2001:db8::1/128"], true, "a /128 allows its host however it is written"],
    ["2001:db8::2", ["2001:db8::1/128"], false, "a /128 denies its neighbour"],
    ["2001:db8:7fff::1", ["2001:db8::/33"], true, "a prefix that ends inside a 32-bit word allows inside"],
    ["2001:db8:8000::1", ["2001:db8::/33"], false, "a prefix that ends inside a 32-bit word denies outside"],
    ["fe80::1", ["fe80::/10"], true, "link-local is inside fe80::/10"],
    ["fec0::1", ["fe80::/10"], false, "site-local is outside fe80::/10"],
    ["203.0.113.9", ["0.0.0.0/0"], true, "0.0.0.0/0 allows every IPv4 client"],
    ["2001:db8::1", ["0.0.0.0/0"], false, "0.0.0.0/0 allows no IPv6 client"],
    ["2001:db8::1", ["::/0"], true, "::/0 allows every IPv6 client"],
    ["203.0.113.9", ["::/0"], false, "an IPv4 client never matches an IPv6 rule, not even ::/0"],
    ["::ffff:203.0.113.9", ["::/0"], false, "an IPv4-mapped client is IPv4, so ::/0 does not allow it"],
    ["203.0.113.9", ["::/96"], false, "an IPv4 client does not match the IPv4-compatible IPv6 range"],
    ["10.0.0.1", ["192.168.0.0/16", "10.0.0.0/31"], true, "any matching rule allows"],
    ["2001:db8::1", ["10.0.0.0/8", "2001:db8::/32"], true, "any matching rule of either family allows"],
    ["10.0.0.1", [], false, "an empty set contains nothing"],
    ["::1", [], false, "an empty set contains no IPv6 address either"],
  ] as const)("%s in %j is %s: %s", (client, rules, expected, _why) => {
    expect(cidrSetContains(compile(rules), ip(client))).toBe(expected);
  });
});

type Family = 4 | 6;
type RefAddress = { family: Family; value: bigint };
type RefRule = RefAddress & { prefix: number };

const BITS = { 4: 32, 6: 128 } as const;
const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;
const MAPPED = 0xffffn << 32n;

const isMappedValue = (value: bigint): boolean => value >> 32n === 0xffffn;
const refNormalise = (a: RefAddress): RefAddress =>
  a.family === 6 && isMappedValue(a.value) ? { family: 4, value: a.value & V4_MAX } : a;
const refMask = (family: Family, prefix: number): bigint => {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};
const refContains = (rules: readonly RefRule[], client: RefAddress): boolean =>
  rules.some((r) => r.family === client.family && (client.value & refMask(r.family, r.prefix)) === r.value);
const refText = ({ family, value }: RefAddress): string =>
  family === 4
    ? [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 0xffn).join(".")
    : Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
const ruleText = (rule: RefRule): string => `${refText(rule)}/${rule.prefix}`;
const isMappedRule = (rule: RefRule): boolean => rule.family === 6 && rule.prefix >= 96 && isMappedValue(rule.value);

const v4Value = fc.bigInt({ min: 0n, max: V4_MAX });
const v6Value = fc.oneof(fc.bigInt({ min: 0n, max: V6_MAX }), v4Value.map((v) => MAPPED | v));
const clientArb: fc.Arbitrary<RefAddress> = fc.oneof(
  v4Value.map((value) => ({ family: 4 as const, value })),
  v6Value.map((value) => ({ family: 6 as const, value })),
);
const ruleNear = (client: RefAddress): fc.Arbitrary<RefRule> =>
  fc
    .record({
      family: fc.constantFrom<Family>(4, 6),
      prefix: fc.nat(128),
      flip: fc.option(fc.nat(127)),
      random: fc.bigInt({ min: 0n, max: V6_MAX }),
    })
    .map(({ family, prefix, flip, random }) => {
      const bits = BITS[family];
      const p = prefix % (bits + 1);
      const source = family === client.family ? client.value : random & ((1n << BigInt(bits)) - 1n);
      const base = flip === null ? source : source ^ (1n << BigInt(flip % bits));
      return { family, prefix: p, value: base & refMask(family, p) };
    })
    .filter((rule) => !isMappedRule(rule));
const ruleArb: fc.Arbitrary<RefRule> = fc
  .constantFrom<Family>(4, 6)
  .chain((family) =>
    fc.record({
      family: fc.constant(family),
      value: family === 4 ? v4Value : v6Value,
      prefix: fc.nat(BITS[family]),
    }),
  )
  .map((r) => ({ ...r, value: r.value & refMask(r.family, r.prefix) }))
  .filter((rule) => !isMappedRule(rule));

describe("properties", () => {
  it("matches exactly like a BigInt reference, for random v4 and v6 clients and rules", () => {
    const scenario = clientArb.chain((client) =>
      fc.tuple(fc.constant(client), fc.array(ruleNear(refNormalise(client)), { maxLength: 4 })),
    );
    fc.assert(
      fc.property(scenario, ([client, rules]) => {
        const set = compile(rules.map(ruleText));
        const expected = refContains(rules, refNormalise(client));
        expect(cidrSetContains(set, ip(refText(client)))).toBe(expected);
        expect(cidrSetContains(JSON.parse(JSON.stringify(set)), ip(refText(client)))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("prints canonical text that parses back to the same address", () => {
    const spelling = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV6().map((text) => text.toUpperCase()),
      clientArb.map(refText),
    );
    fc.assert(
      fc.property(spelling, (text) => {
        const address = ip(text);
        const canonical = formatIp(address);
        expect(ip(canonical)).toEqual(address);
        expect(formatIp(ip(canonical))).toBe(canonical);
        if (address.family === 6) expect(`[${canonical}]`).toBe(new URL(`http://[${text}]/`).hostname);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts only strict dotted quads among the legacy IPv4 spellings", () => {
    const strict = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;
    fc.assert(
      fc.property(fc.ipV4Extended(), (text) => {
        const expected = strict.test(text) && text.split(".").every((octet) => Number(octet) <= 255);
        expect(parseIp(text).ok).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("contains the network and last address of every valid rule, and not the addresses just outside", () => {
    fc.assert(
      fc.property(ruleArb, (rule) => {
        const set = compile([ruleText(rule)]);
        const max = rule.family === 4 ? V4_MAX : V6_MAX;
        const last = rule.value | (max ^ refMask(rule.family, rule.prefix));
        // A mapped address is an IPv4 client (DESIGN §1), so no IPv6 rule holds it.
        const inside = (value: bigint) => rule.family === 4 || !isMappedValue(value);
        const contains = (value: bigint) => cidrSetContains(set, ip(refText({ family: rule.family, value })));
        expect(contains(rule.value)).toBe(inside(rule.value));
        expect(contains(last)).toBe(inside(last));
        if (rule.value > 0n) expect(contains(rule.value - 1n)).toBe(false);
        if (last < max) expect(contains(last + 1n)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on arbitrary text, and explains every rejection", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.ipV6().map((s) => `${s}/${s}`)), (text) => {
        for (const parsed of [parseIp(text), parseCidr(text)]) {
          if (!parsed.ok) expect(parsed.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

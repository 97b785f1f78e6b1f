/**
 * Hostile client addresses and CIDR rules against a BigInt oracle (issue #7, item 8): legacy IPv4
 * forms (octal, hex, short, integer), IPv4-mapped and IPv4-compatible IPv6, zone ids, brackets, ports,
 * whitespace, Unicode digits. Keycard must agree with the oracle on every input: no wrong parse (a
 * wrong parse is a wrong allow), no crash.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrSetContains, compileCidrs, formatIp, parseCidr, parseIp } from "../../src/core/cidr.ts";
import {
  oracleCidr,
  oracleContains,
  oracleFormatIp,
  oracleIp,
  wordsToBigInt,
  type OracleCidr,
  type OracleIp,
} from "./hostile-oracle.ts";

/** Generated cases per property; their sum is reported in the issue. */
export const RUNS = { v4: 1500, v6: 1500, soup: 1000, cidr: 1500, lists: 300, contains: 1500 } as const;

const U32 = 0xffffffffn;
const U128 = (1n << 128n) - 1n;

// ---- rendering addresses in every spelling, valid or not ----------------------------------------

const octets = (v: bigint) => [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn));
const dotted = (v: bigint) => octets(v).join(".");

/** The legacy inet_aton spellings of an IPv4 address, which Keycard must refuse (or read as written). */
const legacyV4 = (v: bigint): fc.Arbitrary<string> => {
  const [a, b, c, d] = octets(v) as [number, number, number, number];
  const low24 = Number(v & 0xffffffn);
  const low16 = Number(v & 0xffffn);
  return fc.constantFrom(
    octets(v).map((o) => (o === 0 ? "0" : `0${o.toString(8)}`)).join("."),
    octets(v).map((o) => `0x${o.toString(16)}`).join("."),
    octets(v).map((o) => `0X${o.toString(16).toUpperCase().padStart(2, "0")}`).join("."),
    `${a}.${b}.${low16}`,
    `${a}.${low24}`,
    `0x${a.toString(16)}.${low24}`,
    String(v),
    `0x${v.toString(16)}`,
    `0${v.toString(8)}`,
    octets(v).map((o) => String(o).padStart(3, "0")).join("."),
    `${a}.${b}.${c}.0${d}`,
    `${dotted(v)}.`,
    `.${dotted(v)}`,
    `${dotted(v)}.0`,
    `${a}.${b}.${c}.${d + 256}`,
    `${a}..${c}.${d}`,
    `+${dotted(v)}`,
    `${dotted(v)}/32`,
    `${dotted(v)}:443`,
    `[${dotted(v)}]`,
    `${dotted(v)}%eth0`,
    ` ${dotted(v)}`,
    `${dotted(v)}\n`,
    `${dotted(v)}\u0000`,
    dotted(v).replace(/[0-9]/g, (n) => String.fromCodePoint(0xff10 + Number(n))),
    dotted(v).replace(/[0-9]/g, (n) => String.fromCodePoint(0x0660 + Number(n))),
    dotted(v).replace(/\./g, "\u3002"),
    `${a}.${b}.${c}.${d}e0`,
    `${a}.${b}.${c}.${d}.${d}`,
  );
};

const WELL_KNOWN_V4 = [
  "0177.0.0.1", "0x7f.1", "127.1", "2130706433", "0x7f000001", "017700000001", "127.0.0.1.", "0127.0.0.1",
  "127.000.000.001", "0x7F.0.0.1", "127.0.1", "0", "0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3", "01.2.3.4",
  "10.0.0.010", "4294967295", "4294967296", "0xffffffff", "1.1.1.1 ", "\t10.0.0.1", "10.0.0.1\r\n",
];

const v6Value = fc.oneof(
  fc.bigInt({ min: 0n, max: U128 }),
  fc
    .array(fc.oneof(fc.constant(0n), fc.constant(0xffffn), fc.bigInt({ min: 0n, max: 0xffffn })), { minLength: 8, maxLength: 8 })
    .map((gs) => gs.reduce((acc, g) => (acc << 16n) | g, 0n)),
  fc.bigInt({ min: 0n, max: U32 }).map((v) => (0xffffn << 32n) | v),
  fc.bigInt({ min: 0n, max: U32 }),
  fc.bigInt({ min: 0n, max: 0xffffn }).map((v) => (0xfe80n << 112n) | v),
);

const groupsOf = (v: bigint) => Array.from({ length: 8 }, (_, i) => (v >> BigInt(112 - 16 * i)) & 0xffffn);

/** Valid and invalid text forms of an IPv6 value. */
const v6Text = (v: bigint): fc.Arbitrary<string> =>
  fc
    .record({
      pad: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 8 }),
      upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      cut: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })),
      tail: fc.boolean(),
      mutation: fc.constantFrom(
        "none", "none", "none", "none", "zone", "zone25", "bracket", "port", "space", "triple", "extra", "missing",
        "five", "legacy-tail", "short-tail", "fullwidth", "double-gap", "trailing", "leading", "upper-x",
      ),
    })
    .map(({ pad, upper, cut, tail, mutation }) => {
      const gs = groupsOf(v).map((g, i) => {
        const hex = g.toString(16).padStart(Math.max(pad[i]!, 1), "0").slice(-Math.max(pad[i]!, g.toString(16).length));
        return upper[i] ? hex.toUpperCase() : hex;
      });
      let parts = gs.slice();
      if (tail) parts = [...parts.slice(0, 6), dotted(v & U32)];
      const [from, to] = cut[0] <= cut[1] ? cut : [cut[1], cut[0]];
      const last = tail ? 6 : 8;
      const zeroRun = parts.slice(from, Math.min(to, last)).every((g) => /^0+$/.test(g));
      let text = parts.join(":");
      if (to > from && to <= last && zeroRun) text = `${parts.slice(0, from).join(":")}::${parts.slice(to).join(":")}`;
      switch (mutation) {
        case "zone": return `${text}%eth0`;
        case "zone25": return `${text}%25en0`;
        case "bracket": return `[${text}]`;
        case "port": return `[${text}]:8080`;
        case "space": return `${text} `;
        case "triple": return text.replace("::", ":::").replace(/^([^:]*):/, "$1:::");
        case "extra": return `${text}:1`;
        case "missing": return text.split(":").slice(1).join(":");
        case "five": return text.replace(/[0-9a-fA-F]+/, (g) => `1${g.padStart(4, "0")}`);
        case "legacy-tail": return `${parts.slice(0, 6).join(":")}:0${Number((v >> 24n) & 0xffn).toString(8)}.1.2.3`;
        case "short-tail": return `${parts.slice(0, 6).join(":")}:${Number((v >> 24n) & 0xffn)}.1`;
        case "fullwidth": return text.replace(/:/g, "\uff1a");
        case "double-gap": return `${text}::`.replace(/::(.*)::$/, "::$1::");
        case "trailing": return `${text}:`;
        case "leading": return `:${text}`;
        case "upper-x": return `0x${text}`;
        default: return text;
      }
    });

const WELL_KNOWN_V6 = [
  "::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:127.0.0.1", "::FFFF:10.0.0.1", "::127.0.0.1", "::7f00:1",
  "::ffff:0177.0.0.1", "::ffff:127.1", "::ffff:0x7f.0.0.1", "::ffff:2130706433", "fe80::1%eth0", "fe80::1%25eth0",
  "fe80::1%1", "[::1]", "[::1]:80", "::1", "::", ":::", "1::2::3", "::ffff:1.2.3.4:80", "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
  "::0:ffff:1.2.3.4", "64:ff9b::1.2.3.4", "2001:db8::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
  "02001:db8::1", "2001:db8::1 ", "2001:db8::g", "::ffff:", "::ffff:1.2.3", "1.2.3.4::", "::1.2.3.4.5",
];

// ---- the properties -----------------------------------------------------------------------------

function agreesOnAddress(text: string): void {
  const got = parseIp(text);
  const want = oracleIp(text);
  expect({ text, ok: got.ok }).toEqual({ text, ok: want !== null });
  if (!got.ok) {
    expect(got.error.code).toBe("invalid_ip");
    return;
  }
  const w = want!;
  expect({ text, family: got.value.family, value: wordsToBigInt(got.value.words) }).toEqual({ text, family: w.family, value: w.value });
  expect(formatIp(got.value)).toBe(oracleFormatIp(w));
  const again = parseIp(formatIp(got.value));
  expect(again.ok && wordsToBigInt(again.value.words) === w.value && again.value.family === w.family).toBe(true);
}

describe("the oracle itself", () => {
  it.each([
    ["10.1.2.3", "10.1.2.3"], ["::ffff:7f00:1", "127.0.0.1"], ["::FFFF:10.0.0.1", "10.0.0.1"], ["::7f00:1", "::7f00:1"],
    ["::127.0.0.1", "::7f00:1"], ["2001:0DB8:0:0:0:0:0:1", "2001:db8::1"], ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
    ["1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"], ["::", "::"], ["0177.0.0.1", null], ["127.1", null], ["fe80::1%eth0", null],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"], ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
  ])("reads %j as %j", (text, canonical) => {
    const ip = oracleIp(text);
    expect(ip === null ? null : oracleFormatIp(ip)).toBe(canonical);
  });
});

/** Guards against a vacuous run: a generator must produce plenty of inputs on both sides of the oracle. */
function expectBothSides(arb: fc.Arbitrary<string>, valid: (text: string) => boolean, share = 0.15): void {
  const sample = fc.sample(arb, { numRuns: 1000, seed: 7 });
  const good = sample.filter(valid).length;
  expect(good / sample.length).toBeGreaterThan(share);
  expect((sample.length - good) / sample.length).toBeGreaterThan(share);
}

const v4Texts = fc.bigInt({ min: 0n, max: U32 }).chain((v) => fc.oneof(fc.constant(dotted(v)), legacyV4(v), fc.constantFrom(...WELL_KNOWN_V4)));
const v6Texts = fc.oneof(v6Value.chain(v6Text), fc.constantFrom(...WELL_KNOWN_V6));

describe("client addresses agree with the oracle", () => {
  it("the generators produce both valid and invalid addresses", () => {
    expectBothSides(v4Texts, (t) => oracleIp(t) !== null);
    expectBothSides(v6Texts, (t) => oracleIp(t) !== null);
    const mapped = fc.sample(v6Texts, { numRuns: 1000, seed: 7 }).filter((t) => oracleIp(t)?.family === 4).length;
    expect(mapped).toBeGreaterThan(50);
  });

  it("IPv4: canonical dotted quads parse to their value; octal, hex, short and integer forms never do", () => {
    fc.assert(fc.property(v4Texts, agreesOnAddress), { numRuns: RUNS.v4 });
  });

  it("IPv6: every RFC 4291 spelling parses to its value, mapped becomes IPv4, compatible stays IPv6, zone ids never parse", () => {
    fc.assert(fc.property(v6Texts, agreesOnAddress), { numRuns: RUNS.v6 });
  });

  it("character soup of digits, dots, colons, hex, x, %, brackets, spaces and Unicode never parses wrongly or throws", () => {
    const unit = fc.constantFrom(..."0123456789abcdefABCDEFxX.:%[]/ \t\n", "ffff", "::", "\u0660", "\uff11", "\u00a0", "\u200b");
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }).map((u) => u.join("")), agreesOnAddress), { numRuns: RUNS.soup });
  });

  it.each([
    ["0177.0.0.1"], ["0x7f.1"], ["127.1"], ["2130706433"], ["fe80::1%eth0"], ["[::1]"], ["::ffff:127.1"],
  ])("refuses %j outright", (text) => {
    expect(parseIp(text).ok).toBe(false);
  });

  it("reads ::ffff:a.b.c.d as IPv4 and ::a.b.c.d as IPv6", () => {
    expect(parseIp("::ffff:10.1.2.3")).toEqual({ ok: true, value: { family: 4, words: [0x0a010203] } });
    expect(parseIp("::10.1.2.3")).toMatchObject({ ok: true, value: { family: 6 } });
  });
});

// ---- rules --------------------------------------------------------------------------------------

const ruleFor = (family: 4 | 6) =>
  fc
    .record({
      value: family === 4 ? fc.bigInt({ min: 0n, max: U32 }) : v6Value,
      prefix: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
      masked: fc.constantFrom(true, true, true, false),
    })
    .map(({ value, prefix, masked }): OracleCidr => {
      const bits = family === 4 ? 32 : 128;
      const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
      return { family, network: masked ? value & mask : value, prefix };
    });

const renderAddress = (ip: OracleIp): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(oracleFormatIp(ip)) },
    { weight: 2, arbitrary: ip.family === 4 ? legacyV4(ip.value) : v6Text(ip.value) },
  );

const BAD_PREFIX = (p: number) => [`0${p}`, `+${p}`, ` ${p}`, `${p} `, `${p}/${p}`, "", `${p + 200}`, `0x${p.toString(16)}`, String.fromCodePoint(0xff10 + (p % 10)), `${p}.0`];
const prefixText = (p: number) => fc.oneof({ weight: 4, arbitrary: fc.constant(`${p}`) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_PREFIX(p)) });

const ruleText = (family: 4 | 6) =>
  ruleFor(family).chain((r) =>
    fc.tuple(renderAddress({ family, value: r.network }), prefixText(r.prefix), fc.integer({ min: 0, max: 9 })).map(
      ([address, prefix, roll]) => (roll > 0 ? `${address}/${prefix}` : address),
    ),
  );

const WELL_KNOWN_RULES = [
  "::ffff:10.0.0.0/104", "::ffff:0:0/96", "::/0", "0.0.0.0/0", "10.0.0.1/8", "10.0.0.0/8", "010.0.0.0/8", "10/8",
  "10.0.0.0/33", "::/129", "fe80::%eth0/64", "2001:db8::/32", "2001:db8::1/128", "10.0.0.0/-1", "10.0.0.0/", "/8",
  "::ffff:10.0.0.0/95", "::10.0.0.0/104", "1.2.3.4/32", "1.2.3.4/99999999999999999999",
];

function agreesOnRule(text: string): void {
  const got = parseCidr(text);
  const want = oracleCidr(text);
  if ("code" in want) {
    expect({ text, ok: got.ok }).toEqual({ text, ok: false });
    if (!got.ok) expect({ text, code: got.error.code }).toEqual({ text, code: want.code });
    return;
  }
  expect({ text, ok: got.ok }).toEqual({ text, ok: true });
  if (!got.ok) return;
  const { network, prefix } = got.value;
  expect({ text, family: network.family, network: wordsToBigInt(network.words), prefix }).toEqual({
    text, family: want.family, network: want.network, prefix: want.prefix,
  });
}

describe("allowedSubnets rules agree with the oracle", () => {
  it("the generators produce both valid and invalid rules", () => {
    expectBothSides(fc.oneof(ruleText(4), ruleText(6)), (t) => !("code" in oracleCidr(t)));
  });

  it("parseCidr accepts exactly the oracle's rules, with the oracle's network, prefix and error code", () => {
    const text = fc.oneof(ruleText(4), ruleText(6), fc.constantFrom(...WELL_KNOWN_RULES));
    fc.assert(fc.property(text, agreesOnRule), { numRuns: RUNS.cidr });
  });

  it("compileCidrs fails on the first rule the oracle refuses, with its index", () => {
    const lists = fc.array(fc.oneof(ruleText(4), ruleText(6), fc.constantFrom(...WELL_KNOWN_RULES)), { maxLength: 6 });
    fc.assert(
      fc.property(lists, (rules) => {
        const firstBad = rules.findIndex((r) => "code" in oracleCidr(r));
        const compiled = compileCidrs(rules);
        expect(compiled.ok ? -1 : compiled.error.index).toBe(firstBad);
      }),
      { numRuns: RUNS.lists },
    );
  });
});

describe("membership agrees with the oracle at every boundary", () => {
  const validRule = fc.oneof(ruleFor(4), ruleFor(6)).filter((r) => !("code" in oracleCidr(`${oracleFormatIp({ family: r.family, value: r.network })}/${r.prefix}`)));

  /** Addresses around each rule: first, last, one below, one above, one inside, and IPv4 spelled as IPv6. */
  const candidates = (rules: OracleCidr[]) =>
    fc.array(fc.bigInt({ min: 0n, max: U128 }), { minLength: 4, maxLength: 4 }).map((random) => {
      const out: string[] = [];
      for (const [i, r] of rules.entries()) {
        const bits = r.family === 4 ? 32 : 128;
        const top = (1n << BigInt(bits)) - 1n;
        const host = (1n << BigInt(bits - r.prefix)) - 1n;
        const inside = r.network | (random[i % 4]! & host);
        for (const v of [r.network, r.network | host, r.network - 1n, (r.network | host) + 1n, inside]) {
          if (v < 0n || v > top) continue;
          const ip: OracleIp = { family: r.family, value: v };
          out.push(oracleFormatIp(ip));
          if (r.family === 4) out.push(`::ffff:${dotted(v)}`, `::ffff:${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`, `::${dotted(v)}`, `0:0:0:0:0:FFFF:${dotted(v)}`);
        }
      }
      out.push(dotted(random[0]! & U32), oracleFormatIp({ family: 6, value: random[1]! }));
      return out;
    });

  it("cidrSetContains(compileCidrs(rules), parseIp(ip)) equals the oracle, for IPv4, IPv6, mapped and compatible clients", () => {
    const world = fc.array(validRule, { minLength: 1, maxLength: 6 }).chain((rules) => fc.tuple(fc.constant(rules), candidates(rules)));
    fc.assert(
      fc.property(world, ([rules, ips]) => {
        const texts = rules.map((r) => `${oracleFormatIp({ family: r.family, value: r.network })}/${r.prefix}`);
        const set = compileCidrs(texts);
        expect(set.ok).toBe(true);
        if (!set.ok) return;
        for (const text of ips) {
          const ip = parseIp(text);
          const want = oracleIp(text);
          const got = ip.ok ? cidrSetContains(set.value, ip.value) : null;
          const expected = want === null ? null : oracleContains(rules, want);
          if (got !== expected) expect({ rules: texts, text, inside: got }).toEqual({ rules: texts, text, inside: expected });
        }
      }),
      { numRuns: RUNS.contains },
    );
  });

  it("never lets an IPv6 rule admit an IPv4 client, nor an IPv4 rule an IPv4-compatible one", () => {
    const set = compileCidrs(["::/0", "10.0.0.0/8"]);
    if (!set.ok) throw new Error("rules refused");
    const inside = (t: string) => {
      const ip = parseIp(t);
      return ip.ok && cidrSetContains(set.value, ip.value);
    };
    expect(inside("192.0.2.1")).toBe(false);
    expect(inside("::ffff:192.0.2.1")).toBe(false);
    expect(inside("::ffff:10.1.2.3")).toBe(true);
    expect(inside("::10.1.2.3")).toBe(true); // IPv6, and inside ::/0
    const v4only = compileCidrs(["10.0.0.0/8"]);
    if (!v4only.ok) throw new Error("rule refused");
    const compat = parseIp("::10.1.2.3");
    expect(compat.ok && cidrSetContains(v4only.value, compat.value)).toBe(false);
  });
});

/**
 * Hostile tokens and Authorization headers against a regex + CRC oracle and a forgiving-base64 oracle
 * (issue #7, item 8): Unicode lookalikes (Cyrillic, Greek, fullwidth, mathematical, NFKC-equivalent
 * forms), zero-width characters, combining marks, bad prefixes, lengths and checksums; headers with
 * CR/LF, NUL, huge values, repeated schemes and Basic credentials that are not UTF-8.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthorization } from "../../src/core/credential.ts";
import { checkTokenFormat, crc32, generateToken } from "../../src/core/token.ts";
import { secretsEqual } from "../../src/services/hash.ts";
import {
  COMBINING,
  INVISIBLES,
  LOOKALIKES,
  mutation,
  oracleAtob,
  oracleAuthorization,
  oracleCrc32,
  oracleToken,
  oracleTokenValid,
} from "./hostile-oracle.ts";

/** Generated cases per property; their sum is reported in the issue. */
export const RUNS = { generated: 300, mutated: 2000, nfkc: 500, selfConsistent: 500, soup: 700, atob: 300, headers: 2500, basicBytes: 500, equal: 500 } as const;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const body = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 32, maxLength: 32 });
const validToken = body.map(oracleToken);

/** NFKC folds these back to ASCII: a normalising server would accept them as the original token. */
const NFKC_FORMS = (c: string): string[] => (LOOKALIKES[c] ?? []).filter((f) => f.normalize("NFKC") === c);

describe("token format agrees with the regex + CRC oracle", () => {
  it("the oracle's CRC-32 is the standard one", () => {
    expect(oracleCrc32("123456789")).toBe(0xcbf43926);
    expect(oracleCrc32("")).toBe(0);
  });

  it("every generated token passes both, and is the shape secret scanners look for", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (seed) => {
        let round = 0;
        const token = generateToken((bytes) => bytes.forEach((_, k) => (bytes[k] = seed[(k + round++) % 64]! ^ (round & 0xff))));
        expect(oracleTokenValid(token)).toBe(true);
        expect(checkTokenFormat(token)).toEqual({ ok: true, value: token });
      }),
      { numRuns: RUNS.generated },
    );
  });

  it("every hostile edit of a valid token is judged exactly as the oracle judges it", () => {
    fc.assert(
      fc.property(validToken.chain((t) => fc.tuple(fc.constant(t), mutation(t))), ([t, m]) => {
        const want = oracleTokenValid(m);
        expect({ m, ok: checkTokenFormat(m).ok }).toEqual({ m, ok: want });
        // A single edit of a valid token is caught by the checksum or the shape, unless it changed nothing.
        if (want) expect(m).toBe(t);
      }),
      { numRuns: RUNS.mutated },
    );
  });

  it("NFKC-equivalent spellings (fullwidth, mathematical, superscript, Kelvin sign) are refused, though they normalise to a valid token", () => {
    const nfkc = validToken.chain((t) =>
      fc.tuple(fc.constant(t), fc.array(fc.nat(), { minLength: 1, maxLength: 6 })).map(([tok, picks]) => {
        const out = [...tok];
        for (const p of picks) {
          const i = p % out.length;
          const forms = NFKC_FORMS(out[i]!);
          if (forms.length > 0) out[i] = forms[p % forms.length]!;
        }
        return [tok, out.join("")] as const;
      }),
    );
    fc.assert(
      fc.property(nfkc, ([t, m]) => {
        expect(m.normalize("NFKC")).toBe(t);
        if (m !== t) expect(checkTokenFormat(m).ok).toBe(false);
      }),
      { numRuns: RUNS.nfkc },
    );
  });

  it("a lookalike token whose checksum was computed over its own characters is still refused (charset before CRC)", () => {
    const lookBody = fc.array(fc.nat(), { minLength: 32, maxLength: 32 }).map((ns) =>
      ns
        .map((n) => {
          const c = BASE62[n % 62]!;
          const forms = LOOKALIKES[c] ?? [];
          return n % 3 === 0 && forms.length > 0 ? forms[n % forms.length]! : c;
        })
        .join(""),
    );
    const selfConsistent = lookBody.map((b) => {
      const head = `kc_${b}`;
      let n = crc32(head);
      let sum = "";
      for (let k = 0; k < 6; k++) {
        sum = BASE62[n % 62]! + sum;
        n = Math.floor(n / 62);
      }
      return head + sum;
    });
    fc.assert(
      fc.property(selfConsistent, (m) => {
        expect(checkTokenFormat(m).ok).toBe(oracleTokenValid(m));
      }),
      { numRuns: RUNS.selfConsistent },
    );
  });

  it("random soup of base62, underscores, lookalikes and invisibles never passes unless the oracle says so", () => {
    const unit = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...BASE62) },
      { weight: 1, arbitrary: fc.constantFrom("_", "kc_", ...INVISIBLES, ...COMBINING, ...Object.values(LOOKALIKES).flat()) },
    );
    const soup = fc.array(unit, { minLength: 30, maxLength: 45 }).map((u) => `kc_${u.join("")}`);
    fc.assert(
      fc.property(soup, (m) => {
        expect({ m, ok: checkTokenFormat(m).ok }).toEqual({ m, ok: oracleTokenValid(m) });
      }),
      { numRuns: RUNS.soup },
    );
  });
});

// ---- Authorization headers ----------------------------------------------------------------------

const b64 = (binary: string) => btoa(binary);
const utf8Binary = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));

const SCHEMES = [
  "Bearer", "bearer", "BEARER", "bEaReR", "Basic", "basic", "BASIC", "Token", "Digest", "Bearer Bearer", "Basic Bearer",
  "Bearer Basic", "", "Bearer:", "B\u0435arer", "\uff22earer", "Bearer\u0000", "Basic\r\nBasic", "Negotiate", "Bearer,",
];
const SEPARATORS = [" ", " ", " ", "  ", "\t", "", "\u00a0", "\r\n ", "\n", " \u200b", "\u3000"];
const TRAILERS = ["", "", "", " ", "\r\n", "\u0000", "\r\nX-Keycard-Stack: evil", ", Bearer kc_x", " x", "\t", "A".repeat(1100)];
const USERS = ["", "stack-1", "0198c0de-aaaa-7bbb-8ccc-123456789abc", "a:b", "st\u0430ck", " ", "\u0000", "x".repeat(300)];

const credential = fc.oneof(validToken, validToken.chain(mutation), fc.constantFrom("", "kc_", "x", "kc_" + "a".repeat(38)));

const basicValue = fc.oneof(
  fc.tuple(fc.constantFrom(...USERS), credential).map(([u, t]) => b64(utf8Binary(`${u}:${t}`))),
  fc.tuple(fc.constantFrom(...USERS), credential).map(([u, t]) => b64(utf8Binary(`${u}:${t}`)).replace(/=+$/, "")),
  fc.tuple(fc.constantFrom(...USERS), credential).map(([u, t]) => b64(utf8Binary(`${u}:${t}`)).replace(/(.{4})/g, "$1 ")),
  credential.map((t) => b64(utf8Binary(t))),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => b64(String.fromCharCode(...bytes))),
  fc.constantFrom("!!!!", "abcde", "YWJj=", "YR==", "====", "-_-_", "a", "YTpi\u0000", "YTp" + "\u0430"),
);

const cleanHeader = fc.oneof(
  fc.tuple(fc.constantFrom("Bearer", "bearer", "BEARER"), fc.constantFrom(" ", "  "), validToken, fc.constantFrom("", " ", "\u00a0")).map(
    ([scheme, sep, t, tail]) => `${scheme}${sep}${t}${tail}`,
  ),
  fc.tuple(fc.constantFrom("Basic", "basic"), fc.constantFrom(...USERS), validToken).map(([scheme, u, t]) => `${scheme} ${b64(utf8Binary(`${u}:${t}`))}`),
);

const header = fc.oneof(
  { weight: 2, arbitrary: cleanHeader },
  fc.tuple(fc.constantFrom(...SCHEMES), fc.constantFrom(...SEPARATORS), fc.oneof(credential, basicValue), fc.constantFrom(...TRAILERS)).map(
    ([scheme, sep, value, tail]) => `${scheme}${sep}${value}${tail}`,
  ),
  fc.constantFrom(null, "", " ", "\t\r\n", "Bearer", "Bearer ", "Basic ", "Basic =", "\u00a0"),
  fc.string({ unit: "binary", maxLength: 60 }),
);

function resultOf(h: string | null) {
  const want = oracleAuthorization(h);
  return typeof want === "string" ? { ok: false, error: want } : { ok: true, value: want };
}

describe("Authorization headers agree with the reference reading", () => {
  it("the base64 oracle agrees with the platform's atob on everything atob accepts", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ABCabc019+/= \t\n-_!"), maxLength: 24 }), (s) => {
        let platform: string | null;
        try {
          platform = atob(s);
        } catch {
          platform = null;
        }
        expect({ s, decoded: oracleAtob(s) }).toEqual({ s, decoded: platform });
      }),
      { numRuns: RUNS.atob },
    );
  });

  it("the header generator reaches usable credentials, malformed ones and missing ones", () => {
    const kinds = fc.sample(header, { numRuns: 1000, seed: 5 }).map((h) => {
      const r = oracleAuthorization(h);
      return typeof r === "string" ? r : oracleTokenValid(r.token) ? "usable" : "unusable";
    });
    for (const kind of ["usable", "unusable", "malformed", "missing"]) expect(kinds.filter((k) => k === kind).length).toBeGreaterThan(30);
  });

  it("parseAuthorization equals the oracle on every hostile header, and never invents a valid token", () => {
    fc.assert(
      fc.property(header, (h) => {
        const got = parseAuthorization(h);
        expect({ h, got }).toEqual({ h, got: resultOf(h) });
        if (got.ok && checkTokenFormat(got.value.token).ok) {
          const decoded = oracleAtob(h!.slice(h!.indexOf(" ") + 1).trim()) ?? "";
          expect(h! + decoded).toContain(got.value.token);
        }
      }),
      { numRuns: RUNS.headers },
    );
  });

  it("Basic credentials that are not UTF-8 decode to bytes, and never to a valid token", () => {
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 60 }).filter((b) => b.some((x) => x >= 0x80));
    fc.assert(
      fc.property(bytes, validToken, fc.boolean(), (raw, t, withToken) => {
        const binary = String.fromCharCode(...raw) + (withToken ? `:${t}\u00ff` : "");
        const got = parseAuthorization(`Basic ${btoa(binary)}`);
        expect(got).toEqual(resultOf(`Basic ${btoa(binary)}`));
        if (got.ok) expect(checkTokenFormat(got.value.token).ok).toBe(false);
      }),
      { numRuns: RUNS.basicBytes },
    );
  });

  it.each([
    ["CR/LF injection", (t: string) => `Bearer ${t}\r\nX-Keycard-Stack: evil`],
    ["a NUL after the token", (t: string) => `Bearer ${t}\u0000`],
    ["a NUL inside the token", (t: string) => `Bearer ${t.slice(0, 10)}\u0000${t.slice(10)}`],
    ["a repeated scheme", (t: string) => `Bearer Bearer ${t}`],
    ["two credentials", (t: string) => `Bearer ${t}, Bearer ${t}`],
    ["a tab for a space", (t: string) => `Bearer\t${t}`],
    ["over 1,024 characters", (t: string) => `Bearer ${t}${" ".repeat(1000)}x`],
    ["Basic whose password carries CR/LF", (t: string) => `Basic ${btoa(`stack:${t}\r\n`)}`],
    ["Basic over 1,024 characters", (t: string) => `Basic ${btoa(`${"s".repeat(800)}:${t}`)}`],
  ])("%s yields no usable token", (_name, build) => {
    const t = oracleToken("0123456789abcdefghijABCDEFGHIJxy");
    const got = parseAuthorization(build(t));
    expect(got.ok && checkTokenFormat(got.value.token).ok).toBe(false);
  });
});

describe("the operator token is compared in constant time, and exactly", () => {
  it("secretsEqual holds for the same string only: never for a lookalike, NFKC form, prefix or extension", async () => {
    await fc.assert(
      fc.asyncProperty(validToken.chain((t) => fc.tuple(fc.constant(t), fc.oneof(mutation(t), fc.constant(t), fc.constant(t.normalize("NFKC")), fc.constant(t.slice(0, 20))))), async ([t, m]) => {
        expect(await secretsEqual(m, t)).toBe(m === t);
      }),
      { numRuns: RUNS.equal },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTokenFormat, crc32, generateToken, TOKEN_LENGTH, TOKEN_PATTERN } from "../../src/core/token.ts";

const random = (b: Uint8Array) => crypto.getRandomValues(b);

describe("token format", () => {
  it("is kc_, 32 base62 characters, then a 6-character CRC32", () => {
    const token = generateToken(random);
    expect(token).toMatch(/^kc_[0-9A-Za-z]{38}$/);
    expect(token).toHaveLength(TOKEN_LENGTH);
    expect(TOKEN_PATTERN.test(`password = "${token}"`)).toBe(true);
    expect(checkTokenFormat(token)).toEqual({ ok: true, value: token });
  });

  it("computes the standard CRC-32", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it.each([
    ["", "prefix"],
    ["glc_abc", "prefix"],
    ["kc_", "length"],
    ["kc_" + "a".repeat(39), "length"],
    ["kc_" + "a".repeat(37) + "-", "charset"],
    ["kc_" + "a".repeat(38), "checksum"],
  ])("rejects %j (%s)", (token, why) => {
    expect(checkTokenFormat(token)).toEqual({ ok: false, error: why });
  });

  it("draws uniform base62 characters by rejection sampling", () => {
    let n = 0;
    const bytes = [255, 250, 248, 0, 61, 62, 247];
    const token = generateToken((b) => {
      for (let i = 0; i < b.length; i++) b[i] = bytes[n++ % bytes.length]!;
      return b;
    });
    expect(token.slice(3, 7)).toBe("0z0z");
  });

  it("rejects every one-character change of a valid token", () => {
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-:é";
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TOKEN_LENGTH - 1 }), fc.constantFrom(...alphabet), fc.nat(), (pos, ch, seed) => {
        const token = generateToken((b) => {
          for (let i = 0; i < b.length; i++) b[i] = (seed * 31 + i * 7) % 248;
          return b;
        });
        fc.pre(token[pos] !== ch);
        const changed = token.slice(0, pos) + ch + token.slice(pos + 1);
        expect(checkTokenFormat(changed).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

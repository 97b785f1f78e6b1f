import { describe, expect, it } from "vitest";
import { MAX_DECISION_TTL_SECONDS } from "../../src/core/decision.ts";
import { publishedKeys, RETIRE_GRACE_SECONDS, rotateKeys, type ConfiguredJwk } from "../../src/core/keys.ts";

const key = (x: string): ConfiguredJwk => ({ kty: "OKP", crv: "Ed25519", x, d: `d-${x}` });
const T = 1_800_000_000;
const RETIRE = T + MAX_DECISION_TTL_SECONDS + RETIRE_GRACE_SECONDS;

describe("rotateKeys", () => {
  it("puts the new key first and demotes the old one to a public key that retires after the longest decision", () => {
    expect(rotateKeys([key("a")], key("b"), T)).toEqual([key("b"), { kty: "OKP", crv: "Ed25519", x: "a", retire_after: RETIRE }]);
  });

  it("never keeps a previous private part", () => {
    const twice = rotateKeys(rotateKeys([key("a")], key("b"), T), key("c"), T + 10);
    expect(twice.slice(1).every((k) => k.d === undefined)).toBe(true);
    expect(twice.map((k) => k.x)).toEqual(["c", "b", "a"]);
  });

  it("drops previous keys already retired", () => {
    const once = rotateKeys([key("a")], key("b"), T);
    expect(rotateKeys(once, key("c"), RETIRE).map((k) => k.x)).toEqual(["c", "b"]);
  });
});

describe("publishedKeys", () => {
  const keys = rotateKeys([key("a")], key("b"), T);
  it.each([
    [T, ["b", "a"]],
    [RETIRE - 1, ["b", "a"]],
    [RETIRE, ["b"]],
    [RETIRE + 1, ["b"]],
  ])("at %i publishes %j", (now, xs) => {
    expect(publishedKeys(keys, now).map((k) => k.x)).toEqual(xs);
  });
});

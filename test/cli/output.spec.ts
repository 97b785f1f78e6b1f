/** Human output: aligned, terminal-safe, and honest about expiry. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { duration, expiry, keyValues, safe, table, time } from "../../src/cli/output.ts";
import { NOW } from "./fake.ts";

describe("table", () => {
  it("pads every column but the last to its widest cell", () => {
    assert.equal(table(["ID", "NAME"], [["a", "alloy"], ["bbbb", "x"]]), "ID    NAME\na     alloy\nbbbb  x");
  });
  it("prints only the header for no rows", () => assert.equal(table(["ID", "NAME"], []), "ID  NAME"));
});

describe("keyValues", () => {
  it("aligns keys and indents continuation lines", () => {
    assert.equal(keyValues([["id", "1"], ["scopes", "a\nb"]]), "id      1\nscopes  a\n        b");
  });
});

describe("safe", () => {
  it("neutralises escape sequences a display name could carry", () => {
    assert.equal(safe("evil\u001b[2Jname\u0007"), "evil\uFFFD[2Jname\uFFFD");
    assert.ok(!table(["N"], [["\u001b]0;pwned\u0007"]]).includes("\u001b"));
  });
});

describe("times", () => {
  const cases: [string | null, string][] = [
    [null, "never"],
    ["2027-01-01T00:00:00.000Z", "2027-01-01T00:00:00Z"],
    ["2026-11-23T17:59:59.000Z", "2026-11-23T17:59:59Z (expired)"],
    ["2026-11-23T18:00:00.000Z", "2026-11-23T18:00:00Z (expired)"],
  ];
  for (const [iso, shown] of cases) it(`shows expiry ${iso} as ${shown}`, () => assert.equal(expiry(iso, NOW), shown));
  it("shows a missing time as -", () => assert.equal(time(null), "-"));
  it("shortens durations", () => {
    assert.deepEqual([duration(59.4), duration(600), duration(7200), duration(3 * 86400)], ["59 s", "10 min", "2 h", "3 d"]);
  });
});

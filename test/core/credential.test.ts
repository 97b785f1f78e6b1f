import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthorization, parseScopeHeader } from "../../src/core/credential.ts";

describe("parseAuthorization", () => {
  it.each([
    [null, { ok: false, error: "missing" }],
    ["", { ok: false, error: "missing" }],
    ["Bearer", { ok: false, error: "malformed" }],
    ["Bearer a b", { ok: false, error: "malformed" }],
    ["Token abc", { ok: false, error: "malformed" }],
    ["Basic !!!", { ok: false, error: "malformed" }],
    [`Basic ${btoa("nocolon")}`, { ok: false, error: "malformed" }],
    ["Bearer " + "a".repeat(2000), { ok: false, error: "malformed" }],
    ["Bearer kc_abc", { ok: true, value: { token: "kc_abc", username: null } }],
    ["bearer kc_abc", { ok: true, value: { token: "kc_abc", username: null } }],
    [`Basic ${btoa("12345:kc_abc")}`, { ok: true, value: { token: "kc_abc", username: "12345" } }],
    [`Basic ${btoa(":kc_abc")}`, { ok: true, value: { token: "kc_abc", username: null } }],
    [`Basic ${btoa("12345:kc:abc")}`, { ok: true, value: { token: "kc:abc", username: "12345" } }],
  ])("reads %j", (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it("never throws on arbitrary headers", () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (h) => void parseAuthorization(h)), { numRuns: 2000 });
  });
});

describe("parseScopeHeader", () => {
  it.each([
    [null, { ok: false, error: "missing" }],
    [" , ", { ok: false, error: "missing" }],
    ["metrics:write", { ok: true, value: ["metrics:write"] }],
    ["metrics:write, logs:write  traces:write", { ok: true, value: ["metrics:write", "logs:write", "traces:write"] }],
    ["set:alloy-data-write", { ok: true, value: ["set:alloy-data-write"] }],
    ["METRICS:WRITE", { ok: false, error: "malformed" }],
    ["metrics", { ok: false, error: "malformed" }],
    [Array(17).fill("metrics:write").join(" "), { ok: false, error: "malformed" }],
  ])("reads %j", (header, expected) => {
    expect(parseScopeHeader(header)).toEqual(expected);
  });
});

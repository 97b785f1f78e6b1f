/** Orgs and stacks, errors: clear answers, and nothing written. */
import { beforeAll, describe, expect, it } from "vitest";
import { as, expectNoWrite, world, type Json } from "./admin-helpers.ts";
import { newOrg, ok, OPERATOR } from "./helpers.ts";

let org: string, s1: string, otherName: string;
beforeAll(async () => {
  ({ org, s1 } = await world());
  const other = await newOrg();
  otherName = (await ok<Json>("GET", `/api/v1/orgs/${other}`)).name;
});

const missing = "0190aaaa-0000-7000-8000-000000000000";

describe("bad requests about orgs and stacks", () => {
  const cases: [string, string, () => string, () => unknown, number, string?][] = [
    ["an org without a name", "POST", () => "/api/v1/orgs", () => ({}), 400, "name"],
    ["an org with a blank name", "POST", () => "/api/v1/orgs", () => ({ name: "   " }), 400, "name"],
    ["an org with an unknown field", "POST", () => "/api/v1/orgs", () => ({ name: "x", plan: "pro" }), 400, ""],
    ["an org renamed to a taken name", "POST", () => `/api/v1/orgs/${org}`, () => ({ name: otherName }), 409],
    ["an org renamed to a blank name", "POST", () => `/api/v1/orgs/${org}`, () => ({ name: "" }), 400, "name"],
    ["renaming an unknown org", "POST", () => `/api/v1/orgs/${missing}`, () => ({ name: "x" }), 404],
    ["deleting an unknown org", "DELETE", () => `/api/v1/orgs/${missing}`, () => undefined, 404],
    ["a stack without an org, as the operator", "POST", () => "/api/v1/stacks", () => ({ name: "s" }), 400, "orgId"],
    ["a stack in an unknown org", "POST", () => "/api/v1/stacks", () => ({ orgId: missing, name: "s" }), 404],
    ["a stack with an unknown field", "POST", () => "/api/v1/stacks", () => ({ orgId: org, name: "s", region: "eu" }), 400, ""],
    ["a stack renamed with a bad field", "POST", () => `/api/v1/stacks/${s1}`, () => ({ orgId: org }), 400, ""],
    ["renaming an unknown stack", "POST", () => `/api/v1/stacks/${missing}`, () => ({ name: "x" }), 404],
    ["deleting an unknown stack", "DELETE", () => `/api/v1/stacks/${missing}`, () => undefined, 404],
    ["?force=maybe", "DELETE", () => `/api/v1/stacks/${s1}?force=maybe`, () => undefined, 400, "force"],
  ];
  it.each(cases)("%s", async (_n, method, path, body, status, detail) => {
    const r = await expectNoWrite(() => as(OPERATOR, method, path(), { body: body() }));
    expect(r.status).toBe(status);
    if (detail !== undefined) expect(r.body.details.map((d: Json) => d.path)).toContain(detail);
  });
});

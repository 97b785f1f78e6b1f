/**
 * The invalidation seam: every committed change that can alter an authorize result names the token
 * hashes and stack ids it made stale, after the commit. Services run here against real D1 with a
 * recording `invalidate`; and the store refuses a second write under one idempotency key.
 */
import { env } from "cloudflare:test";
import { v7 as uuidv7 } from "uuid";
import { beforeEach, describe, expect, it } from "vitest";
import type { Invalidation, AdminContext } from "../../src/services/admin/context.ts";
import { deleteOrg } from "../../src/services/admin/orgs.ts";
import { createPolicy, deletePolicy, updatePolicy } from "../../src/services/admin/policies.ts";
import { createStack, deleteStack, updateStack } from "../../src/services/admin/stacks.ts";
import { createToken, deleteToken, updateToken } from "../../src/services/admin/tokens.ts";
import { sha256Hex } from "../../src/services/hash.ts";
import { IdempotencyRaceError } from "../../src/services/ports.ts";
import { D1AdminStore } from "../../src/storage/d1-admin.ts";
import { newOrg, uniq } from "./helpers.ts";

let calls: Invalidation[];
const ctx = (over: Partial<AdminContext> = {}): AdminContext => ({
  store: new D1AdminStore(env.DB),
  actor: { kind: "operator", id: "operator" },
  now: new Date().toISOString(),
  newId: uuidv7,
  requestId: null,
  idempotency: null,
  invalidate: async (change) => void calls.push(change),
  ...over,
});
beforeEach(() => void (calls = []));

async function setup() {
  const org = await newOrg();
  const stack = (await createStack(ctx(), { orgId: org, name: uniq("s") })).id;
  const policy = await createPolicy(ctx(), org, { name: uniq("p"), scopes: ["metrics:write"], realms: [{ type: "stack", identifier: stack, labelPolicies: [] }], status: "active" });
  const a = await createToken(ctx(), org, { accessPolicyId: policy.id, name: uniq("a") });
  const b = await createToken(ctx(), org, { accessPolicyId: policy.id, name: uniq("b") });
  calls = [];
  return { org, stack, policy, a, b, hashes: [await sha256Hex(a.token), await sha256Hex(b.token)].sort() };
}

const sorted = (c: Invalidation) => ({ tokenHashes: [...(c.tokenHashes ?? [])].sort(), stackIds: [...(c.stackIds ?? [])].sort() });

describe("what each change invalidates", () => {
  it("creations and renames invalidate nothing", async () => {
    const { org, stack } = await setup();
    await createStack(ctx(), { orgId: org, name: uniq("s") });
    await updateStack(ctx(), org, stack, { name: uniq("renamed") });
    expect(calls).toEqual([]);
  });

  it("a token update or delete: that token's hash", async () => {
    const { org, a, hashes } = await setup();
    const hashA = await sha256Hex(a.token);
    await updateToken(ctx(), org, a.id, { displayName: "x" });
    await deleteToken(ctx(), org, a.id);
    expect(calls.map(sorted)).toEqual([
      { tokenHashes: [hashA], stackIds: [] },
      { tokenHashes: [hashA], stackIds: [] },
    ]);
    expect(hashes).toContain(hashA);
  });

  it("a policy update or delete: the hashes of all its tokens", async () => {
    const { org, policy, hashes } = await setup();
    await updatePolicy(ctx(), org, policy.id, { status: "inactive" });
    await deletePolicy(ctx(), org, policy.id);
    expect(calls.map(sorted)).toEqual([
      { tokenHashes: hashes, stackIds: [] },
      { tokenHashes: hashes, stackIds: [] },
    ]);
  });

  it("a forced stack delete: the stack, and the tokens of every policy it touched", async () => {
    const { org, stack, hashes } = await setup();
    await deleteStack(ctx(), org, stack, true);
    expect(calls.map(sorted)).toEqual([{ tokenHashes: hashes, stackIds: [stack] }]);
  });

  it("a forced org delete: every token and stack of the org", async () => {
    const { org, stack, hashes } = await setup();
    await deleteOrg(ctx(), org, true);
    expect(calls.map(sorted)).toEqual([{ tokenHashes: hashes, stackIds: [stack] }]);
  });

  it("a refused change invalidates nothing", async () => {
    const { org, stack } = await setup();
    await expect(deleteStack(ctx(), org, stack, false)).rejects.toMatchObject({ status: 409 });
    await expect(deleteOrg(ctx(), org, false)).rejects.toMatchObject({ status: 409 });
    expect(calls).toEqual([]);
  });
});

describe("one idempotency key, one write", () => {
  it("the store refuses a second change under a key already stored, and writes none of it", async () => {
    const org = await newOrg();
    const key = { orgId: org, actor: "operator", method: "POST", path: "/api/v1/stacks", key: uniq("k"), fingerprint: "f" };
    const first = await createStack(ctx({ idempotency: key }), { orgId: org, name: uniq("first") });
    const second = uniq("second");
    await expect(createStack(ctx({ idempotency: key }), { orgId: org, name: second })).rejects.toBeInstanceOf(IdempotencyRaceError);
    const names = await env.DB.prepare("SELECT name FROM stacks WHERE org_id = ?").bind(org).all<{ name: string }>();
    expect(names.results.map((r) => r.name)).toEqual([first.name]);
  });
});
